"""``kdc import moderngov-councillors``: reading GetCouncillorsByWard and syncing the roster.

The hooks that register it are in :mod:`kdc_moderngov.hooks`."""

from __future__ import annotations

from collections.abc import Sequence

from kdc_core.changes import ChangeSet
from kdc_core.config import Settings
from kdc_core.errors import ImportFailed
from kdc_core.people.roster import (
    ArchiveGuard,
    CouncillorRecords,
    check_records,
    sync_councillors,
)
from kdc_core.people.values import CouncillorRecord
from kdc_core.unit_of_work import UnitOfWork
from kdc_moderngov.config import SECTION, ModernGovConfig
from kdc_moderngov.fetch import fetch
from kdc_moderngov.parse import parse_councillors
from kdc_moderngov.values import SCHEME

#: SOURCE meaning "the web service at plugins.moderngov.base_url".
CONFIGURED_SERVICE = "-"


def load_councillors(source: str, settings: Settings, *, force: bool = False) -> CouncillorRecords:
    """Read a GetCouncillorsByWard answer from a file, a URL or (``-``) the configured
    web service, and check every record before anything is written.

    :param force: apply even if the mass-archive guard objects (``--force``).
    :returns: the records, with a warning for each term of office left out or taken as the
        source has it.
    :raises ImportFailed: naming the file or URL and the line or record at fault.
    """
    config = ModernGovConfig.from_settings(settings)
    if source == CONFIGURED_SERVICE:
        if config.councillors_url is None:
            raise ImportFailed(
                f"SOURCE '-' means the web service at plugins.{SECTION}.base_url, "
                "which is not set; give a file path or an http(s) URL instead"
            )
        source = config.councillors_url
    councillors = parse_councillors(fetch(source, timeout=config.timeout), source=source)
    if not councillors:
        raise ImportFailed(
            "no councillors in the answer; refusing to archive every councillor", source=source
        )
    records = CouncillorRecords(
        (c.record() for c in councillors), warnings=councillors.warnings, force=force
    )
    check_records(records, scheme=SCHEME, source=source)
    return records


def apply_councillors(uow: UnitOfWork, records: Sequence[CouncillorRecord]) -> ChangeSet:
    """Sync the roster, refusing an answer that would archive too many councillors (see
    ``plugins.moderngov.max_archive_share``) unless the records were loaded with ``force``."""
    config = ModernGovConfig.from_settings(uow.settings)
    guard = ArchiveGuard(config.max_archive_share, f"plugins.{SECTION}.max_archive_share")
    return sync_councillors(uow, records, scheme=SCHEME, guard=guard)
