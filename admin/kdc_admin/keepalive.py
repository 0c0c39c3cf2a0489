"""waitress, keeping the connection open after a response that cannot have a body.

waitress closes the connection after any HTTP/1.1 response that has no Content-Length,
including a 304 (Not Modified) or 204 (No Content), which by definition end with their headers
(RFC 9110 sections 15.3.5 and 15.4.5). A calendar client polling its feed mostly gets 304s; behind
nginx every one of them then cost a new connection between the proxy and the worker. Imported
only by :func:`kdc_admin.server.make_server`, so commands that do not serve skip waitress.
"""

from __future__ import annotations

from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.task import WSGITask


class KeepAliveTask(WSGITask):
    """A WSGI task that leaves a bodiless HTTP/1.1 response's connection open unless the client
    asked to close it; every other reason waitress has to close it still applies."""

    _bodiless = False

    def build_response_header(self) -> bytes:
        self._bodiless = (
            self.version == "1.1"
            and not self.has_body
            and self.request.headers.get("CONNECTION", "").lower() != "close"
        )
        try:
            header: bytes = super().build_response_header()
            return header
        finally:
            self._bodiless = False

    def set_close_on_finish(self) -> None:
        if not self._bodiless:
            super().set_close_on_finish()


class KeepAliveChannel(HTTPChannel):
    task_class = KeepAliveTask


def keep_bodiless_alive(server: Any) -> Any:
    """``server`` (what :func:`waitress.create_server` returned), its channels using
    :class:`KeepAliveTask`."""
    for each in (server, *getattr(server, "map", {}).values()):
        if isinstance(each, BaseWSGIServer):
            each.channel_class = KeepAliveChannel
    return server
