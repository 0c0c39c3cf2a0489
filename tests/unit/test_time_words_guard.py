"""No new code writes a time for people by hand: every one goes through kdc_core.timewords.

Times for people are in the council's zone, to the minute, with the zone's abbreviation in
plain text (``18:00 BST``) or GOV.UK words on pages and in emails (``6:00pm``). Writing one
with ``strftime``/``%H:%M``, ``%Z``, a literal "UTC" after the time, or ``.isoformat()`` in a
message gets it wrong in one of those ways, so this test reads the source (Python by its
syntax tree, templates as text) and names each place that does. Machine output (``--json``,
feeds, keys) builds dicts and strings that none of these rules look at.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = ("src", "plugins", "admin", "site")
#: The one module that writes times for people.
TIMEWORDS = Path("src/kdc_core/timewords.py")
#: ``(file, line text)`` of deliberate exceptions, each with its reason.
ALLOWED = {
    # Refuses a naive datetime: there is no zone to put it in, and the ISO form shows that.
    ("src/kdc_core/enquiries/service.py", "received_at {received_at.isoformat()} has no time zone"),
    # An idempotency key, never shown to a person.
    ("src/kdc_core/enquiries/digest_mail.py", "{KIND}:{week_start.isoformat()}:"),
}
#: A clock time in a format string (``%H:%M``, ``%I:%M``) or a zone abbreviation (``%Z``).
BY_HAND = re.compile(r"%[HI]:%M|%Z")
UTC_AFTER_TIME = re.compile(r"^\s*\(?UTC\b")
ECHOES = {"echo", "secho", "echo_via_pager"}


def _python_files() -> Iterator[Path]:
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts and relative != TIMEWORDS:
                yield relative


def _text(node: ast.AST) -> str:
    """The literal text of a string or f-string (its format specs included)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) for v in node.values)
    if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
        return _text(node.format_spec)
    return ""


def _is_isoformat(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "isoformat"
    )


def _echoes(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ECHOES


def _problems(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = _text(node.format_spec)
            if BY_HAND.search(spec):
                yield node.lineno, f"a time written by hand with the format {spec!r}"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "strftime" and node.args:
                fmt = _text(node.args[0])
                if BY_HAND.search(fmt):
                    yield node.lineno, f"strftime({fmt!r}) writes a time by hand"
            if _echoes(node) and any(_is_isoformat(a) for a in node.args):
                yield node.lineno, "an ISO time echoed to a person"
        elif isinstance(node, ast.JoinedStr):
            values = node.values
            for before, after in itertools.pairwise(values):
                if (
                    isinstance(before, ast.FormattedValue)
                    and isinstance(after, ast.Constant)
                    and isinstance(after.value, str)
                    and UTC_AFTER_TIME.search(after.value)
                ):
                    yield node.lineno, "a time labelled UTC for a person"
            for value in values:
                if isinstance(value, ast.FormattedValue) and _is_isoformat(value.value):
                    yield node.lineno, "an ISO time in a message"


def _offences() -> list[str]:
    found = []
    for relative in _python_files():
        source = (ROOT / relative).read_text(encoding="utf-8")
        lines = source.splitlines()
        for line, why in sorted(set(_problems(ast.parse(source, str(relative))))):
            text = lines[line - 1]
            if any(str(relative) == f and snippet in text for f, snippet in ALLOWED):
                continue
            found.append(f"{relative}:{line}: {why}: {text.strip()}")
    return found


def test_times_for_people_go_through_timewords():
    assert _offences() == [], "use kdc_core.timewords (plain_time, plain_moment, clock_time …)"


def test_templates_do_not_label_times_utc():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for tree in TREES
        for path in sorted((ROOT / tree).rglob("*"))
        if path.suffix in {".html", ".txt", ".j2"} and "node_modules" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bUTC\b", line)
    ]
    assert found == [], "templates show the council's time through the time filters"


def _offences_in(code: str) -> list[str]:
    return sorted(why for _line, why in _problems(ast.parse(code)))


def test_the_guard_catches_each_way_of_getting_a_time_wrong():
    """The rules fire on the mistakes they are for, and not on machine output."""
    assert _offences_in('f"since {when:%Y-%m-%d %H:%M} UTC"') == [
        "a time labelled UTC for a person",
        "a time written by hand with the format '%Y-%m-%d %H:%M'",
    ]
    assert _offences_in('when.strftime("%a %d %b %Y %H:%M %Z")') == [
        "strftime('%a %d %b %Y %H:%M %Z') writes a time by hand"
    ]
    assert _offences_in('f"{when:%d %b %Y} at {when:%H:%M}"') == [
        "a time written by hand with the format '%H:%M'"
    ]
    assert _offences_in('click.echo(f"queued {m.created_at.isoformat()}")') == [
        "an ISO time in a message"
    ]
    assert _offences_in("click.echo(row.at.isoformat())") == ["an ISO time echoed to a person"]
    # Machine output and parsing are left alone.
    assert _offences_in('echo_json({"at": row.at.isoformat()})') == []
    assert _offences_in('utc.strftime("%Y%m%dT%H%M%SZ")') == []
    assert _offences_in('dt.datetime.strptime(text, "%Y-%m-%dT%H:%M")') == []
    assert _offences_in('f"updated_at {stamp!r} has no UTC offset"') == []
