"""Build a month's issues: collect each ward's sections once, then personalise per councillor."""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Sequence
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from kdc_core.config import Settings
from kdc_core.db.base import utcnow
from kdc_core.db.newsletters import NewsletterIssueRow, issue_key
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.people import WardRow
from kdc_core.mail import outbox
from kdc_core.mail.topics import recipients_by_ward
from kdc_core.mail.values import Recipient
from kdc_core.newsletter.render import (
    RenderedSection,
    render_bodies,
    render_frame,
    render_section,
)
from kdc_core.newsletter.unsubscribe import signing_key, unsubscribe_url
from kdc_core.newsletter.values import (
    BuiltIssue,
    FilledSection,
    Month,
    Section,
    SectionItem,
    WardMonth,
)
from kdc_core.people.lookup import resolve_ward
from kdc_core.registry import Registry
from kdc_core.unit_of_work import UnitOfWork


def sender_address(uow: UnitOfWork) -> str:
    """The From header: ``[mail]``'s sender (and name), as the outbox sends it; issues built
    to files without a sender configured say ``newsletter@kdc.invalid``."""
    if not uow.settings.mail.sender:
        return email.utils.formataddr((uow.settings.council_name, "newsletter@kdc.invalid"))
    return outbox.sender(uow.settings)


def wards(uow: UnitOfWork, ward: str | None) -> list[tuple[int, str]]:
    """Every ward's (id, name), or only ``ward``'s (a name, slug or id).

    :raises NotFound: no such ward (with the closest names).
    """
    if ward is not None:
        row = resolve_ward(uow.session, ward)
        return [(row.id, row.name)]
    query = select(WardRow.id, WardRow.name).order_by(WardRow.name)
    return [(i, n) for i, n in uow.session.execute(query)]


class IssueMaker:
    """Renders a month's issues: :meth:`ward` once per ward, then one issue per reader."""

    def __init__(self, settings: Settings, sender: str, month: Month) -> None:
        self.settings = settings
        self.key = signing_key(settings)
        self.sender = sender
        self.month = month
        # Asked for by every issue: worked out once.
        self.month_text, self.month_label = str(month), month.label
        #: The Date of every message of the build.
        self.date = email.utils.formatdate(localtime=False)

    def ward(self, ward_id: int, ward_name: str, filled: Sequence[FilledSection]) -> WardIssues:
        """The issues of one ward, whose sections are ``filled``."""
        return WardIssues(self, ward_id, ward_name, tuple(filled))


class WardIssues:
    """One ward's month: what is the same for each of its councillors, made once."""

    def __init__(
        self, maker: IssueMaker, ward_id: int, ward_name: str, filled: tuple[FilledSection, ...]
    ) -> None:
        self.maker = maker
        self.ward_id = ward_id
        self.ward_name = ward_name
        self.filled = filled
        self.subject = f"{ward_name} ward newsletter — {maker.month_label}"
        self.frame = render_frame(
            ward=ward_name,
            month_label=maker.month_label,
            council=maker.settings.council_name,
            subject=self.subject,
        )
        self._by_topics: dict[frozenset[str], tuple[RenderedSection, ...]] = {}
        self._rendered: dict[tuple[int, tuple[SectionItem, ...]], RenderedSection] = {}

    def sections(self, topics: frozenset[str]) -> tuple[RenderedSection, ...]:
        """The sections a reader of ``topics`` gets, with only the entries of those topics;
        sections left empty are dropped. Worked out once for each set of topics, and each
        section rendered once for each way its entries are filtered."""
        found = self._by_topics.get(topics)
        if found is not None:
            return found
        out = []
        for n, section in enumerate(self.filled):
            if section.topic not in topics:
                continue
            items = tuple(i for i in section.items if (i.topic or section.topic) in topics)
            if not items:
                continue
            rendered = self._rendered.get((n, items))
            if rendered is None:
                rendered = render_section(section.title, section.topic, items)
                self._rendered[(n, items)] = rendered
            out.append(rendered)
        found = self._by_topics[topics] = tuple(out)
        return found

    def issue(self, person: Recipient) -> BuiltIssue:
        """``person``'s issue: only the sections and entries of topics they receive."""
        maker, settings, month = self.maker, self.maker.settings, self.maker.month_text
        ward_id, ward_name, subject = self.ward_id, self.ward_name, self.subject
        sections = self.sections(person.topics)
        # A signed link for each topic the issue shows a "stop" link for, and the
        # newsletter's own: signing all ten topics for every issue is wasted work.
        shown = {"newsletter", *(s.topic for s in sections)}
        urls = {t: unsubscribe_url(settings, maker.key, person.councillor_id, t) for t in shown}
        html, text = render_bodies(
            self.frame,
            sections,
            recipient=person.name,
            stop_urls=urls,
            unsubscribe_url=urls["newsletter"],
        )
        return BuiltIssue(
            ward_id,
            ward_name,
            month,
            person,
            subject,
            html,
            text,
            urls["newsletter"],
            maker.sender,
            email.utils.formataddr((person.name, person.email or "")),
            outbox.message_id(settings, issue_key(ward_id, month, person.councillor_id)),
            maker.date,
        )


def build_month(
    uow: UnitOfWork,
    registry: Registry[Section],
    month: Month,
    ward: str | None = None,
    store: bool = True,
    each: Callable[[Sequence[BuiltIssue]], None] | None = None,
) -> list[BuiltIssue]:
    """Build (and by default store, replacing unsent ones) every issue of ``month``.

    Councillors who turned the ``newsletter`` topic off get no issue. ``each`` is given
    each ward's issues as soon as they are made, in the order they are returned in.
    """
    settings = uow.settings
    sender = sender_address(uow)
    ordered = sorted(registry.values(), key=lambda s: (s.order, s.name))
    the_wards = wards(uow, ward)
    people = recipients_by_ward(uow, [i for i, _ in the_wards])
    readers = {w: [r for r in people[w] if "newsletter" in r.topics] for w, _ in the_wards}
    wms = [
        WardMonth(ward_id, ward_name, month, settings.timezone)
        for ward_id, ward_name in the_wards
        if readers[ward_id]
    ]
    # Each section once for every ward with a reader, not once per ward.
    collected = [(s, s.collect_many(uow, wms)) for s in ordered]
    maker = IssueMaker(settings, sender, month)
    built: list[BuiltIssue] = []
    for wm in wms:
        filled = [
            FilledSection(s.name, s.title, s.topic, found[wm.ward_id]) for s, found in collected
        ]
        ward_issues = maker.ward(wm.ward_id, wm.ward_name, filled)
        issues = [ward_issues.issue(person) for person in readers[wm.ward_id]]
        if each is not None:
            each(issues)
        built.extend(issues)
    if store and built:
        _store(uow, month, built)
    return built


def queued_keys(uow: UnitOfWork, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are in the outbox, whatever their state."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(
            uow.session.scalars(
                select(OutboxMessageRow.key).where(
                    OutboxMessageRow.key.in_(keys[start : start + 500])
                )
            )
        )
    return found


def _store(uow: UnitOfWork, month: Month, built: Sequence[BuiltIssue]) -> None:
    """Keep the archive: an issue already queued stays as it was queued; the others are
    replaced (an upsert, so two runs at once both succeed), and issues of councillors who
    no longer get one are dropped unless queued."""
    ward_ids = sorted({b.ward_id for b in built})
    stored = [
        (w, c)
        for w, c in uow.session.execute(
            select(NewsletterIssueRow.ward_id, NewsletterIssueRow.councillor_id).where(
                NewsletterIssueRow.month == str(month),
                NewsletterIssueRow.ward_id.in_(ward_ids),
            )
        )
    ]
    wanted = {(b.ward_id, b.recipient.councillor_id) for b in built}
    keys = {issue_key(w, str(month), c): (w, c) for w, c in wanted | set(stored)}
    queued = {keys[k] for k in queued_keys(uow, list(keys))}
    stale = [wc for wc in stored if wc not in wanted and wc not in queued]
    for ward_id, councillor_id in stale:
        uow.session.execute(
            delete(NewsletterIssueRow).where(
                NewsletterIssueRow.month == str(month),
                NewsletterIssueRow.ward_id == ward_id,
                NewsletterIssueRow.councillor_id == councillor_id,
            )
        )
    now = utcnow()
    rows = [
        {
            "ward_id": b.ward_id,
            "month": b.month,
            "councillor_id": b.recipient.councillor_id,
            "subject": b.subject,
            "html": b.html,
            "text": b.text,
            "built_at": now,
        }
        for b in built
        if (b.ward_id, b.recipient.councillor_id) not in queued
    ]
    if not rows:
        return
    table = cast(Table, NewsletterIssueRow.__table__)
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["ward_id", "month", "councillor_id"],
        set_={c: stmt.excluded[c] for c in ("subject", "html", "text", "built_at")},
    )
    uow.session.execute(stmt, rows)
