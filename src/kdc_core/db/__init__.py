"""Persistence: typed rows, repositories, the unit of work and Alembic migrations.

The row classes are imported when first asked for (``from kdc_core.db import OfficerRow``
imports :mod:`kdc_core.db.people` only): each table module costs start-up time, and most
commands touch a few tables. Anything that needs every table — the ORM when it configures
its mappers, Alembic, a schema check — calls :func:`load_tables` (the mappers do it
themselves, see :mod:`kdc_core.db.base`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kdc_core.db.base import Base
from kdc_core.lazy import exports

#: The modules that define tables, in the order :func:`load_tables` imports them.
TABLE_MODULES: tuple[str, ...] = (
    "kdc_core.db.calendar_version",
    "kdc_core.db.changelog",
    "kdc_core.db.committees",
    "kdc_core.db.directory",
    "kdc_core.db.enquiries",
    "kdc_core.db.events",
    "kdc_core.db.feed_tokens",
    "kdc_core.db.jobs",
    "kdc_core.db.newsletters",
    "kdc_core.db.outbox",
    "kdc_core.db.people",
    "kdc_core.db.protocol",
    "kdc_core.db.users",
)

#: Each exported row class, by the module that defines it.
_ROW_MODULES: dict[str, str] = {
    "BriefingRow": "kdc_core.db.newsletters",
    "CalendarChangeRow": "kdc_core.db.calendar_version",
    "CalendarVersionRow": "kdc_core.db.calendar_version",
    "ChangeLogRow": "kdc_core.db.changelog",
    "CommitteeMembershipRow": "kdc_core.db.committees",
    "CommitteeRow": "kdc_core.db.committees",
    "ComplaintRow": "kdc_core.db.protocol",
    "ComplaintStageRow": "kdc_core.db.protocol",
    "CouncillorExternalIdRow": "kdc_core.db.people",
    "CouncillorRoleRow": "kdc_core.db.people",
    "CouncillorRow": "kdc_core.db.people",
    "DirectorateRow": "kdc_core.db.people",
    "EnquiryAuditRow": "kdc_core.db.enquiries",
    "EnquiryCategoryRow": "kdc_core.db.enquiries",
    "EnquiryCounterRow": "kdc_core.db.enquiries",
    "EnquiryNoteRow": "kdc_core.db.enquiries",
    "EnquiryOpenCountRow": "kdc_core.db.enquiries",
    "EnquiryPersonRow": "kdc_core.db.enquiries",
    "EnquiryRow": "kdc_core.db.enquiries",
    "EnquiryTotalRow": "kdc_core.db.enquiries",
    "EventPoliticalMeetingRow": "kdc_core.db.protocol",
    "EventRow": "kdc_core.db.events",
    "FeedTokenRow": "kdc_core.db.feed_tokens",
    "GroupMembershipRow": "kdc_core.db.people",
    "JobLockRow": "kdc_core.db.jobs",
    "JobRunRow": "kdc_core.db.jobs",
    "NewsletterIssueRow": "kdc_core.db.newsletters",
    "OfficerRow": "kdc_core.db.people",
    "OfficerUnavailabilityRow": "kdc_core.db.events",
    "OfficerWardRow": "kdc_core.db.people",
    "OutboxMessageRow": "kdc_core.db.outbox",
    "PoliticalGroupRow": "kdc_core.db.people",
    "ProtocolFindingRow": "kdc_core.db.protocol",
    "ProtocolVersionRow": "kdc_core.db.protocol",
    "ServiceContactRow": "kdc_core.db.enquiries",
    "ServiceRow": "kdc_core.db.people",
    "SuccessStoryRow": "kdc_core.db.newsletters",
    "SyncRunRow": "kdc_core.db.directory",
    "TermOfOfficeRow": "kdc_core.db.people",
    "TopicChoiceRow": "kdc_core.db.newsletters",
    "TopicReviewRow": "kdc_core.db.newsletters",
    "UserRow": "kdc_core.db.users",
    "WardContactRow": "kdc_core.db.people",
    "WardRow": "kdc_core.db.people",
}


def load_tables() -> None:
    """Import every table module, so that ``Base.metadata`` and the ORM know every table."""
    for module in TABLE_MODULES:
        importlib.import_module(module)


__getattr__ = exports(__name__, _ROW_MODULES)


def __dir__() -> list[str]:
    return sorted({*globals(), *_ROW_MODULES})


if TYPE_CHECKING:
    from kdc_core.db.calendar_version import (
        CalendarChangeRow,
        CalendarVersionRow,
    )
    from kdc_core.db.changelog import (
        ChangeLogRow,
    )
    from kdc_core.db.committees import (
        CommitteeMembershipRow,
        CommitteeRow,
    )
    from kdc_core.db.directory import (
        SyncRunRow,
    )
    from kdc_core.db.enquiries import (
        EnquiryAuditRow,
        EnquiryCategoryRow,
        EnquiryCounterRow,
        EnquiryNoteRow,
        EnquiryOpenCountRow,
        EnquiryPersonRow,
        EnquiryRow,
        EnquiryTotalRow,
        ServiceContactRow,
    )
    from kdc_core.db.events import (
        EventRow,
        OfficerUnavailabilityRow,
    )
    from kdc_core.db.feed_tokens import (
        FeedTokenRow,
    )
    from kdc_core.db.jobs import (
        JobLockRow,
        JobRunRow,
    )
    from kdc_core.db.newsletters import (
        BriefingRow,
        NewsletterIssueRow,
        SuccessStoryRow,
        TopicChoiceRow,
        TopicReviewRow,
    )
    from kdc_core.db.outbox import (
        OutboxMessageRow,
    )
    from kdc_core.db.people import (
        CouncillorExternalIdRow,
        CouncillorRoleRow,
        CouncillorRow,
        DirectorateRow,
        GroupMembershipRow,
        OfficerRow,
        OfficerWardRow,
        PoliticalGroupRow,
        ServiceRow,
        TermOfOfficeRow,
        WardContactRow,
        WardRow,
    )
    from kdc_core.db.protocol import (
        ComplaintRow,
        ComplaintStageRow,
        EventPoliticalMeetingRow,
        ProtocolFindingRow,
        ProtocolVersionRow,
    )
    from kdc_core.db.users import (
        UserRow,
    )

__all__ = [
    "TABLE_MODULES",
    "Base",
    "BriefingRow",
    "CalendarChangeRow",
    "CalendarVersionRow",
    "ChangeLogRow",
    "CommitteeMembershipRow",
    "CommitteeRow",
    "ComplaintRow",
    "ComplaintStageRow",
    "CouncillorExternalIdRow",
    "CouncillorRoleRow",
    "CouncillorRow",
    "DirectorateRow",
    "EnquiryAuditRow",
    "EnquiryCategoryRow",
    "EnquiryCounterRow",
    "EnquiryNoteRow",
    "EnquiryOpenCountRow",
    "EnquiryPersonRow",
    "EnquiryRow",
    "EnquiryTotalRow",
    "EventPoliticalMeetingRow",
    "EventRow",
    "FeedTokenRow",
    "GroupMembershipRow",
    "JobLockRow",
    "JobRunRow",
    "NewsletterIssueRow",
    "OfficerRow",
    "OfficerUnavailabilityRow",
    "OfficerWardRow",
    "OutboxMessageRow",
    "PoliticalGroupRow",
    "ProtocolFindingRow",
    "ProtocolVersionRow",
    "ServiceContactRow",
    "ServiceRow",
    "SuccessStoryRow",
    "SyncRunRow",
    "TermOfOfficeRow",
    "TopicChoiceRow",
    "TopicReviewRow",
    "UserRow",
    "WardContactRow",
    "WardRow",
    "load_tables",
]
