// Builds the site's stylesheet and scripts from the pinned govuk-frontend package, into
// site/kdc_site/static/, which the wheel ships: an installed site needs no network.
//
//   npm ci && npm run build:site
//
// The output is committed; tests/unit/test_site_assets.py rebuilds it elsewhere and fails if the
// committed files differ, so they always match package.json.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// An output folder may be given (the test that checks the committed files builds elsewhere).
const out = process.argv[2] ?? join(root, "site", "kdc_site", "static");
const govuk = join(root, "node_modules", "govuk-frontend");
const version = JSON.parse(readFileSync(join(govuk, "package.json"), "utf8")).version;

mkdirSync(out, { recursive: true });
const result = sass.compile(join(root, "site", "assets", "site.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
// Sass starts compressed output that has non-ASCII text with a byte-order mark; a BOM anywhere
// but the first byte breaks the first rule (GOV.UK Frontend's :root breakpoints, which its
// scripts read), so it is dropped and the charset said the standard way.
const css = result.css.replace(/^\uFEFF/, "");
writeFileSync(join(out, "site.css"), `@charset "UTF-8";/* govuk-frontend ${version} */\n${css}\n`);
copyFileSync(join(govuk, "dist", "govuk", "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
mkdirSync(join(out, "images"), { recursive: true });
copyFileSync(join(govuk, "dist", "govuk", "assets", "images", "favicon.svg"), join(out, "images", "favicon.svg"));
writeFileSync(join(out, "GOVUK_FRONTEND_VERSION"), `${version}\n`);
console.log(`site assets built from govuk-frontend ${version} into ${out}`);
