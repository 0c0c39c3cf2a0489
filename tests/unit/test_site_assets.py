"""The site's committed styles and scripts are exactly what the pinned govuk-frontend builds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "site" / "kdc_site" / "static"
BUILT = ("site.css", "govuk-frontend.min.js", "images/favicon.svg", "GOVUK_FRONTEND_VERSION")


def test_committed_site_assets_match_a_fresh_build(node_modules, tmp_path):
    out = tmp_path / "static"
    subprocess.run(["node", "site/build.mjs", str(out)], cwd=ROOT, check=True, capture_output=True)
    stale = [name for name in BUILT if (STATIC / name).read_bytes() != (out / name).read_bytes()]
    assert not stale, f"run `npm ci && npm run build:site` and commit: {stale} are out of date"


def test_the_built_version_is_the_pinned_one():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["govuk-frontend"]
    assert (STATIC / "GOVUK_FRONTEND_VERSION").read_text().strip() == pinned
    assert f"govuk-frontend {pinned}" in (STATIC / "site.css").read_text()[:100]
    assert "\ufeff" not in (STATIC / "site.css").read_text()  # a BOM mid-file breaks a rule
