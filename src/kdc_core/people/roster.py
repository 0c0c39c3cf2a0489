"""Keeping the councillor roster in step with an outside source (ModernGov, a spreadsheet …).

:func:`sync_councillors` is source-neutral: a plugin reads its format into
:class:`~kdc_core.people.values.CouncillorRecord` values and hands them over. Councillors are
matched by the source's own id (``scheme`` + ``external_id``), never by name, so a renamed
councillor stays the same person. Only fields that differ are written, so syncing the same
records twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kdc_core.changes import ChangeSet
from kdc_core.db.base import utcnow
from kdc_core.db.people import (
    CouncillorExternalIdRow,
    CouncillorRow,
    PoliticalGroupRow,
    TermOfOfficeRow,
    WardRow,
)
from kdc_core.errors import ImportFailed
from kdc_core.people.roster_history import key_post_source, sync_group, sync_key_post_roles
from kdc_core.people.values import CouncillorRecord, TermOfOffice, slugify
from kdc_core.unit_of_work import UnitOfWork

#: The councillor fields a record sets directly (bio and the roles entered here are left
#: alone; surgery details only change when the record has some).
_SCALAR_FIELDS = ("name", "email", "phone", "mobile", "photo_url", "address")
_SIZED_FIELDS = ("name", "email", "phone", "mobile", "photo_url")


def _length(column: Any) -> int:
    length: int = column.type.length
    return length


#: Record field → the most characters its column holds, so an overlong value is refused by
#: name before the database refuses it (PostgreSQL) or silently keeps it (SQLite).
_LIMITS: dict[str, int] = {
    **{field: _length(CouncillorRow.__table__.c[field]) for field in _SIZED_FIELDS},
    "external_id": _length(CouncillorExternalIdRow.__table__.c.value),
    "ward_name": _length(WardRow.__table__.c.name),
    "group_name": _length(PoliticalGroupRow.__table__.c.name),
}


class CouncillorRecords(list[CouncillorRecord]):
    """Records read from a source, with what the reader has to say about them.

    :ivar warnings: one line per record or detail left out or taken as it is; ``kdc import``
        prints them, lists them in ``--json`` and logs them.
    :ivar force: apply even if :class:`ArchiveGuard` objects (``--force``).
    """

    def __init__(
        self,
        records: Iterable[CouncillorRecord] = (),
        *,
        warnings: Iterable[str] = (),
        force: bool = False,
    ) -> None:
        super().__init__(records)
        self.warnings = tuple(warnings)
        self.force = force


class ArchiveRefused(ImportFailed):
    """The mass-archive guard stopped a sync; nothing was written."""


@attrs.frozen
class ArchiveGuard:
    """How many councillors one sync may archive before it is refused (unless forced).

    :ivar max_share: the largest share of the active councillors holding an id in the scheme
        that may be archived (0.10 = 10%).
    :ivar setting: the setting that holds ``max_share``, named in the refusal.
    """

    max_share: float
    setting: str

    def check(
        self, *, leaving: Sequence[CouncillorRow], active: int, emptied: Sequence[str]
    ) -> None:
        """Refuse when more than ``max_share`` of ``active`` would be archived, or when every
        councillor of more than one ward would go (``emptied``: those wards' names).

        :raises ArchiveRefused: with the numbers.
        """
        share = len(leaving) / active if active else 0.0
        too_many = share > self.max_share
        if not too_many and len(emptied) <= 1:
            return
        reasons = []
        if too_many:
            reasons.append(f"more than the {self.max_share:.0%} allowed by {self.setting}")
        if len(emptied) > 1:
            shown = ", ".join(emptied[:5]) + (
                f" and {len(emptied) - 5} more" if len(emptied) > 5 else ""
            )
            reasons.append(f"every councillor of {len(emptied)} wards ({shown})")
        raise ArchiveRefused(
            f"this import would archive {len(leaving)} of {active} active councillors "
            f"({share:.0%}): {'; and '.join(reasons)}. Nothing was changed; check the source, "
            "or run again with --force to apply it."
        )


def describe(record: CouncillorRecord) -> str:
    """How error messages name a record: its own ``where``, else the scheme and id."""
    return record.where or f"{record.scheme} id {record.external_id!r} ({record.name})"


def check_records(
    records: Iterable[CouncillorRecord], *, scheme: str, source: str | None = None
) -> None:
    """Refuse records that cannot be synced as a set, before anything is written.

    :raises ImportFailed: a record from another scheme, one without an id, name or ward, or
        two records with the same id (naming both).
    """
    seen: dict[str, CouncillorRecord] = {}
    for record in records:
        if record.scheme != scheme:
            raise ImportFailed(
                f"record is for scheme {record.scheme!r}, not {scheme!r}",
                source=source,
                record=describe(record),
            )
        for field in ("external_id", "name", "ward_name"):
            if not getattr(record, field).strip():
                raise ImportFailed(f"{field} is empty", source=source, record=describe(record))
        for field, limit in _LIMITS.items():
            value = getattr(record, field)
            if value is not None and len(value) > limit:
                raise ImportFailed(
                    f"{field} is {len(value)} characters long; at most {limit} fit",
                    source=source,
                    record=describe(record),
                )
        first = seen.setdefault(record.external_id, record)
        if first is not record:
            raise ImportFailed(
                f"{scheme} id {record.external_id!r} appears twice: "
                f"{describe(first)} and {describe(record)}",
                source=source,
            )


def sync_councillors(
    uow: UnitOfWork,
    records: Sequence[CouncillorRecord],
    *,
    scheme: str,
    guard: ArchiveGuard | None = None,
) -> ChangeSet:
    """Make the councillors holding an id in ``scheme`` match ``records``.

    - a record whose id is new adds a councillor (and its ward and political group, by
      name, when they do not exist yet);
    - a known id updates only the fields that differ; key posts and terms of office are
      replaced only when they differ as a whole; surgery details only when the record has
      some; bio and the roles entered here are never touched;
    - key posts are kept as roles too, dated by the syncs that saw them come and go, and a
      change of political group keeps the earlier membership with dates (see
      :mod:`kdc_core.people.roster_history`);
    - an archived councillor who is back in the records is reactivated;
    - an active councillor with an id in ``scheme`` who is missing from the records is
      archived (never deleted). An empty ``records`` therefore archives them all: callers
      that read a source should refuse an empty one;
    - with a ``guard``, a sync that would archive too many councillors is refused before
      anything is written, unless ``records`` says ``force`` (see :class:`CouncillorRecords`).

    Runs a fixed number of queries however many records there are; writes happen at the
    next flush.

    :returns: the changes this unit of work has made so far.
    :raises ImportFailed: see :func:`check_records`.
    :raises ArchiveRefused: the guard objected; nothing was written.
    """
    check_records(records, scheme=scheme)
    session = uow.session

    wards: dict[str, WardRow] = {}
    for ward_row in session.scalars(select(WardRow)):
        wards[slugify(ward_row.name)] = ward_row
        wards.setdefault(ward_row.slug, ward_row)
    groups = {g.name.casefold(): g for g in session.scalars(select(PoliticalGroupRow))}
    known: dict[str, CouncillorRow] = {
        x.value: x.councillor
        for x in session.scalars(
            select(CouncillorExternalIdRow)
            .where(CouncillorExternalIdRow.scheme == scheme)
            .options(
                selectinload(CouncillorExternalIdRow.councillor).selectinload(CouncillorRow.terms),
                selectinload(CouncillorExternalIdRow.councillor).selectinload(CouncillorRow.roles),
                selectinload(CouncillorExternalIdRow.councillor).selectinload(
                    CouncillorRow.group_history
                ),
            )
        )
    }

    def ward_for(name: str) -> WardRow:
        name = " ".join(name.split())
        slug = slugify(name)
        if slug not in wards:
            wards[slug] = WardRow(name=name, slug=slug)
            session.add(wards[slug])
        return wards[slug]

    def group_for(name: str | None) -> PoliticalGroupRow | None:
        if not name or not name.strip():
            return None
        name = " ".join(name.split())
        if name.casefold() not in groups:
            groups[name.casefold()] = PoliticalGroupRow(name=name)
            session.add(groups[name.casefold()])
        return groups[name.casefold()]

    present = {record.external_id for record in records}
    leaving = [row for key, row in known.items() if key not in present and row.archived_at is None]
    if guard is not None and leaving and not getattr(records, "force", False):
        guard.check(
            leaving=leaving,
            active=sum(1 for row in known.values() if row.archived_at is None),
            emptied=_emptied_wards(known.values(), leaving, records, wards),
        )

    today = dt.datetime.now(uow.settings.tz).date()
    roles_source = key_post_source(scheme)
    for record in records:
        ward = ward_for(record.ward_name)
        group = group_for(record.group_name)
        row = known.get(record.external_id)
        if row is None:
            row = _new_councillor(record, scheme, ward, group)
            sync_group(row, group, today=today, new=True)
            sync_key_post_roles(row, record.key_posts, source=roles_source, today=today)
            session.add(row)
            continue
        sync_group(row, group, today=today, new=False)
        sync_key_post_roles(row, record.key_posts, source=roles_source, today=today)
        _update_councillor(row, record, ward, group)

    now = utcnow()
    for row in leaving:
        row.archived_at = now
    return uow.collect()


def _emptied_wards(
    known: Iterable[CouncillorRow],
    leaving: Sequence[CouncillorRow],
    records: Sequence[CouncillorRecord],
    wards: dict[str, WardRow],
) -> list[str]:
    """Names of the wards whose every active councillor (of the scheme) would be archived
    and that the records give no one to."""
    going = set(leaving)
    staying = {row.ward_id for row in known if row.archived_at is None and row not in going}
    covered = {wards[slugify(r.ward_name)].id for r in records if slugify(r.ward_name) in wards}
    gone = {row.ward_id for row in leaving} - staying - covered - {None}
    names = {w.id: w.name for w in wards.values()}
    return sorted(names[ward_id] for ward_id in gone if ward_id in names)


def _key_posts(record: CouncillorRecord) -> str | None:
    posts = [" ".join(p.split()) for p in record.key_posts if p.strip()]
    return "\n".join(posts) or None


def _ordered(terms: Iterable[TermOfOffice]) -> list[TermOfOffice]:
    return sorted(set(terms), key=lambda t: (t.start, t.end is None, t.end))


def _new_councillor(
    record: CouncillorRecord,
    scheme: str,
    ward: WardRow,
    group: PoliticalGroupRow | None,
) -> CouncillorRow:
    row = CouncillorRow(
        ward=ward,
        group=group,
        key_posts=_key_posts(record),
        surgery=record.surgery,
        terms=[TermOfOfficeRow(start=t.start, end=t.end) for t in _ordered(record.terms)],
        external_ids=[CouncillorExternalIdRow(scheme=scheme, value=record.external_id)],
    )
    for field in _SCALAR_FIELDS:
        setattr(row, field, getattr(record, field))
    return row


def _update_councillor(
    row: CouncillorRow,
    record: CouncillorRecord,
    ward: WardRow,
    group: PoliticalGroupRow | None,
) -> None:
    for field in _SCALAR_FIELDS:
        value = getattr(record, field)
        if getattr(row, field) != value:
            setattr(row, field, value)
    # Compare by id where the row exists already: a loaded many-to-one is in the identity
    # map, but reading row.ward would still cost a query for each unloaded one.
    if ward.id is None or row.ward_id != ward.id:
        row.ward = ward
    group_id = group.id if group is not None else None
    if (group is not None and group.id is None) or row.group_id != group_id:
        row.group = group
    key_posts = _key_posts(record)
    if row.key_posts != key_posts:
        row.key_posts = key_posts
    if record.surgery is not None and row.surgery != record.surgery:
        row.surgery = record.surgery
    wanted = _ordered(record.terms)
    have = [TermOfOffice(start=t.start, end=t.end) for t in row.terms]
    if len(have) != len(wanted) or _ordered(have) != wanted:
        row.terms = [TermOfOfficeRow(start=t.start, end=t.end) for t in wanted]
    if row.archived_at is not None:
        row.archived_at = None
