"""The packaged protocol, its guide and scenarios, and errors in a council's own version."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kdc_core.protocol.document import ProtocolError, packaged, read_text
from kdc_core.protocol.guide import clause_text, guide_html, guide_markdown, scenarios_markdown

CITE = re.compile(r"\((\d+\.\d+)\)")


def test_packaged_protocol_has_every_numbered_clause_of_sections_4_to_11():
    protocol = packaged()
    counts = {s.number: len(s.clauses) for s in protocol.sections}
    assert counts == {
        "1": 0, "2": 0, "3": 0, "4": 5, "5": 7, "6": 6, "7": 6, "8": 8, "9": 4, "10": 3, "11": 3,
    }  # fmt: skip
    assert protocol.clause("7.4").binds.value == "officers"
    assert protocol.clause("11.2").binds.value == "councillors"
    assert [len(e.items) for e in protocol.expectations] == [20, 7, 8]
    with pytest.raises(ProtocolError, match=r"no clause '12\.1'"):
        protocol.clause("12.1")


def test_every_scenario_cites_clauses_that_exist():
    protocol = packaged()
    numbers = {c.number for c in protocol.clauses()}
    assert [s.number for s in protocol.scenarios] == [1, 2, 3, 4, 5, 6]
    for scenario in protocol.scenarios:
        cited = {n for g in scenario.guidance for n in re.findall(r"\d+\.\d+", g)}
        assert cited and cited <= numbers, scenario.title
    assert "## Scenario 6" in scenarios_markdown(protocol)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.bullets: list[str] = []
        self._li = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._li = tag == "li" or self._li
        if tag == "li":
            self.bullets.append("")

    def handle_endtag(self, tag):
        if tag == "li":
            self._li = False

    def handle_data(self, data):
        if self._li:
            self.bullets[-1] += data


def test_officer_html_guide_is_one_page_of_bullets_citing_officer_clauses():
    protocol = packaged()
    page = _Page()
    page.feed(guide_html(protocol, "officer"))
    assert "script" not in page.tags
    clause_bullets = [b for b in page.bullets if CITE.search(b)]
    cited = {CITE.search(b).group(1) for b in clause_bullets}
    assert {"7.4", "7.5", "6.2", "9.1", "8.1"} <= cited
    assert "5.3" not in cited  # binds councillors only
    assert all(len(b) < 260 for b in clause_bullets)
    assert len(page.bullets) <= 40  # fits one printed page in two columns


def test_html_guide_escapes_text_from_an_adopted_version():
    text = """
[protocol]
version = "2027"
title = "Protocol <script>alert(1)</script>"
[[sections]]
number = "7"
title = "Wards & <b>officers</b>"
clauses = [{ number = "7.4", binds = "both", summary = "Invite <all> councillors" }]
"""
    protocol, _ = read_text(text, "council.toml")
    html = guide_html(protocol, "officer")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Invite &lt;all&gt; councillors" in html and "Wards &amp; &lt;b&gt;" in html
    assert "- Invite <all> councillors (7.4)" in guide_markdown(protocol, "councillor")
    assert clause_text(protocol, protocol.clause("7.4")).startswith("7.4 (Wards & <b>officers</b>")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[protocol]\nversion='x'\ntitle='t'\n", "council.toml: no \\[\\[sections\\]\\]"),
        (
            "[protocol]\nversion='x'\ntitle='t'\n[[sections]]\nnumber='7'\ntitle='W'\n"
            "clauses=[{number='7.4', binds='mayor', summary='s'}]\n",
            "council.toml: clause 7.4: binds/who must be councillors, officers or both",
        ),
        (
            "[protocol]\nversion='x'\ntitle='t'\n[[sections]]\nnumber='7'\ntitle='W'\n"
            "clauses=[{number='8.4', binds='both', summary='s'}]\n",
            "sections\\[1\\] clause 1: clause number '8.4' is not 7.N",
        ),
        ("[protocol\n", "council.toml: not valid TOML"),
    ],
)
def test_a_bad_protocol_file_is_refused_naming_the_file_and_entry(text, message):
    with pytest.raises(ProtocolError, match=message):
        read_text(text, "council.toml")
