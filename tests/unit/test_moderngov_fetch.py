"""Reading SOURCE: files and http(s) URLs, with errors that name the source."""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kdc_core.errors import ImportFailed
from kdc_moderngov.fetch import fetch


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """An http.server on 127.0.0.1 serving ``tmp_path``; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def failure(source: str, timeout: float = 5) -> str:
    with pytest.raises(ImportFailed) as info:
        fetch(source, timeout=timeout)
    return str(info.value)


def test_reads_a_file(tmp_path):
    path = tmp_path / "a.xml"
    path.write_bytes(b"<councillorsbyward/>")
    assert fetch(str(path), timeout=1) == b"<councillorsbyward/>"


def test_missing_file_and_directory_are_named(tmp_path):
    assert failure(str(tmp_path / "nope.xml")) == f"{tmp_path / 'nope.xml'}: file not found"
    assert failure(str(tmp_path)) == f"{tmp_path}: is a directory, not a file"


def test_other_url_schemes_are_refused():
    assert "only http:// and https:// URLs" in failure("ftp://example.org/a.xml")


def test_reads_an_http_url(tmp_path, served):
    (tmp_path / "a.xml").write_bytes(b"<councillorsbyward/>")
    assert fetch(f"{served}/a.xml", timeout=5) == b"<councillorsbyward/>"


def test_http_error_status_is_reported(served):
    assert failure(f"{served}/missing.xml") == (
        f"{served}/missing.xml: the server answered HTTP 404 File not found"
    )


def test_a_server_that_never_answers_times_out():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/GetCouncillorsByWard"
        assert failure(url, timeout=0.3) == f"{url}: no answer within 0.3 seconds"


def test_a_closed_port_is_reported():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    message = failure(f"http://127.0.0.1:{port}/x.xml")
    assert message.startswith(f"http://127.0.0.1:{port}/x.xml: cannot fetch:")
