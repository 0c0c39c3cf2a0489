"""How much does the outbox cost over sending directly? Two ratios against the targets.

    .venv/bin/python benchmarks/outbox.py [--messages 20000] [--database-url URL]

A real SMTP server (aiosmtpd, in its own process, discarding what it receives) listens on
127.0.0.1. On a fresh database (a temporary SQLite file unless ``--database-url`` names an
empty PostgreSQL database):

1. **queue**: ``--messages`` messages queued with :func:`kdc_core.mail.outbox.queue` in one
   unit of work (rendering each message, checking each address, the idempotency keys),
   against the floor: a raw ``executemany`` INSERT of the same rows, already rendered.
   Target: within 3x the floor.
2. **dispatch**: every queued message sent by :func:`kdc_core.mail.dispatch.dispatch`
   (claims, one transaction per message marking it sent), against the floor: a bare
   ``smtplib`` loop sending the same bytes to the same server over one connection.
   Target: within 2x the floor.

Prints each time, the ratio and PASS or FAIL; exits non-zero on FAIL.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import delete, insert, select

from kdc_core.app import Kdc
from kdc_core.config import MailSettings, Settings
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.mail import outbox
from kdc_core.mail.dispatch import dispatch
from kdc_core.mail.outbox import Outgoing
from kdc_core.plugins import make_plugin_manager

QUEUE_TARGET = 3.0
DISPATCH_TARGET = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def smtp_sink() -> Iterator[int]:
    """aiosmtpd's Sink handler in a process of its own, so it does not share our GIL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"127.0.0.1:{port}",
        ],
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the SMTP server did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def messages(n: int) -> list[Outgoing]:
    return [
        Outgoing(
            key=f"benchmark:{i}",
            kind="benchmark",
            to_address=f"councillor{i % 69}@kirklees.example",
            to_name=f"Councillor {i % 69}",
            subject=f"Your enquiry KE-2027-{i:06d} is with Highways",
            text="Dear Councillor,\n\nYour enquiry is with the named officer.\n" * 5,
            html="<p>Dear Councillor,</p><p>Your enquiry is with the named officer.</p>" * 5,
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, smtp_sink() as port:
        folder = Path(tmp)
        settings = Settings(
            database_url=args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
            instance_path=folder / "instance",
            plugin_sections={"smtp": {"host": "127.0.0.1", "port": port, "retries": 0}},
            mail=MailSettings(mailer="smtp", sender="councillor-support@kirklees.example"),
        )
        kdc = Kdc(settings, make_plugin_manager(settings))
        kdc.upgrade_schema()
        batch = messages(args.messages)

        # 1. queue, against a raw executemany of the same rows
        start = time.perf_counter()
        with kdc.unit_of_work(source="benchmark") as uow:
            report = outbox.queue(uow, batch)
        queue_time = time.perf_counter() - start
        assert len(report.queued) == args.messages, report
        with kdc.engine.begin() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(OutboxMessageRow.__table__))]
            conn.execute(delete(OutboxMessageRow))
        for row in rows:
            row.pop("id")
        start = time.perf_counter()
        with kdc.engine.begin() as conn:
            conn.execute(insert(OutboxMessageRow), rows)
        raw_time = time.perf_counter() - start
        with kdc.engine.begin() as conn:
            conn.execute(delete(OutboxMessageRow))
            conn.execute(insert(OutboxMessageRow), rows)

        # 2. dispatch, against a bare smtplib loop over one connection
        bodies = [(r["recipient"], r["body"]) for r in rows]
        start = time.perf_counter()
        smtp = smtplib.SMTP("127.0.0.1", port)
        for recipient, body in bodies:
            smtp.sendmail(settings.mail.sender, [recipient], body)
        smtp.quit()
        floor = time.perf_counter() - start
        start = time.perf_counter()
        sent = dispatch(kdc)
        dispatch_time = time.perf_counter() - start
        assert sent.sent == args.messages, sent
        kdc.dispose()

    failed = False
    for label, ours, base, target in (
        (f"queue {args.messages:,} messages", queue_time, raw_time, QUEUE_TARGET),
        (f"dispatch {args.messages:,} messages", dispatch_time, floor, DISPATCH_TARGET),
    ):
        ratio = ours / base
        verdict = "PASS" if ratio <= target else "FAIL"
        failed |= verdict == "FAIL"
        print(
            f"{label}: {ours:.2f} s against {base:.2f} s floor = {ratio:.2f}x "
            f"(target <= {target:g}x) {verdict}"
        )
    print(f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {kdc.engine.dialect.name})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
