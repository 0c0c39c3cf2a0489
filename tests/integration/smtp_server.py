"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepts and can be told to
answer with an error: after N messages, for certain recipients, or every time."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mailbox:
    """The handler: ``accept`` messages before answering ``refuse_with`` to every DATA, and
    ``reject`` (address → answer) at RCPT."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.accept: int | None = None
        self.refuse_with = "421 4.3.2 service shutting down"
        self.reject: dict[str, str] = {}
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            if self.accept is not None and len(self.messages) >= self.accept:
                return self.refuse_with
            self.messages.append(
                email.message_from_bytes(
                    envelope.content, _class=EmailMessage, policy=email.policy.default
                )
            )
        return "250 OK"

    def to(self) -> list[str]:
        """The bare addresses of every message accepted, in order."""
        return [str(m["To"].addresses[0].addr_spec) for m in self.messages]

    def text(self, message: EmailMessage) -> str:
        body = message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """Start the server on a free port; yields the mailbox and the port."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
