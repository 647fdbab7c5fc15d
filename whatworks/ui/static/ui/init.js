// Start the GOV.UK Frontend components on the page (menu toggle, error summary
// focus, notification banners...). Loaded as a module, so only in browsers that
// GOV.UK Frontend supports; the CSP allows it because it comes from 'self'.
import { initAll } from '/static/build/govuk-frontend.min.js'

initAll()

// Fields revealed under a radio option (govuk_field reveals=): shown while it is chosen. Not
// govuk-radios, which sets aria-expanded on the radio, an attribute ARIA does not allow on a
// radio; aria-controls (allowed) still links the option to what it reveals. Without
// JavaScript every revealed field stays visible.
function syncReveals (group) {
  group.querySelectorAll('input[type="radio"][aria-controls]').forEach((input) => {
    const revealed = document.getElementById(input.getAttribute('aria-controls'))
    if (revealed) revealed.classList.toggle('govuk-radios__conditional--hidden', !input.checked)
  })
}

document.querySelectorAll('[data-module="app-reveals"]').forEach((group) => {
  syncReveals(group)
  group.addEventListener('change', () => syncReveals(group))
  window.addEventListener('pageshow', () => syncReveals(group))
})
