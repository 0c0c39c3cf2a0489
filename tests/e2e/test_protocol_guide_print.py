"""Each audience's HTML guide prints on one A4 page in headless Chromium and runs no script.

Chromium is Debian's (``/usr/bin/chromium``, or ``KDC_CHROMIUM``). Without it these tests
skip, unless ``KDC_REQUIRE_BROWSER=1`` (as in CI), when they fail. The PDFs land in
``test-artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kdc_core.protocol.document import packaged
from kdc_core.protocol.guide import guide_html

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.parametrize("audience", ["officer", "councillor"])
def test_the_html_guide_prints_on_one_a4_page(browser, audience):
    page = browser.new_page()
    page.set_content(guide_html(packaged(), audience))
    assert page.evaluate("document.scripts.length") == 0
    cited = page.eval_on_selector_all("li cite", "els => els.map(e => e.textContent)")
    assert len(cited) >= 20 and all(re.fullmatch(r"\(\d+\.\d+\)", c) for c in cited)
    pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"protocol-guide-{audience}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the {audience} guide prints on {pages} pages"
    page.close()
