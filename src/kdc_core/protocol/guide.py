"""The bite-size guide: one page of bullet points per audience, each citing its clause.

HTML output is a self-contained page with every piece of text escaped and no scripts.
"""

from __future__ import annotations

from html import escape

from kdc_core.protocol.document import Binds, Clause, Protocol, Scenario

AUDIENCES = ("councillor", "officer")
_PLURAL = {"councillor": "councillors", "officer": "officers"}


def clause_text(protocol: Protocol, clause: Clause) -> str:
    section = protocol.section(clause.section)
    return (
        f"{clause.number} ({section.title}; binds {clause.binds.value})\n"
        f"{clause.summary}\n(protocol version {protocol.version})"
    )


def guide_items(protocol: Protocol, audience: str) -> list[tuple[str, list[Clause]]]:
    """Sections with the clauses that bind this audience (or both)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be councillor or officer, not {audience!r}")
    who = _PLURAL[audience]
    out = []
    for section in protocol.sections:
        clauses = [c for c in section.clauses if c.binds.covers(who)]
        if clauses:
            out.append((f"{section.number}. {section.title}", clauses))
    return out


def expectations_for(protocol: Protocol, audience: str) -> list[tuple[str, tuple[str, ...]]]:
    """``(heading, items)`` of section 1 for this audience: what the other side can expect of
    them, and what both expect of each other."""
    who = _PLURAL[audience]
    return [
        (e.heading, e.items) for e in protocol.expectations if e.who in (Binds.BOTH, Binds(who))
    ]


def guide_markdown(protocol: Protocol, audience: str) -> str:
    lines = [
        f"# The member–officer protocol for {_PLURAL[audience]}",
        "",
        f"_{protocol.title}, version {protocol.version}. Plain-English summary; clause "
        "numbers in brackets._",
        "",
        "## What to expect (section 1)",
        "",
    ]
    for heading, items in expectations_for(protocol, audience):
        lines.append(f"- **{heading}:** " + "; ".join(i[0].lower() + i[1:] for i in items) + ".")
    for title, clauses in guide_items(protocol, audience):
        lines += ["", f"## {title}", ""]
        lines += [f"- {c.summary} ({c.number})" for c in clauses]
    return "\n".join(lines) + "\n"


_STYLE = (
    "body{font:14px/1.35 system-ui,sans-serif;max-width:60em;margin:1em auto;columns:2;"
    "column-gap:2em}h1{column-span:all;font-size:1.4em;margin:0 0 .3em}"
    "h2{font-size:1.05em;margin:.7em 0 .2em;break-after:avoid}"
    "ul{margin:0;padding-left:1.2em}li{margin:.1em 0}cite{font-style:normal;font-weight:600}"
    "@page{size:A4;margin:1cm}"
    "@media print{body{font-size:8.4pt;line-height:1.25;max-width:none;margin:0;column-gap:1.5em}"
    "h2{margin:.5em 0 .1em}}"
)


def guide_html(protocol: Protocol, audience: str) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(f'Member–officer protocol: {_PLURAL[audience]}')}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>The member–officer protocol for {escape(_PLURAL[audience])}</h1>",
        f"<p><small>{escape(protocol.title)}, version {escape(protocol.version)}. "
        "Plain-English summary; clause numbers in brackets.</small></p>",
        "<h2>What to expect (section 1)</h2><ul>",
    ]
    for heading, items in expectations_for(protocol, audience):
        parts.append(f"<li><b>{escape(heading)}:</b> {escape('; '.join(items))}.</li>")
    parts.append("</ul>")
    for title, clauses in guide_items(protocol, audience):
        parts.append(f"<h2>{escape(title)}</h2><ul>")
        parts += [
            f"<li>{escape(c.summary)} <cite>({escape(c.number)})</cite></li>" for c in clauses
        ]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def scenario_markdown(scenario: Scenario) -> str:
    lines = [f"## Scenario {scenario.number}: {scenario.title}", "", scenario.situation, ""]
    lines += [f"- {g}" for g in scenario.guidance]
    return "\n".join(lines) + "\n"


def scenarios_markdown(protocol: Protocol) -> str:
    head = f"# Training scenarios (protocol version {protocol.version})\n\n"
    return head + "\n".join(scenario_markdown(s) for s in protocol.scenarios)
