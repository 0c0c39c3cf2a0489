"""A month's issues as files: ``<stem>.html``, ``<stem>.txt`` and ``<stem>.eml`` per issue.

Creating tens of thousands of small files is mostly the kernel's work (a directory entry and
an inode each, and the filesystem's journal), and writing each message out is base64 work.
Neither depends on the database, so for a large build :class:`IssueFiles` hands both to a
helper process (``python -m kdc_core.newsletter.files FOLDER``, fed over a pipe) while the
issues are still being made: the two run on separate cores, and the threads of one process
would only take turns (Python's global lock). A small build writes in its own process.

Either way a file that already holds exactly what it would get is left alone, and the
files are the same bytes (but for each message's MIME boundary, new each time).
"""

from __future__ import annotations

import contextlib
import errno
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from kdc_core.errors import KdcError
from kdc_core.newsletter.values import BuiltIssue

#: A build of every ward of a council with this many wards or more (some 1,500 issues)
#: writes its files from a helper process.
HELPER_WARDS = 500

#: What the helper gets for each issue: its stem, then :meth:`BuiltIssue.message_parts`.
Job = tuple[str, dict[str, str]]


def write_issue(folder: str, stem: str, parts: dict[str, str]) -> None:
    """Write one issue's three files (``parts`` as :meth:`BuiltIssue.message_parts`)."""
    from kdc_core.mail.message import render_eml

    base = os.path.join(folder, stem)
    write_file(f"{base}.html", parts["html"].encode("utf-8"))
    write_file(f"{base}.txt", parts["text"].encode("utf-8"))
    write_file(f"{base}.eml", render_eml(**parts))


def write_file(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` unless the file already holds exactly that (reading is
    much cheaper than rewriting). A new file is created and written with three calls."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        with open(path, "rb") as fh:
            if fh.read(len(data) + 1) == data:
                return
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class IssueFiles:
    """Writes issues to ``folder`` as they are made: :meth:`add` each batch, then
    :meth:`close` (or use it as a context manager), which waits for the last file. The
    folder is made when the first batch comes, so a build that fails first leaves none.

    With ``helper=True`` the files are written by a helper process, fed by a thread of this
    one so that making issues never waits for the files (the thread spends its time in
    ``write`` on the pipe, holding no lock); :meth:`close` raises
    :class:`~kdc_core.errors.KdcError` with the helper's error if it could not write them.
    """

    def __init__(self, folder: Path, *, helper: bool = False) -> None:
        self.folder = str(folder)
        self._made = False
        self._helper: subprocess.Popen[bytes] | None = None
        self._batches: queue.SimpleQueue[list[Job] | None] = queue.SimpleQueue()
        self._feeder: threading.Thread | None = None
        if helper:
            # Its stderr holds at most a line (it stops at the first error).
            self._helper = subprocess.Popen(
                [sys.executable, "-m", "kdc_core.newsletter.files", self.folder],
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,
            )
            assert self._helper.stdin is not None
            _widen(self._helper.stdin.fileno())
            self._feeder = threading.Thread(
                target=self._feed, args=(self._helper.stdin,), daemon=True
            )
            self._feeder.start()

    def add(self, stems: Sequence[str], issues: Sequence[BuiltIssue]) -> None:
        """Write ``issues`` as ``stems`` (``<stem>.html`` …)."""
        self._make_folder()
        jobs = [(s, i.message_parts()) for s, i in zip(stems, issues, strict=True)]
        if self._helper is None:
            for stem, parts in jobs:
                write_issue(self.folder, stem, parts)
        else:
            self._batches.put(jobs)

    def _feed(self, pipe: BinaryIO) -> None:
        """The feeding thread: each batch down the pipe, until ``None`` or a broken pipe
        (the helper stopped at an error, which :meth:`close` reports)."""
        with contextlib.suppress(BrokenPipeError), pipe:
            while (batch := self._batches.get()) is not None:
                view = memoryview(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
                while view:
                    view = view[pipe.write(view) or 0 :]

    def _make_folder(self) -> None:
        if not self._made:
            os.makedirs(self.folder, exist_ok=True)
            self._made = True

    def close(self) -> None:
        """Wait for the last file; the folder is made even when there was nothing to write."""
        self._make_folder()
        helper, self._helper = self._helper, None
        if helper is None:
            return
        assert self._feeder is not None and helper.stderr is not None
        self._batches.put(None)
        self._feeder.join()
        errors = helper.stderr.read().decode("utf-8", "replace").strip()
        helper.stderr.close()
        if helper.wait() != 0:
            raise KdcError(f"could not write the issues to {self.folder}: {errors or 'failed'}")

    def __enter__(self) -> IssueFiles:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
            return
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.kill()
            self._batches.put(None)
            if self._feeder is not None:
                self._feeder.join()
            helper.communicate()


def _widen(fd: int) -> None:
    """Give the pipe 1 MiB (Linux; the most an unprivileged process may) so that each
    wake-up of the helper finds many issues to write."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return
    size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, size, 1 << 20)


def _serve(folder: str, jobs: BinaryIO) -> int:
    """The helper: write every batch read from ``jobs`` until it ends."""
    while True:
        try:
            batch: list[Job] = pickle.load(jobs)
        except EOFError:
            return 0
        for stem, parts in batch:
            try:
                write_issue(folder, stem, parts)
            except OSError as exc:
                why = errno.errorcode.get(exc.errno or 0, "") if exc.errno else ""
                print(f"{exc.strerror or exc} ({why}): {exc.filename}", file=sys.stderr)
                return 1


if __name__ == "__main__":
    sys.exit(_serve(sys.argv[1], sys.stdin.buffer))
