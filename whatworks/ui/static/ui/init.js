// Start the GOV.UK Frontend components on the page (menu toggle, error summary
// focus, notification banners...). Loaded as a module, so only in browsers that
// GOV.UK Frontend supports; the CSP allows it because it comes from 'self'.
import { initAll } from '/static/build/govuk-frontend.min.js'

initAll()
