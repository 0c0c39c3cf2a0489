"""A unit of work: one database transaction, its repositories and the changes it records."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from kdc_core.changes import ChangeSet
from kdc_core.db import tracking

if TYPE_CHECKING:
    from kdc_core.config import Settings
    from kdc_core.db.repositories.events import EventRepository
    from kdc_core.db.repositories.people import PeopleRepository


class UnitOfWork:
    """Holds a session for the length of one transaction.

    Obtain one from :meth:`kdc_core.Kdc.unit_of_work`; services take it as their first
    argument and never commit themselves.
    """

    def __init__(self, session: Session, settings: Settings, source: str = "code") -> None:
        self.session = session
        self.settings = settings
        self.source = source
        tracking.set_source(session, source)

    def collect(self) -> ChangeSet:
        """Flush, then return every change this unit of work has made so far.

        Changes to wards, groups, councillors, the organisation and officers are recorded
        automatically when rows are flushed; services need not record them by hand.
        """
        self.session.flush()
        return tracking.collected(self.session)

    @cached_property
    def people(self) -> PeopleRepository:
        from kdc_core.db.repositories.people import PeopleRepository

        return PeopleRepository(self.session)

    @cached_property
    def events(self) -> EventRepository:
        from kdc_core.db.repositories.events import EventRepository

        return EventRepository(self.session)
