// Copy the GOV.UK Frontend files the site uses into whatworks/ui/static/build/.
// Run by `npm run build` after Sass has written app.css. No dependencies beyond Node.
//
// Deliberately not copied: the fonts (GDS Transport is for GOV.UK only) and the
// crown images and icons (the crown is reserved for GOV.UK). Our own favicon and
// web manifest live in whatworks/ui/static/ui/.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const source = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const target = join(here, "static", "build");

const files = [
  ["govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["govuk-frontend.min.js.map", "govuk-frontend.min.js.map"],
];

mkdirSync(target, { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(source, from), join(target, to));
  console.log(`copied ${from} -> static/build/${to}`);
}
