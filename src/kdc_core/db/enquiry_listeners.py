"""The session listeners that keep the enquiry summary (:mod:`kdc_core.db.enquiry_counts`) in
step with every change, installed with the change tracking.

They look only at the tables the flushed rows are in, so a session that touches no enquiry
(a directory sync, a rota plan) imports neither the summary's module nor the enquiry tables.
A flush that adds, changes or deletes an enquiry, or deletes a ward, service or officer
(whose enquiries then belong to none), is handed to :mod:`kdc_core.db.enquiry_counts`; an ORM
bulk statement on the enquiries table has the whole summary rebuilt before the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from kdc_core.db.listening import listen_once, table_of

#: ``session.info`` keys: the deleted enquiries' values, noted before the flush; and "the
#: summary must be rebuilt before this transaction commits".
DELETED = "kdc_enquiry_counts_deleted"
STALE = "kdc_enquiry_counts_stale"
_LISTENING = "_kdc_enquiry_counts"

ENQUIRIES = "enquiries"
#: Tables whose rows own enquiries in the summary's dimensions.
OWNERS = frozenset({"wards", "services", "officers"})


def _in(rows: Iterable[Any], tables: frozenset[str]) -> bool:
    return any(table_of(row) in tables for row in rows)


_ENQUIRY = frozenset({ENQUIRIES})


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _in(session.deleted, _ENQUIRY):
        from kdc_core.db import enquiry_counts

        enquiry_counts.before_flush(session)


def _after_flush(session: Session, _context: Any) -> None:
    if (
        DELETED in session.info
        or _in(session.new, _ENQUIRY)
        or _in(session.dirty, _ENQUIRY)
        or _in(session.deleted, OWNERS)
    ):
        from kdc_core.db import enquiry_counts

        enquiry_counts.after_flush(session)


def _orm_execute(state: Any) -> None:
    """An ORM bulk insert, update or delete of enquiries skips the flush: recount at commit."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if getattr(getattr(state.statement, "table", None), "name", None) == ENQUIRIES:
        state.session.info[STALE] = True


def _before_commit(session: Session) -> None:
    if session.info.get(STALE):
        from kdc_core.db import enquiry_counts

        session.flush()
        enquiry_counts.rebuild(session)


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(STALE, None)
        session.info.pop(DELETED, None)


def listen(target: Any) -> None:
    """Keep the summary for every session of ``target`` (a Session class); once per class."""
    listen_once(
        target,
        _LISTENING,
        {
            "before_flush": _before_flush,
            "after_flush": _after_flush,
            "do_orm_execute": _orm_execute,
            "before_commit": _before_commit,
            "after_soft_rollback": _after_soft_rollback,
        },
    )
