"""Persistence: typed rows, repositories, the unit of work and Alembic migrations."""

from kdc_core.db.base import Base
from kdc_core.db.calendar_version import CalendarChangeRow, CalendarVersionRow
from kdc_core.db.changelog import ChangeLogRow
from kdc_core.db.committees import CommitteeMembershipRow, CommitteeRow
from kdc_core.db.directory import SyncRunRow
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
from kdc_core.db.events import EventRow, OfficerUnavailabilityRow
from kdc_core.db.feed_tokens import FeedTokenRow
from kdc_core.db.jobs import JobLockRow, JobRunRow
from kdc_core.db.newsletters import (
    BriefingRow,
    NewsletterIssueRow,
    SuccessStoryRow,
    TopicChoiceRow,
    TopicReviewRow,
)
from kdc_core.db.outbox import OutboxMessageRow
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
from kdc_core.db.users import UserRow

__all__ = [
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
]
