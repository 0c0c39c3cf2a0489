"""Run a WSGI app with waitress, the production server ``kdc serve`` and ``kdc demo`` use."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any

import click

from kdc_core.app import Kdc
from kdc_core.errors import KdcError


class SchemaOutOfDate(KdcError):
    """The database schema is not at the version this kdc-core expects."""

    exit_code = 2


def check_schema(kdc: Kdc) -> None:
    """:func:`kdc_core.db.migrate.require_schema`, as the web server's start-up check.

    :raises SchemaOutOfDate: telling the person to run ``kdc init`` (or ``kdc demo``).
    """
    from kdc_core.db.migrate import require_schema

    try:
        require_schema(kdc.engine)
    except KdcError as exc:
        raise SchemaOutOfDate(f"{exc} (or `kdc demo` for a demo council)") from None


#: The headers believed from a trusted reverse proxy.
PROXY_HEADERS = frozenset(
    {"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"}
)


def make_server(
    app: Callable[..., Any],
    host: str,
    port: int,
    threads: int = 4,
    trusted_proxy: str | None = None,
) -> Any:
    """Bind a waitress server now (so a busy port fails before anything else happens).

    :param trusted_proxy: the address of a reverse proxy in front of the server. Requests from
        it have their client address, scheme, host and port taken from its ``X-Forwarded-*``
        headers (so the app knows a request came over HTTPS and checks the Referer of every
        POST against the public host). Those headers are removed from any other request.
    :raises KdcError: the address cannot be used.
    """
    from waitress import create_server

    from kdc_admin.keepalive import keep_bodiless_alive

    proxy: dict[str, Any] = {}
    if trusted_proxy:
        proxy = {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_headers": set(PROXY_HEADERS),
            "clear_untrusted_proxy_headers": True,
        }
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="kdc", **proxy)
        return keep_bodiless_alive(server)
    except OSError as exc:
        raise KdcError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def server_url(server: Any, host: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{server.effective_port}/"


def _stop_on_signals() -> None:
    """Let Ctrl-C (SIGINT) and SIGTERM both stop the server cleanly: open connections are
    closed and the worker threads end, rather than the process dying mid-request. A process
    can inherit either signal ignored or blocked (a background job of a script, a test
    runner, some supervisors); it is taken back here, so the server always stops when told."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def run(server: Any, url: str, lines: Iterable[str] = ()) -> None:
    """Print where the app is, then serve until interrupted (Ctrl-C, or SIGTERM as systemd
    sends)."""
    _stop_on_signals()
    try:
        click.echo(f"Serving kdc at {url} (press Ctrl-C to stop)")
        for line in lines:
            click.echo(line)
        server.run()  # waitress returns (rather than raising) on Ctrl-C
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM, even before serving began
        pass
    finally:
        server.close()
        server.task_dispatcher.shutdown()
    click.echo("Stopped.")
