"""Enquiry categories as data: list, read, set and seed them; check a new enquiry's.

A category carries the timescales an enquiry in it gets (acknowledge and respond, in working
days), how long a finished enquiry is kept (days after closure, or after resolution when it
was never closed), the follow-up window (days in which it may be reopened), the service an
enquiry goes to when it names none, and whether new enquiries may use it.

A new enquiry must name an existing, active category; a near miss is refused with the closest
names. A fresh database has one category, ``General`` (made by migration 0014, with the
defaults below); ``[[plugins.enquiries.categories]]`` tables in kdc.toml add more when
``kdc init`` runs (:func:`seed`), and ``kdc enquiries category-set`` or the admin's category
page change them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import func, select
from sqlalchemy.orm import Session

# The enquiry tables (``db.EnquiryCategoryRow``, the repository) are imported when a category
# is read or written, not by the casework settings check that every command runs.
from kdc_core import db
from kdc_core.errors import KdcError
from kdc_core.people.lookup import NotKnown, did_you_mean
from kdc_core.plugin_config import setting
from kdc_core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.enquiries.values import CategorySettings

#: The category a fresh database starts with (migration 0014).
DEFAULT_CATEGORY = "General"
NAME_LIMIT = 120


class CategoryError(KdcError):
    """A category's settings cannot be used (the message says which and why)."""


def problems(
    acknowledge_days: int, respond_days: int, retention_days: int, follow_up_days: int
) -> list[str]:
    """What is wrong with these numbers, in words (empty when they are fine)."""
    found = []
    for label, value in (
        ("the acknowledge timescale", acknowledge_days),
        ("the respond timescale", respond_days),
        ("the retention period", retention_days),
        ("the follow-up window", follow_up_days),
    ):
        if value < 0:
            found.append(f"{label} must be 0 or more days, not {value}")
    if respond_days < acknowledge_days:
        found.append(
            f"the respond timescale ({respond_days} working days) must not be shorter than "
            f"the acknowledge timescale ({acknowledge_days})"
        )
    return found


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise CategoryError("a category needs a name")
    if len(name) > NAME_LIMIT:
        raise CategoryError(f"a category's name is at most {NAME_LIMIT} characters")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise CategoryError("a category's name must not contain control characters")
    return name


def name_taken(session: Session, name: str, except_id: int | None = None) -> bool:
    """Whether another category (not ``except_id``) is called ``name``, in any case."""
    stmt = select(db.EnquiryCategoryRow.id).where(
        func.lower(db.EnquiryCategoryRow.name) == " ".join(name.split()).lower()
    )
    if except_id is not None:
        stmt = stmt.where(db.EnquiryCategoryRow.id != except_id)
    with session.no_autoflush:  # a row being added is not "another" category
        return session.scalar(stmt.limit(1)) is not None


def list_categories(uow: UnitOfWork, *, active_only: bool = False) -> list[CategorySettings]:
    """Every category (or only the active ones), by name."""
    from kdc_core.db.repositories import enquiries as store

    stmt = select(db.EnquiryCategoryRow)
    if active_only:
        stmt = stmt.where(db.EnquiryCategoryRow.active.is_(True))
    rows = uow.session.scalars(stmt).all()
    return sorted((store.category_value(r) for r in rows), key=lambda c: c.name.lower())


def get_category(uow: UnitOfWork, name: str) -> CategorySettings:
    """The category called ``name`` (any case), active or not.

    :raises NotKnown: no such category; the message suggests the closest names.
    """
    from kdc_core.db.repositories import enquiries as store

    row = store.category_row(uow.session, name.strip())
    if row is None:
        names = uow.session.scalars(select(db.EnquiryCategoryRow.name)).all()
        raise NotKnown(f"no enquiry category called {name.strip()!r}{did_you_mean(name, names)}")
    return store.category_value(row)


def for_new_enquiry(uow: UnitOfWork, name: str, *, inactive_ok: bool = False) -> CategorySettings:
    """The category a new enquiry names, if it exists and is active (or ``inactive_ok``:
    an import of old cases).

    :raises NotKnown: unknown or inactive; the message suggests the closest active names.
    """
    from kdc_core.db.repositories import enquiries as store

    key = name.strip()
    active = [c.name for c in list_categories(uow, active_only=True)]
    row = store.category_row(uow.session, key)
    if row is None:
        raise NotKnown(f"no enquiry category called {key!r}{did_you_mean(key, active)}")
    if not row.active and not inactive_ok:
        raise NotKnown(
            f"the enquiry category {row.name!r} is no longer used for new enquiries (inactive)"
            f"{did_you_mean(key, [n for n in active if n.lower() != key.lower()])}"
        )
    return store.category_value(row)


def set_category(
    uow: UnitOfWork,
    name: str,
    *,
    acknowledge_days: int | None = None,
    respond_days: int | None = None,
    service: str | None = None,
    retention_days: int | None = None,
    follow_up_days: int | None = None,
    active: bool | None = None,
    clear_service: bool = False,
) -> tuple[CategorySettings, bool]:
    """Create the category ``name`` or change it; what is not given keeps its value (or the
    default, for a new category). ``service`` is a service's name, slug or id.

    :returns: the category as saved, and whether it was created.
    :raises CategoryError: a negative number, respond shorter than acknowledge, a bad name.
    :raises NotKnown: no such service (with the closest names).
    """
    from kdc_core.db.repositories import enquiries as store
    from kdc_core.enquiries.values import CategorySettings

    row = store.category_row(uow.session, name.strip())
    current = store.category_value(row) if row is not None else None
    base = current or CategorySettings(_check_name(name))
    chosen_service = base.service
    if clear_service:
        chosen_service = None
    if service is not None and service.strip():
        from kdc_core.people.lookup import resolve_service

        chosen_service = resolve_service(uow.session, service).name
    wanted = attrs.evolve(
        base,
        acknowledge_days=base.acknowledge_days if acknowledge_days is None else acknowledge_days,
        respond_days=base.respond_days if respond_days is None else respond_days,
        retention_days=base.retention_days if retention_days is None else retention_days,
        follow_up_days=base.follow_up_days if follow_up_days is None else follow_up_days,
        service=chosen_service,
        active=base.active if active is None else active,
    )
    found = problems(
        wanted.acknowledge_days, wanted.respond_days, wanted.retention_days, wanted.follow_up_days
    )
    if found:
        raise CategoryError(f"category {wanted.name!r}: " + "; ".join(found))
    store.save_category(uow.session, wanted)
    uow.session.flush()
    return wanted, current is None


@attrs.frozen
class CategoryConfig:
    """One ``[[plugins.enquiries.categories]]`` table in kdc.toml."""

    name: str = setting(expect="a category name", check=lambda n: bool(n.strip()))
    acknowledge_days: int = setting(1, expect="0 or more working days", check=lambda d: d >= 0)
    respond_days: int = setting(10, expect="0 or more working days", check=lambda d: d >= 0)
    service: str | None = None
    retention_days: int = setting(730, expect="0 or more days", check=lambda d: d >= 0)
    follow_up_days: int = setting(28, expect="0 or more days", check=lambda d: d >= 0)
    active: bool = True


def seed(uow: UnitOfWork, configured: Iterable[CategoryConfig]) -> list[str]:
    """Add each configured category that does not exist yet; one that exists is left as it
    is (the admin page and ``category-set`` own it from then on).

    :returns: the names added.
    :raises CategoryError: a configured category's numbers do not fit together.
    :raises NotKnown: a configured default service does not exist.
    """
    from kdc_core.db.repositories import enquiries as store

    added = []
    for item in configured:
        if store.category_row(uow.session, item.name.strip()) is not None:
            continue
        made, _ = set_category(
            uow,
            item.name,
            acknowledge_days=item.acknowledge_days,
            respond_days=item.respond_days,
            service=item.service,
            retention_days=item.retention_days,
            follow_up_days=item.follow_up_days,
            active=item.active,
        )
        added.append(made.name)
    return added


def seed_from_settings(kdc: Kdc) -> list[str]:
    """Add the categories ``[[plugins.enquiries.categories]]`` configures that the database
    does not have yet (``kdc init`` calls this after upgrading the schema).

    :returns: the names added.
    """
    from kdc_core.enquiries.backends import EnquiriesConfig

    configured = kdc.settings.plugin_config("enquiries", into=EnquiriesConfig).categories
    if not configured:
        return []
    with kdc.unit_of_work(source="kdc init") as uow:
        return seed(uow, configured)
