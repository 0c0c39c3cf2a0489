"""The built-in SMTP mailer against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from kdc_core.config import Settings
from kdc_core.errors import ConfigError
from kdc_core.mail.delivery import DeliveryError
from kdc_core.mail.message import make_message
from kdc_smtp import SmtpConfig, SmtpTransport, open_smtp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Handler:
    """Accepts mail; answers the first ``fail`` DATA commands with ``code``."""

    def __init__(self, fail: int = 0, code: str = "451 4.3.0 try later") -> None:
        self.fail, self.code = fail, code
        self.messages: list[Any] = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.fail:
            self.fail -= 1
            return self.code
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def server() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def settings(tmp_path: Path, **smtp: Any) -> Settings:
    return Settings(
        database_url="sqlite://",
        instance_path=tmp_path,
        environ={"SMTP_PW": "x"},
        plugin_sections={"smtp": smtp},
    )


def message(n: int) -> Any:
    return make_message(
        sender="news@kirklees.test",
        to=f"c{n}@kirklees.test",
        subject=f"Issue {n}",
        html=f"<p>{n}</p>",
        text=str(n),
        unsubscribe_url="https://kdc.test/u/1",
    )


def test_one_connection_carries_every_message_of_a_run(server, tmp_path):
    handler, port = server
    with open_smtp(settings(tmp_path, port=port)) as transport:
        refs = [transport.send_email(message(n)) for n in range(5)]
    assert len(handler.messages) == 5 and handler.connections == 1
    assert len(set(refs)) == 5
    got = handler.messages[0]
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got.get_content_type() == "multipart/alternative"


def test_a_temporary_refusal_is_retried_on_a_fresh_connection(server, tmp_path):
    handler, port = server
    handler.fail = 2
    transport = SmtpTransport(SmtpConfig(port=port, retries=2))
    transport.send_email(message(1))
    transport.close()
    assert len(handler.messages) == 1 and transport.connections == 3


def test_a_permanent_refusal_stops_without_retrying(server, tmp_path):
    handler, port = server
    handler.fail, handler.code = 5, "550 5.1.1 no such user"
    transport = SmtpTransport(SmtpConfig(port=port, retries=3))
    with pytest.raises(DeliveryError, match="550"):
        transport.send_email(message(1))
    transport.close()
    assert handler.fail == 4


def test_no_server_fails_after_the_retries_naming_host_and_port(tmp_path):
    port = free_port()
    transport = SmtpTransport(SmtpConfig(port=port, retries=1, timeout=2))
    with pytest.raises(DeliveryError, match=f"127.0.0.1:{port} after 2 attempts"):
        transport.send_email(message(1))


def test_starttls_is_asked_for_when_configured(server, tmp_path):
    _, port = server
    transport = SmtpTransport(SmtpConfig(port=port, starttls=True, retries=0))
    # aiosmtpd without a TLS context does not offer STARTTLS: smtplib refuses, so the
    # message is not sent in clear text.
    with pytest.raises(DeliveryError, match="STARTTLS"):
        transport.send_email(message(1))


def test_config_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError) as info:
        SmtpConfig.from_settings(settings(tmp_path, prot=25))
    assert info.value.key == "plugins.smtp.prot"
    with pytest.raises(ConfigError) as info:
        SmtpConfig.from_settings(settings(tmp_path, port="25"))
    assert info.value.key == "plugins.smtp.port"
    config = SmtpConfig.from_settings(settings(tmp_path, password={"$env": "SMTP_PW"}))
    assert config.password == "x" and "x" not in repr(config)
