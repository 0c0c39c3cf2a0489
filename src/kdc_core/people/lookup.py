"""Finding a councillor, officer, ward or service from what a person typed: a name or an id.

Every command, form and import that takes a person or a place goes through these four
functions, so they all answer alike:

- an id (digits) finds that row, and an unknown id is a :class:`NotKnown` error, never a
  traceback;
- a name matches in any case (a councillor's with or without "Councillor"/"Cllr"; an
  officer's as "Given Family" or their directory person id; a ward's or service's slug too);
- a near miss is refused with the closest names ("did you mean 'Dalton'?");
- a name several rows share is refused with each candidate's id, so the caller can choose.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow, WardRow
from kdc_core.errors import NotFound
from kdc_core.slug import slugify

Place = TypeVar("Place", WardRow, ServiceRow)


class NotKnown(NotFound):
    """Nothing (or more than one thing) answers to the name or id given; the message says
    which names come close, or which ids share the name."""

    def __init__(self, message: str, candidates: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


def closest(key: str, names: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` of ``names`` closest to ``key`` (any case), best first."""
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.lower(), name)
    found = difflib.get_close_matches(key.strip().lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[f] for f in found]


def did_you_mean(key: str, names: Iterable[str]) -> str:
    """``"; did you mean 'A' or 'B'?"`` for the closest names, or ``""`` when none is close."""
    close = closest(key, names)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _id(key: str) -> int | None:
    return int(key) if key.isdigit() and len(key) < 10 else None


Row = TypeVar("Row", CouncillorRow, OfficerRow, WardRow, ServiceRow)


def _by_id(session: Session, model: type[Row], what: str, number: int) -> Row:
    row = session.get(model, number)
    if row is None:
        raise NotKnown(f"no {what} with id {number}")
    return row


def _bare(name: str) -> str:
    key = name.strip().lower()
    for prefix in ("councillor ", "cllr ", "cllr. "):
        key = key.removeprefix(prefix)
    return key.strip()


def resolve_councillor(session: Session, text: str) -> CouncillorRow:
    """A councillor by id or by name (any case, with or without "Councillor"/"Cllr").

    A current councillor is preferred to a former one of the same name.

    :raises NotKnown: unknown id, no such name (with the closest names), or a shared name
        (with each one's id and ward).
    """
    key = text.strip()
    if not key:
        raise NotKnown("no councillor given")
    number = _id(key)
    if number is not None:
        return _by_id(session, CouncillorRow, "councillor", number)
    rows = session.scalars(
        select(CouncillorRow)
        .where(func.lower(CouncillorRow.name) == _bare(key))
        .order_by(CouncillorRow.id)
    ).all()
    current = [r for r in rows if r.archived_at is None] or list(rows)
    if len(current) == 1:
        return current[0]
    if current:
        ids = [f"{r.id} ({r.ward.name if r.ward else 'no ward'})" for r in current]
        raise NotKnown(
            f"{len(current)} councillors are called {text!r}; use the id: {', '.join(ids)}", ids
        )
    names = session.scalars(
        select(CouncillorRow.name).where(CouncillorRow.archived_at.is_(None))
    ).all()
    raise NotKnown(f"no councillor called {text!r}{did_you_mean(_bare(key), names)}")


def resolve_officer(session: Session, text: str) -> OfficerRow:
    """An officer by directory person id, "Given Family" name (any case) or id.

    Archived officers are found too (the caller decides whether a leaver will do).

    :raises NotKnown: as :func:`resolve_councillor` (a shared name lists person ids).
    """
    key = text.strip()
    if not key:
        raise NotKnown("no officer given")
    full = func.lower(OfficerRow.given_name + " " + OfficerRow.family_name)
    rows = session.scalars(
        select(OfficerRow)
        .where((OfficerRow.person_id == key) | (full == " ".join(key.lower().split())))
        .order_by(OfficerRow.id)
    ).all()
    exact = [r for r in rows if r.person_id == key]
    if exact:
        return exact[0]
    current = [r for r in rows if r.archived_at is None] or list(rows)
    if len(current) == 1:
        return current[0]
    if current:
        ids = [f"{r.person_id} ({r.service.name if r.service else 'no service'})" for r in current]
        raise NotKnown(
            f"{len(current)} officers are called {text!r}; use the person id: {', '.join(ids)}",
            ids,
        )
    number = _id(key)
    if number is not None:
        return _by_id(session, OfficerRow, "officer", number)
    names = session.scalars(
        select(OfficerRow.given_name + " " + OfficerRow.family_name).where(
            OfficerRow.archived_at.is_(None)
        )
    ).all()
    raise NotKnown(f"no officer called {text!r}{did_you_mean(key, names)}")


def _place(session: Session, model: type[Place], what: str, text: str) -> Place | None:
    """The ``model`` row with id, name (any case) or slug ``text``; None for no such name.

    :raises NotKnown: ``text`` is an id nothing has.
    """
    key = text.strip()
    number = _id(key)
    if number is not None:
        return _by_id(session, model, what, number)
    return session.scalar(
        select(model).where((func.lower(model.name) == key.lower()) | (model.slug == slugify(key)))
    )


def resolve_ward(session: Session, text: str) -> WardRow:
    """A ward by id, name (any case) or slug.

    :raises NotKnown: unknown id; no such name (the closest names, or every ward's name
        when none is close).
    """
    row = _place(session, WardRow, "ward", text)
    if row is not None:
        return row
    names = session.scalars(select(WardRow.name).order_by(WardRow.name)).all()
    hint = did_you_mean(text, names)
    if not hint:
        hint = (
            f" (wards: {', '.join(names)})"
            if names
            else " (no wards yet: run kdc seed-demo or an import)"
        )
    raise NotKnown(f"no ward called {text!r}{hint}")


def resolve_service(session: Session, text: str) -> ServiceRow:
    """A service by id, name (any case) or slug.

    :raises NotKnown: unknown id, or no such name (with the closest names).
    """
    row = _place(session, ServiceRow, "service", text)
    if row is not None:
        return row
    names = session.scalars(select(ServiceRow.name)).all()
    raise NotKnown(f"no service called {text!r}{did_you_mean(text, names)}")
