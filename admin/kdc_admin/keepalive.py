"""waitress, keeping the connection open after a response that cannot have a body, and
sending a large response without copying it again and again.

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


#: The most a channel reads from a response to hand the socket in one send. waitress reads as
#: much as the socket's send buffer holds, which on a connection from nginx on the same host
#: is about 4 MiB: each partial send of a 3 MiB feed then read (copied) the whole remainder
#: again. Reading a quarter of a MiB at a time keeps each copy small.
SEND_CHUNK = 256 * 1024


class KeepAliveChannel(HTTPChannel):
    """waitress's channel with :class:`KeepAliveTask`, reading at most :data:`SEND_CHUNK` of
    a response per send."""

    task_class = KeepAliveTask

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given: int = self.sendbuf_len  # type: ignore[has-type]
        self.sendbuf_len = min(given, SEND_CHUNK)


def keep_bodiless_alive(server: Any) -> Any:
    """``server`` (what :func:`waitress.create_server` returned), its channels using
    :class:`KeepAliveTask`."""
    for each in (server, *getattr(server, "map", {}).values()):
        if isinstance(each, BaseWSGIServer):
            each.channel_class = KeepAliveChannel
    return server
