"""Councillors' photos, copied to this site: a store in the instance folder, and
:func:`fetch_photos` to fill it from each councillor's ``photo_url``.

The people's site may show images only from itself (its Content-Security-Policy), and a
visitor's browser should not be sent to another host to see a councillor, so the photos
ModernGov publishes are copied here and served from ``/councillors/<slug>/photo``.

The store is the folder ``<instance>/photos/``. For councillor 12 it holds

- ``12.240x300.0123456789abcdef.jpg``: the image. Its name carries the pixel size and the
  start of the SHA-256 of its bytes, so one directory listing tells a page which
  councillors have a photo, how big each is and what its ETag is (:meth:`PhotoStore.index`);
- ``12.json``: where the image came from (``source``), its whole SHA-256, and whether it was
  downloaded (``origin = "fetched"``) or put here by hand (``"local"``, as the demo does).

Every file is written to a temporary name and renamed into place, so a reader never sees
half a file, and an unchanged image is never written again. :func:`locked_fetch` and the
``councillor_photos`` job hold the job's lock, so two hosts never fill the store at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import select

from kdc_core.config import Settings
from kdc_core.db.people import CouncillorRow
from kdc_core.errors import KdcError
from kdc_core.people.download import DownloadFailed, download
from kdc_core.people.images import CONTENT_TYPES, NotAnImage, sniff
from kdc_core.people.plugin import PHOTOS_JOB

if TYPE_CHECKING:
    from kdc_core.app import Kdc

log = logging.getLogger(__name__)

#: The folder under the instance folder.
FOLDER = "photos"
#: The job (and lock) that fetches the photos.
JOB = PHOTOS_JOB
TIMEOUT = 10.0
MAX_BYTES = 2 * 1024 * 1024
FETCHED, LOCAL = "fetched", "local"

_IMAGE = re.compile(
    r"^(?P<id>\d{1,12})\.(?P<w>\d{1,5})x(?P<h>\d{1,5})\."
    r"(?P<etag>[0-9a-f]{16})\.(?P<ext>jpg|png|gif|webp)$"
)


@attrs.frozen
class StoredPhoto:
    """A photo in the store, as its file name describes it."""

    councillor_id: int
    path: Path
    etag: str
    content_type: str
    width: int
    height: int


@attrs.frozen
class PhotoSource:
    """What ``<id>.json`` remembers about a stored photo."""

    source: str
    sha256: str
    origin: str = FETCHED
    stored_at: str = ""


class PhotoStore:
    """The photo files in one folder (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def of(cls, settings: Settings) -> PhotoStore:
        """The store in ``settings``' instance folder."""
        return cls(Path(settings.instance_path) / FOLDER)

    def index(self) -> dict[int, StoredPhoto]:
        """``{councillor id: photo}`` for every stored photo, from one directory listing."""
        found: dict[int, StoredPhoto] = {}
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return found
        for entry in sorted(entries, key=lambda e: e.name):
            match = _IMAGE.match(entry.name)
            if match:
                councillor_id = int(match["id"])
                found[councillor_id] = StoredPhoto(
                    councillor_id,
                    Path(entry.path),
                    match["etag"],
                    CONTENT_TYPES[match["ext"]],
                    int(match["w"]),
                    int(match["h"]),
                )
        return found

    def get(self, councillor_id: int) -> StoredPhoto | None:
        """One councillor's stored photo, or ``None``."""
        return self.index().get(councillor_id)

    def source(self, councillor_id: int) -> PhotoSource | None:
        """Where a stored photo came from, or ``None`` when nothing is recorded."""
        try:
            data = json.loads((self.folder / f"{councillor_id}.json").read_text("utf-8"))
            return PhotoSource(
                str(data["source"]),
                str(data["sha256"]),
                str(data.get("origin", FETCHED)),
                str(data.get("stored_at", "")),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, councillor_id: int, data: bytes, *, source: str, origin: str = FETCHED) -> bool:
        """Store ``data`` as the councillor's photo; ``True`` when the image was written,
        ``False`` when the same bytes were already stored (then at most ``<id>.json`` is
        rewritten, if the source or origin changed).

        :raises NotAnImage: ``data`` is not a JPEG, PNG, GIF or WebP image.
        """
        info = sniff(data)
        sha = hashlib.sha256(data).hexdigest()
        name = f"{councillor_id}.{info.width}x{info.height}.{sha[:16]}.{info.extension}"
        known = self.source(councillor_id)
        image = self.folder / name
        written = not image.is_file()
        if written:
            self._write(image, data)
        if (
            written
            or known is None
            or (known.sha256, known.source, known.origin)
            != (
                sha,
                source,
                origin,
            )
        ):
            stored_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            record = {"source": source, "sha256": sha, "origin": origin, "stored_at": stored_at}
            self._write(self.folder / f"{councillor_id}.json", json.dumps(record).encode())
        self._remove_images(councillor_id, keep=name)
        return written

    def remove(self, councillor_id: int) -> bool:
        """Delete the councillor's photo; ``True`` if there was one."""
        removed = self._remove_images(councillor_id)
        with contextlib.suppress(FileNotFoundError):
            (self.folder / f"{councillor_id}.json").unlink()
        return removed

    def _remove_images(self, councillor_id: int, keep: str | None = None) -> bool:
        removed = False
        for path in self.folder.glob(f"{councillor_id}.*"):
            if _IMAGE.match(path.name) and path.name != keep:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed = True
        return removed

    def _write(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise


def stored_photos(settings: Settings) -> dict[int, StoredPhoto]:
    """``{councillor id: photo}`` for every photo stored on this site (one directory
    listing: call it once per page, not once per councillor)."""
    return PhotoStore.of(settings).index()


def photo_for(settings: Settings, councillor_id: int) -> StoredPhoto | None:
    """The councillor's stored photo, or ``None``."""
    return PhotoStore.of(settings).get(councillor_id)


# -- fetching -------------------------------------------------------------------------------------


@attrs.frozen
class PhotoOutcome:
    """What happened to one councillor's photo.

    :ivar outcome: ``fetched`` (new or changed, stored — or would be, in a dry run),
        ``unchanged``, ``kept`` (put here by hand for this address; not downloaded),
        ``skipped`` (``reason`` says why; any photo stored before stays), or ``removed``.
    """

    councillor_id: int
    name: str
    outcome: str
    reason: str = ""
    source: str | None = None

    @property
    def warning(self) -> str | None:
        """``"Councillor NAME: REASON"`` for a skipped photo, else ``None``."""
        return f"Councillor {self.name}: {self.reason}" if self.outcome == "skipped" else None


OUTCOMES = ("fetched", "unchanged", "kept", "skipped", "removed")


@attrs.frozen
class PhotoReport:
    """Every councillor :func:`fetch_photos` looked at, in name order."""

    dry_run: bool
    outcomes: tuple[PhotoOutcome, ...]

    def counts(self) -> dict[str, int]:
        return {kind: sum(o.outcome == kind for o in self.outcomes) for kind in OUTCOMES}

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(o.warning for o in self.outcomes if o.warning)


class PhotosBusy(KdcError):
    """Another host (or process) is fetching the photos."""


def locked_fetch(kdc: Kdc, **kwargs: Any) -> PhotoReport:
    """:func:`fetch_photos` holding the ``councillor_photos`` job's lock.

    :raises PhotosBusy: another run holds it.
    """
    from kdc_core.jobs import locks

    try:
        with locks.hold(kdc.engine, JOB, locks.worker_name()):
            return fetch_photos(kdc, **kwargs)
    except locks.Busy as exc:
        raise PhotosBusy(exc.local(kdc.settings.tz)) from None


def fetch_photos(
    kdc: Kdc,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> PhotoReport:
    """Copy every serving councillor's photo from its ``photo_url`` into the store.

    For each serving councillor with a ``photo_url``: download it (``timeout`` seconds for the
    whole download, at most ``max_bytes``, a few redirects), and store it if it is a JPEG,
    PNG, GIF or WebP image whose bytes differ from those stored. A photo that cannot be
    fetched is skipped with a warning that names the councillor (logged too); the photo
    stored before, if any, stays. A photo put here by hand for the same address is kept as it
    is. Stored photos of councillors with no ``photo_url`` any more, or no longer in the
    database, are removed. Former councillors' photos are otherwise left alone.

    The caller holds the job's lock (:func:`locked_fetch`, or the job runner).

    :param dry_run: download and check, but write and remove nothing.
    :param progress: called as ``progress(done, total)`` after each councillor.
    """
    store = PhotoStore.of(kdc.settings)
    with kdc.unit_of_work(source="photos", dry_run=True) as uow:
        rows = uow.session.execute(
            select(
                CouncillorRow.id,
                CouncillorRow.name,
                CouncillorRow.photo_url,
                CouncillorRow.archived_at,
            ).order_by(CouncillorRow.name, CouncillorRow.id)
        ).all()
    stored = store.index()
    known = {row.id for row in rows}
    outcomes: list[PhotoOutcome] = []

    def remove(councillor_id: int, name: str, reason: str) -> None:
        if not dry_run:
            store.remove(councillor_id)
        outcomes.append(PhotoOutcome(councillor_id, name, "removed", reason))

    serving = [row for row in rows if row.archived_at is None and (row.photo_url or "").strip()]
    for row in rows:
        if not (row.photo_url or "").strip() and row.id in stored:
            remove(row.id, row.name, "no photo address any more")
    for councillor_id in sorted(set(stored) - known):
        remove(councillor_id, f"#{councillor_id}", "no such councillor any more")
    for done, row in enumerate(serving, start=1):
        outcome = _fetch_one(
            store, row.id, row.name, row.photo_url.strip(), dry_run, timeout, max_bytes
        )
        if outcome.warning:
            log.warning("councillor photo skipped: %s", outcome.warning)
        outcomes.append(outcome)
        if progress is not None:
            progress(done, len(serving))
    report = PhotoReport(dry_run, tuple(sorted(outcomes, key=lambda o: (o.name, o.councillor_id))))
    log.info("councillor photos%s: %s", " (dry run)" if dry_run else "", report.counts())
    return report


def _fetch_one(
    store: PhotoStore,
    councillor_id: int,
    name: str,
    url: str,
    dry_run: bool,
    timeout: float,
    max_bytes: int,
) -> PhotoOutcome:
    known = store.source(councillor_id)
    if known is not None and known.origin == LOCAL and known.source == url:
        return PhotoOutcome(councillor_id, name, "kept", "stored here by hand", url)
    try:
        data = download(url, timeout=timeout, max_bytes=max_bytes)
        sniff(data)
    except (DownloadFailed, NotAnImage) as exc:
        kept = "; keeping the photo stored before" if known is not None else ""
        return PhotoOutcome(councillor_id, name, "skipped", f"{exc}{kept}", url)
    if dry_run:
        same = known is not None and known.sha256 == hashlib.sha256(data).hexdigest()
        return PhotoOutcome(councillor_id, name, "unchanged" if same else "fetched", "", url)
    written = store.put(councillor_id, data, source=url)
    return PhotoOutcome(councillor_id, name, "fetched" if written else "unchanged", "", url)
