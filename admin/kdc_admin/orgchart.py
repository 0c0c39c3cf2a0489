"""The organisation chart as an SVG picture: a directorate, its services, managers and staff.

One directorate per picture keeps ~400 officers readable: the directorate sits on top, each
service is a column, and inside a column the officers hang under their managers as an
indented tree. Every piece of text is escaped. A search term marks matching officers
(class ``match``) and dims the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
from markupsafe import Markup, escape

from kdc_core.people.loops import reporting_loops
from kdc_core.people.values import Directorate, Officer, Service

COLUMN = 280
GAP = 24
ROW = 26
INDENT = 18
TOP = 20
BOX_H = 34
TOP_H = 52
SERVICE_Y = TOP + TOP_H + 40
TREE_Y = SERVICE_Y + BOX_H + 16
CHAR_W = 6.4  # average width of a 12px character, for clipping labels to their box
DEEPEST = 8  # levels indented; deeper ones line up here, so a box never leaves its column


@attrs.frozen
class Node:
    officer: Officer
    depth: int


def matches(officer: Officer, query: str) -> bool:
    """Case-insensitive match on name, job title, team or email."""
    q = query.strip().lower()
    if not q:
        return False
    fields = (officer.name, officer.job_title, officer.team, officer.email)
    return any(q in (f or "").lower() for f in fields)


def service_tree(officers: Sequence[Officer]) -> list[Node]:
    """Officers in manager order: each manager followed by their reports, depth-first.

    Roots are officers whose manager is outside the list (or none), senior people first
    (those with most reports), then by name. A loop in the data cannot hang the walk.
    """
    by_id = {o.id: o for o in officers}
    reports: dict[int | None, list[Officer]] = {}
    for o in officers:
        parent = o.manager_id if o.manager_id in by_id and o.manager_id != o.id else None
        reports.setdefault(parent, []).append(o)

    def order(group: Iterable[Officer]) -> list[Officer]:
        return sorted(group, key=lambda o: (-len(reports.get(o.id, [])), o.family_name, o.id or 0))

    out: list[Node] = []
    seen: set[int | None] = set()

    def walk(top: Officer) -> None:
        # depth first with an explicit stack: a chain thousands deep needs no recursion
        stack = [(top, 0)]
        while stack:
            officer, depth = stack.pop()
            if officer.id in seen:
                continue
            seen.add(officer.id)
            out.append(Node(officer, depth))
            below = [o for o in order(reports.get(officer.id, [])) if o.id not in seen]
            stack.extend((child, depth + 1) for child in reversed(below))

    for root in order(reports.get(None, [])):
        walk(root)
    for o in order(officers):  # anyone left over sits in a reporting loop
        walk(o)
    return out


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(officer: Officer) -> str:
    return f"{officer.name} — {officer.job_title}" if officer.job_title else officer.name


def render_chart(
    directorate: Directorate,
    services: Sequence[tuple[Service, Sequence[Officer]]],
    *,
    query: str = "",
    officer_url: str = "",
    leaders: Sequence[Officer] = (),
) -> Markup:
    """An ``<svg>`` element for one directorate.

    :param services: each service with its active officers.
    :param leaders: who the services' most senior officers report to (shown in the top box).
    :param query: officers matching it are highlighted, the others dimmed.
    :param officer_url: link prefix; an officer's node links to ``officer_url + str(id)``.
    """
    trees = [(service, service_tree(officers)) for service, officers in services]
    columns = max(len(trees), 1)
    width = columns * COLUMN + (columns - 1) * GAP + 2 * GAP
    tallest = max((len(nodes) for _, nodes in trees), default=0)
    height = TREE_Y + tallest * ROW + GAP
    searching = bool(query.strip())
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="orgchart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="Organisation chart: {escape(directorate.name)}">'
    ]
    top_w = min(width - 2 * GAP, 560)
    top_x = (width - top_w) // 2
    who = "; ".join(_label(o) for o in leaders)
    head = (
        f'<rect x="{top_x}" y="{TOP}" width="{top_w}" height="{TOP_H}" rx="4"/>'
        f'<text x="{width // 2}" y="{TOP + 21}" text-anchor="middle">'
        f"{escape(_clip(directorate.name, 60))}</text>"
        f'<text class="leader" x="{width // 2}" y="{TOP + 40}" text-anchor="middle">'
        f"{escape(_clip(who, int((top_w - 16) / CHAR_W)))}</text>"
        f"<title>{escape(directorate.name)}{escape(': ' + who) if who else ''}</title>"
    )
    if len(leaders) == 1:
        head = f'<a href="{escape(officer_url)}{leaders[0].id}">{head}</a>'
    parts.append(f'<g class="directorate">{head}</g>')
    if trees:
        bus_y = TOP + TOP_H + 20
        first_mid = GAP + COLUMN // 2
        last_mid = GAP + (len(trees) - 1) * (COLUMN + GAP) + COLUMN // 2
        parts.append(
            f'<path class="link" d="M{width // 2} {TOP + TOP_H} V{bus_y} '
            f'M{first_mid} {bus_y} H{last_mid}"/>'
        )
    for col, (service, nodes) in enumerate(trees):
        x = GAP + col * (COLUMN + GAP)
        mid = x + COLUMN // 2
        parts.append(
            f'<path class="link" d="M{mid} {TOP + TOP_H + 20} V{SERVICE_Y}"/>'
            f'<g class="service"><rect x="{x}" y="{SERVICE_Y}" width="{COLUMN}" '
            f'height="{BOX_H}" rx="4"/><text x="{mid}" y="{SERVICE_Y + 22}" '
            f'text-anchor="middle">{escape(_clip(service.name, 40))}</text>'
            f"<title>{escape(service.name)} ({len(nodes)} officers)</title></g>"
        )
        parts.extend(_column(nodes, x, query if searching else "", officer_url))
    parts.append("</svg>")
    return Markup("".join(parts))


def _column(nodes: Sequence[Node], x: int, query: str, officer_url: str) -> list[str]:
    parts: list[str] = []
    last_at_depth: list[int] = []  # the y of the last node drawn at each depth
    for i, node in enumerate(nodes):
        y = TREE_Y + i * ROW
        shown = min(node.depth, DEEPEST)  # deeper levels line up at the deepest indent
        nx = x + 6 + shown * INDENT
        if 0 < node.depth <= DEEPEST and node.depth - 1 < len(last_at_depth):
            parent_y = last_at_depth[node.depth - 1]
            px = nx - INDENT + 6
            parts.append(f'<path class="link" d="M{px} {parent_y + 18} V{y + 11} H{nx}"/>')
        del last_at_depth[node.depth :]
        last_at_depth.extend([y] * (node.depth + 1 - len(last_at_depth)))
        officer = node.officer
        css = "officer"
        if query:
            css += " match" if matches(officer, query) else " dim"
        if node.depth == 0 or any(n.depth > node.depth for n in nodes[i + 1 : i + 2]):
            css += " manager"
        label = _label(officer)
        room = int((x + COLUMN - nx - 12) / CHAR_W)
        parts.append(
            f'<a href="{escape(officer_url)}{officer.id}" class="{css}" '
            f'id="officer-{officer.id}"><rect x="{nx}" y="{y}" width="{x + COLUMN - nx}" '
            f'height="{ROW - 4}" rx="3"/><text x="{nx + 6}" y="{y + 15}">'
            f"{escape(_clip(label, max(room, 12)))}</text>"
            f"<title>{escape(label)}{escape(' · ' + officer.email) if officer.email else ''}"
            "</title></a>"
        )
    return parts


LEADERSHIP = Directorate(id=None, name="Council leadership", slug="leadership")


@attrs.frozen
class ChartPage:
    """What the organisation chart page shows for one request."""

    choices: tuple[Directorate, ...]
    chosen: Directorate | None
    columns: tuple[tuple[Service, tuple[Officer, ...]], ...]
    leaders: tuple[Officer, ...]
    hits: tuple[tuple[Officer, str], ...]  # each match with the slug of its chart
    hit_counts: dict[str, int]
    #: Loops in the manager links (bad directory data), each as its officers in link order.
    loops: tuple[tuple[Officer, ...], ...] = ()


def chart_page(
    directorates: Sequence[Directorate],
    services: Sequence[Service],
    officers: Sequence[Officer],
    *,
    wanted: str = "",
    query: str = "",
) -> ChartPage:
    """Pick the directorate to draw and gather its columns.

    The directorate asked for is drawn unless a search found nobody there; then the first
    with a match; else the first. Officers with no service (the chief executive and the
    strategic directors) form a "Council leadership" chart, one column per team.
    """
    by_service: dict[int | None, list[Officer]] = {}
    for o in officers:
        by_service.setdefault(o.service.id if o.service else None, []).append(o)
    unplaced = by_service.pop(None, [])
    choices = tuple(directorates) + ((LEADERSHIP,) if unplaced else ())

    def home(o: Officer) -> str:
        if o.service is None:
            return LEADERSHIP.slug
        return o.service.directorate.slug if o.service.directorate else ""

    hits = tuple((o, home(o)) for o in officers if matches(o, query)) if query else ()
    hit_counts: dict[str, int] = {}
    for _, slug in hits:
        hit_counts[slug] = hit_counts.get(slug, 0) + 1
    chosen = next((d for d in choices if d.slug == wanted), None)
    if chosen is not None and hit_counts and chosen.slug not in hit_counts:
        chosen = None  # the search found people elsewhere: go to them
    if chosen is None and hit_counts:
        chosen = next((d for d in choices if d.slug in hit_counts), None)
    if chosen is None and choices:
        chosen = choices[0]
    columns: list[tuple[Service, tuple[Officer, ...]]] = []
    if chosen is LEADERSHIP:
        teams: dict[str, list[Officer]] = {}
        for o in unplaced:
            teams.setdefault(o.team or "Leadership", []).append(o)
        columns = [
            (Service(id=None, name=team, slug=team.lower(), directorate=LEADERSHIP), tuple(group))
            for team, group in sorted(teams.items())
        ]
    elif chosen is not None:
        columns = [
            (s, tuple(by_service.get(s.id, [])))
            for s in services
            if s.directorate is not None and s.directorate.id == chosen.id
        ]
    inside = {o.id for _, group in columns for o in group}
    by_id = {o.id: o for o in officers}
    leaders = {
        by_id[o.manager_id]
        for _, group in columns
        for o in group
        if o.manager_id is not None and o.manager_id not in inside and o.manager_id in by_id
    }
    managers = {o.id: o.manager_id for o in officers if o.id is not None}
    loops = tuple(tuple(by_id[i] for i in loop) for loop in reporting_loops(managers))
    return ChartPage(
        loops=loops,
        choices=choices,
        chosen=chosen,
        columns=tuple(columns),
        leaders=tuple(sorted(leaders, key=lambda o: (o.family_name, o.given_name))),
        hits=hits,
        hit_counts=hit_counts,
    )
