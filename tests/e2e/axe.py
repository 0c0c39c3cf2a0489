"""axe-core in headless Chromium: check a page, and crawl a site page by page.

The crawl is breadth first over same-origin ``<a href>`` links, GET only. Each page is loaded
once and checked at every width asked for, the window resized between checks (as a phone turned
on its side would be), so a second width costs a second axe run, not a second crawl. Each URL is
reduced to
its *page kind* — the Flask URL rule it matches (``/admin/ward-pages/<slug>``), the query string
dropped — and at most ``per_kind`` URLs of a kind are checked, so a demo council with hundreds of
people costs a few dozen pages. Pages that change data, feeds, exports and static files are never
opened.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: Paths the crawl never opens: they sign out, download, or serve files rather than pages.
SKIP = re.compile(
    r"(/sign-out|/logout|\.ics$|/export/|^/kdc-static/|^/static/|^/admin/static/|^/site-static/"
    r"|^/feeds/|/ajax/|/delete/|\.(css|js|mjs|png|svg|ico|csv|json|pdf|txt|woff2?)$)"
)

RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 4).map(n => n.target.join(' ')),
    count: v.nodes.length,
  }));
}
"""

#: What the council asks of every page beyond axe's WCAG rules (axe files these under "best
#: practice"): one h1, one main landmark, a skip link to it first in the tab order, and no
#: sideways scrolling of the whole page (WCAG 1.4.10 reflow, checked at 320px).
STRUCTURE = """
() => {
  const found = [];
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) found.push(['kdc-one-h1', `${h1s.length} h1 elements`, 'h1']);
  const mains = document.querySelectorAll('main, [role=main]');
  if (mains.length !== 1) found.push(['kdc-one-main', `${mains.length} main landmarks`, 'main']);
  if (!document.documentElement.lang) found.push(['kdc-lang', 'no lang on html', 'html']);
  const first = document.querySelector(
    'a[href], button, input:not([type=hidden]), select, textarea');
  const href = first && first.matches('a[href^="#"]') ? first.getAttribute('href') : null;
  const skip = href && href.length > 1 ? document.querySelector(href) : null;
  if (!skip || !(skip.matches('main, [role=main]') || skip.closest('main'))) {
    found.push(['kdc-skip-link', 'the first thing to focus is not a skip link to the main content',
      first ? describe(first) : 'nothing to focus']);
  }
  const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (overflow > 1) {
    const edge = document.documentElement.clientWidth + 1;
    const sticksOut = el => el.getBoundingClientRect().right > edge;
    // The outermost elements that stick out: their parent fits, so they are the cause.
    const wide = [...document.querySelectorAll('body *')].filter(el => sticksOut(el)
      && !(el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement))
      && !(el.parentElement && el.parentElement.closest('.kdc-scroll, [role=region]')));
    found.push(['kdc-reflow', `the page scrolls sideways by ${overflow}px`,
      ...wide.slice(0, 4).map(describe)]);
  }
  return found;
}
"""


@dataclass(frozen=True)
class Violation:
    url: str
    width: int
    rule: str
    impact: str | None
    help: str
    targets: tuple[str, ...]
    count: int

    def __str__(self) -> str:
        where = "; ".join(self.targets)
        return (
            f"{self.url} at {self.width}px\n"
            f"  {self.rule} ({self.impact}): {self.help} — {self.count}× e.g. {where}"
        )


@dataclass
class Crawl:
    """What a crawl saw: the kinds of page and the URLs checked, violations, time taken."""

    name: str
    widths: tuple[int, ...]
    kinds: dict[str, list[str]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def px(self) -> str:
        return " and ".join(f"{width}px" for width in self.widths)

    def tick(self, step: str, since: float) -> None:
        """Add the time since ``since`` to ``step``'s total."""
        self.timings[step] = self.timings.get(step, 0.0) + time.monotonic() - since

    def summary(self) -> str:
        pages = sum(len(urls) for urls in self.kinds.values())
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.timings.items())
        return (
            f"{self.name} at {self.px}: {len(self.kinds)} page kinds, {pages} pages, "
            f"{self.seconds:.1f} s ({steps})"
        )

    def report(self) -> str:
        lines = [f"{len(self.violations)} axe violation(s) in the {self.name} crawl at {self.px}:"]
        lines += [str(v) for v in self.violations]
        lines += self.failures
        return "\n".join(lines)


def axe_check(page, axe_source: str) -> list[Violation]:
    """Inject axe-core into ``page`` (its context needs ``bypass_csp=True``) unless it is there
    already, and run the WCAG 2.x A and AA rules, then the :data:`STRUCTURE` checks, at the
    page's current width; the violations found."""
    width = page.viewport_size["width"]
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate(RUN_AXE, TAGS)
    own = [
        Violation(
            url=page.url,
            width=width,
            rule=rule,
            impact="serious",
            help=text,
            targets=tuple(where),
            count=1,
        )
        for rule, text, *where in page.evaluate(STRUCTURE)
    ]
    return own + [
        Violation(
            url=page.url,
            width=width,
            rule=v["id"],
            impact=v["impact"],
            help=v["help"],
            targets=tuple(v["targets"]),
            count=v["count"],
        )
        for v in found
    ]


def page_kind(url_map: Map, path: str) -> str:
    """The URL rule ``path`` matches (``/admin/councillor/edit/``, ``/wards/<slug>``), or the
    path itself when no rule does."""
    adapter = url_map.bind("localhost")
    try:
        rule, _args = adapter.match(path, method="GET", return_rule=True)
    except HTTPException:
        return path
    return str(rule.rule)


def kind_slug(kind: str) -> str:
    """A file-name-safe form of a page kind, for screenshots."""
    slug = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")
    return slug or "start"


#: The most of a page a screenshot shows, in CSS pixels.
SHOT_HEIGHT = 3600


def crawl(
    page,
    *,
    name: str,
    viewports: Sequence[tuple[int, int]],
    start: Iterable[str],
    url_map: Map,
    axe_source: str,
    shots: Path,
    per_kind: int = 2,
    max_pages: int = 150,
    follow: Callable[[str], bool] = lambda path: True,
) -> Crawl:
    """Check every page kind reachable from ``start`` (absolute URLs on one origin) at each of
    ``viewports`` (width, height).

    :param follow: a further filter on paths (for instance, stay inside ``/admin/``).
    :returns: the kinds visited with their URLs, and every violation found.
    """
    began = time.monotonic()
    result = Crawl(name=name, widths=tuple(width for width, _height in viewports))
    origin = None
    queued: dict[str, int] = {}
    seen: set[str] = set()
    checked: set[str] = set()
    todo: deque[str] = deque()

    def enqueue(url: str) -> None:
        url = urldefrag(url)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or (origin and parts.netloc != origin):
            return
        path = parts.path or "/"
        if url in seen or SKIP.search(path) or not follow(path):
            return
        kind = page_kind(url_map, path)
        if queued.get(kind, 0) >= per_kind:
            return
        queued[kind] = queued.get(kind, 0) + 1
        seen.add(url)
        todo.append(url)

    for url in start:
        origin = origin or urlsplit(url).netloc
        enqueue(url)
    opened = 0
    while todo and opened < max_pages:
        url = todo.popleft()
        clock = time.monotonic()
        response = page.goto(url)
        opened += 1
        result.tick("load", clock)
        if response is not None and response.status >= 500:
            result.failures.append(f"{url}: HTTP {response.status}")
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if page.url in checked:  # a redirect to a page already checked
            continue
        checked.add(page.url)
        path = urlsplit(page.url).path or "/"
        kind = page_kind(url_map, path)
        urls = result.kinds.setdefault(kind, [])
        urls.append(page.url)
        # Start at the width the page was loaded at; resize for the others.
        current = page.viewport_size["width"]
        ordered = sorted(viewports, key=lambda viewport: viewport[0] != current)
        for width, height in ordered:
            if page.viewport_size["width"] != width:
                page.set_viewport_size({"width": width, "height": height})
            clock = time.monotonic()
            result.violations += axe_check(page, axe_source)
            result.tick("axe", clock)
            if len(urls) == 1:
                clock = time.monotonic()
                shots.mkdir(parents=True, exist_ok=True)
                target = shots / f"{name}-{kind_slug(kind)}-{width}.jpeg"
                # The whole page, up to a few screens: a list of a hundred councillors costs
                # more to encode than the rest of the crawl of its page.
                tall = page.evaluate("document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": width, "height": min(tall, SHOT_HEIGHT)}
                page.screenshot(path=str(target), full_page=True, clip=clip, quality=70)
                result.tick("screenshot", clock)
        links = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)")
        for link in links:
            enqueue(link)
    result.seconds = time.monotonic() - began
    return result
