"""Every log record of a test run written to files, then searched for secrets and personal data.

While the tests run, each process (each xdist worker, or the one process with ``-n 0``) writes
every record of kdc's own loggers from DEBUG, and every other library's from WARNING, to
``test-artifacts/logs/<worker>.log`` (the ``kdc`` command's text format) and ``<worker>.jsonl``
(its JSON lines). The secrets kdc makes during the run — feed tokens, sign-in link and session
tokens, generated passwords — go to ``<worker>.secrets`` as they are made.

At the end :func:`check` searches the logs for those secrets, the test accounts' password, and
the demo council's personal data: its constituents' names, email and street addresses and what
they wrote, and its councillors' and officers' email addresses. Any hit fails the run, naming
the file and line.
"""

from __future__ import annotations

import json
import logging
import re
import secrets as real_secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from kdc_admin.testing import PASSWORD
from kdc_core.logs import JsonFormatter, TextFormatter

#: Loggers whose records are kept from DEBUG: kdc's own (the plugins' packages are kdc_*).
KDC_LOGGERS = ("kdc", "kdc_core", "kdc_admin", "kdc_site")
#: Names for the handlers, so a second install in the same process replaces them.
HANDLER_NAMES = ("kdc-test-log-text", "kdc-test-log-json")
#: The test helpers' password for every account they create.
TEST_PASSWORD = PASSWORD
#: What a process logs first, to prove its files are written.
CANARY = "log capture started for %s"


class _KdcAndWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.split(".")[0].startswith("kdc")


class _RecordingSecrets:
    """Stands in for the :mod:`secrets` module in a kdc module: every token it makes is also
    written down, so the check knows what to look for."""

    def __init__(self, keep: Callable[[str], None]) -> None:
        self._keep = keep

    def token_urlsafe(self, nbytes: int | None = None) -> str:
        value = real_secrets.token_urlsafe(nbytes)
        self._keep(value)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(real_secrets, name)


#: The modules whose tokens and generated passwords are secrets.
TOKEN_MODULES = (
    "kdc_core.users.sessions",
    "kdc_core.users.service",
    "kdc_core.calendar.feed_tokens",
)


def install(
    folder: Path,
    worker: str,
    loggers: Iterable[str] = KDC_LOGGERS,
    target: logging.Logger | None = None,
) -> list[logging.Handler]:
    """Write every record to ``folder/<worker>.log`` and ``.jsonl`` from now on, and every
    token kdc makes to ``<worker>.secrets``.

    :param loggers: the loggers to keep from DEBUG (kdc's own); any other from WARNING.
    :param target: the logger to hang the handlers on (the root logger; a test of this module
        uses one of its own).
    :returns: the two handlers.
    """
    import importlib

    root = logging.getLogger()
    target = target or root
    folder.mkdir(parents=True, exist_ok=True)
    for old in [h for h in target.handlers if h.get_name() in HANDLER_NAMES]:
        target.removeHandler(old)
        old.close()
    handlers: list[logging.Handler] = []
    for name, suffix, formatter in (
        (HANDLER_NAMES[0], ".log", TextFormatter()),
        (HANDLER_NAMES[1], ".jsonl", JsonFormatter()),
    ):
        handler = logging.FileHandler(folder / f"{worker}{suffix}", mode="a", encoding="utf-8")
        handler.set_name(name)
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(formatter)
        handler.addFilter(_KdcAndWarnings())
        target.addHandler(handler)
        handlers.append(handler)
    for logger in loggers:
        logging.getLogger(logger).setLevel(logging.DEBUG)
    sink = (folder / f"{worker}.secrets").open("a", encoding="utf-8", buffering=1)
    recorder = _RecordingSecrets(lambda token: sink.write(token + "\n"))
    if target is root:
        _this_process.update(folder=folder, worker=worker, sink=sink)
    for module in TOKEN_MODULES:
        importlib.import_module(module).secrets = recorder  # type: ignore[attr-defined]
    (logging.getLogger("kdc.tests") if target is root else target).debug(CANARY, worker)
    return handlers


#: Where this process's capture writes (set by :func:`install` for the root logger).
_this_process: dict[str, Any] = {}


def server_log(name: str) -> Path | None:
    """A file for the log of a server a test starts as a process of its own (its stderr, in
    the JSON format), searched with the rest; ``None`` when no capture is installed."""
    if not _this_process:
        return None
    folder: Path = _this_process["folder"]
    for n in range(1, 10_000):
        path = folder / f"{_this_process['worker']}.{SERVER}{name}-{n}.jsonl"
        if not path.exists():
            path.touch()
            return path
    return None


def keep_secret(value: str) -> None:
    """Look for ``value`` too: a password or link a server process printed for a person."""
    if _this_process:
        _this_process["sink"].write(value + "\n")


#: Marks a file that holds a server process's log (it has no capture's first record).
SERVER = "server-"


def plugin_loggers(plugins: Path) -> list[str]:
    """The top-level logger names of the built-in plugins (``kdc_ical`` …)."""
    return sorted(p.name for p in plugins.iterdir() if p.is_dir() and p.name.startswith("kdc_"))


@attrs.frozen
class Secret:
    kind: str
    value: str


def demo_secrets() -> list[Secret]:
    """The demo council's personal data: constituents' names, email and street addresses and
    what they wrote; councillors' and officers' email addresses."""
    from kdc_core.demo.build import build_demo
    from kdc_core.demo.casework import CASES

    found: list[Secret] = []
    for case in CASES:
        person = case.constituent
        found.append(Secret("constituent's name", person.name))
        if person.email:
            found.append(Secret("constituent's email", person.email))
        if person.address:
            street = person.address.removesuffix(", Kirklees")
            found.append(Secret("constituent's address", street))
        found.append(Secret("what a constituent wrote", case.description[:60]))
        found.extend(
            Secret("a note on an enquiry", step.text[:60]) for step in case.steps if step.text
        )
    council = build_demo()
    found.extend(Secret("councillor's email", c.email) for c in council.councillors if c.email)
    found.extend(Secret("officer's email", o.email) for o in council.officers if o.email)
    return found


def recorded_secrets(folder: Path) -> list[Secret]:
    """The tokens and generated passwords kdc made during the run, and the test password."""
    found = [Secret("test password", TEST_PASSWORD)]
    for path in sorted(folder.glob("*.secrets")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(Secret("token or generated password", line.strip()))
    return found


@attrs.frozen
class Hit:
    path: Path
    line: int
    secret: Secret

    def describe(self, root: Path) -> str:
        shown = self.secret.value[:6] + "…" if "token" in self.secret.kind else self.secret.value
        try:
            where = self.path.relative_to(root)
        except ValueError:
            where = self.path
        return f"{where} line {self.line}: {self.secret.kind} ({shown})"


def log_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.log"), *folder.glob("*.jsonl")])


_TOKEN_RUN = re.compile(r"[A-Za-z0-9_-]{12,}")
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")


class Needles:
    """What to look for, sorted by how to look: tokens inside every run of URL-safe
    characters, email addresses among the addresses a line holds, anything else (names,
    street addresses, what people wrote) as a substring — case aside, but for tokens."""

    def __init__(self, wanted: Iterable[Secret]) -> None:
        self.tokens: dict[str, Secret] = {}
        self.emails: dict[str, Secret] = {}
        self.phrases: dict[str, Secret] = {}
        for secret in wanted:
            value = secret.value.strip()
            if len(value) < 6:
                continue
            if "token" in secret.kind:
                self.tokens.setdefault(value, secret)
            elif "@" in value:
                self.emails.setdefault(value.lower(), secret)
            else:
                self.phrases.setdefault(value.lower(), secret)
        self.lengths = sorted({len(t) for t in self.tokens})

    def find(self, text: str) -> dict[str, Secret]:
        found: dict[str, Secret] = {}
        for run in _TOKEN_RUN.findall(text):
            for size in self.lengths:
                for i in range(len(run) - size + 1):
                    hit = self.tokens.get(run[i : i + size])
                    if hit is not None:
                        found[hit.value] = hit
        lower = text.lower()
        if "@" in lower:
            for address in _EMAIL.findall(lower):
                if address in self.emails:
                    found[address] = self.emails[address]
        for phrase, secret in self.phrases.items():
            if phrase in lower:
                found[phrase] = secret
        return found


def _decoded(line: str) -> str:
    """A JSON line's values as plain text (escapes undone), or ``""``."""
    try:
        data = json.loads(line)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return "\n".join(str(value) for value in data.values())


def search(files: Iterable[Path], wanted: Iterable[Secret]) -> Iterator[Hit]:
    """Every line of ``files`` that holds one of ``wanted`` (see :class:`Needles`); a JSON line
    with escapes is searched decoded as well, so an escaped character cannot hide a value."""
    needles = Needles(wanted)
    for path in files:
        with path.open(encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                found = needles.find(line)
                if "\\" in line and path.suffix == ".jsonl":
                    found |= needles.find(_decoded(line))
                for secret in found.values():
                    yield Hit(path, number, secret)


@attrs.frozen
class Report:
    files: int
    records: int
    secrets: int
    hits: tuple[Hit, ...]
    problems: tuple[str, ...]


def count_records(files: Iterable[Path]) -> int:
    """Records in the JSON files (one per line; the text files hold the same records)."""
    total = 0
    for path in files:
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8", errors="replace") as f:
                total += sum(1 for _ in f)
    return total


def check(folder: Path, *, expect_records: int = 1) -> Report:
    """Search the run's logs in ``folder``; ``problems`` says why a clean result would prove
    nothing (no files, too few records, a process whose capture never started, a search that
    misses a planted secret)."""
    files = log_files(folder)
    wanted = recorded_secrets(folder) + demo_secrets()
    hits = tuple(search(files, wanted))
    records = count_records(files)
    problems = []
    if not files:
        problems.append(f"no log files in {folder}")
    if records < expect_records:
        problems.append(f"only {records} log records, expected at least {expect_records}")
    for path in files:
        if f".{SERVER}" in path.name:
            continue
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        if "log capture started for" not in head:
            problems.append(f"{path.name} does not start with the capture's first record")
    problems.extend(_self_test(files, wanted, folder))
    return Report(len(files), records, len(wanted), hits, tuple(problems))


def _self_test(files: list[Path], wanted: list[Secret], folder: Path) -> list[str]:
    """Plant a secret in a copy of a real log line: the search must find it."""
    if not files or len(wanted) < 2:
        return ["nothing to search for, or nowhere to search"]
    planted = folder / "planted.check"
    real = files[-1].read_text(encoding="utf-8", errors="replace").splitlines()[-1:] or [""]
    secret = wanted[-1]
    planted.write_text(real[0] + "\n" + real[0].replace(" ", f" {secret.value} ", 1) + "\n")
    try:
        found = [(h.line, h.secret) for h in search([planted], [secret])]
    finally:
        planted.unlink()
    if found != [(2, secret)]:
        return [f"the search did not find a planted {secret.kind}"]
    return []
