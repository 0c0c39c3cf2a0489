"""kdc serve keeps a connection open after a 304 or 204, as HTTP/1.1 allows (waitress alone
closes it after any response without Content-Length)."""

from __future__ import annotations

import http.client
import io
from collections.abc import Iterator

import pytest

from kdc_admin.keepalive import SEND_CHUNK, KeepAliveChannel
from kdc_admin.server import make_server
from kdc_admin.testing import running


def _app(environ, start_response):
    status = {"/304": "304 Not Modified", "/204": "204 No Content"}.get(
        environ["PATH_INFO"], "200 OK"
    )
    headers = [("ETag", '"v1"')] if status != "200 OK" else [("Content-Length", "2")]
    start_response(status, headers)
    return [b"" if status != "200 OK" else b"ok"]


@pytest.fixture
def port() -> Iterator[int]:
    with running(make_server(_app, "127.0.0.1", 0, threads=2)) as port:
        yield port


def _ask(connection: http.client.HTTPConnection, path: str, **headers: str):
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    return response, body


@pytest.mark.parametrize("path", ["/304", "/204"])
def test_the_connection_stays_open_after_a_response_without_a_body(port: int, path: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        first, _ = _ask(connection, path)
        assert first.getheader("Connection") is None and not first.will_close
        sock = connection.sock
        second, body = _ask(connection, "/")
        assert (second.status, body) == (200, b"ok")
        assert connection.sock is sock  # the same connection carried the next request
    finally:
        connection.close()


def test_a_client_that_asks_to_close_still_has_it_closed(port: int):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        response, _ = _ask(connection, "/304", Connection="close")
        assert response.status == 304 and response.will_close
        assert response.getheader("Connection") == "close"
    finally:
        connection.close()


def _big(environ, start_response):
    body = bytes(range(256)) * (3 * 4096)  # 3 MiB
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return environ["wsgi.file_wrapper"](io.BytesIO(body))


def test_a_large_file_response_goes_out_whole_in_pieces_of_at_most_the_send_chunk():
    sizes: list[int] = []
    real_send = KeepAliveChannel.send

    def send(self, data, do_close=True):
        sizes.append(len(data))
        return real_send(self, data, do_close)

    KeepAliveChannel.send = send  # type: ignore[method-assign]
    try:
        with running(make_server(_big, "127.0.0.1", 0, threads=1)) as port:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            response, body = _ask(connection, "/")
            connection.close()
    finally:
        KeepAliveChannel.send = real_send  # type: ignore[method-assign]
    assert response.status == 200 and body == bytes(range(256)) * (3 * 4096)
    assert len(sizes) > 3 and max(sizes) <= SEND_CHUNK
