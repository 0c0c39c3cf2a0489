"""Download one file over HTTP(S), bounded in time, size and redirects: :func:`download`.

Used to copy councillors' photos to this site. Every way a download can go wrong becomes a
:class:`DownloadFailed` whose message a person can read ("the server answered 404"), so a
caller can report it against the councillor and carry on with the next one.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urlsplit

#: Redirects followed before giving up.
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024
_USER_AGENT = "kdc-core (councillor photos)"


class DownloadFailed(Exception):
    """A download did not give a whole body; the message says why, for a person."""


def size_text(n: int) -> str:
    """``2 MB`` for 2 MiB, ``512 kB``, ``300 bytes``."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    if n >= 1024:
        return f"{n / 1024:.3g} kB"
    return f"{n} bytes"


class _Redirects(urllib.request.HTTPRedirectHandler):
    """At most :data:`MAX_REDIRECTS` redirects, and only to http or https addresses."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise DownloadFailed("the server redirected to an address that is not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # Only HTTP(S), redirects as above, and the environment's proxy settings: no file:,
    # ftp: or data: handlers.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        _Redirects(),
    ):
        opener.add_handler(handler)
    return opener


def _read(response: Any, max_bytes: int, deadline: float, took_too_long: str) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise DownloadFailed(f"larger than {size_text(max_bytes)}")
    body = bytearray()
    while True:
        chunk = response.read(min(_CHUNK, max_bytes + 1 - len(body)))
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > max_bytes:
            raise DownloadFailed(f"larger than {size_text(max_bytes)}")
        if time.monotonic() > deadline:
            raise DownloadFailed(took_too_long)


def download(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """The body at ``url``: fetched with ``timeout`` seconds for the whole download, read up
    to ``max_bytes`` (stopping as soon as a body is longer), following up to
    :data:`MAX_REDIRECTS` redirects.

    :raises DownloadFailed: the address is not http(s), the server could not be reached or
        answered an error, the body is too big or too slow, or there were too many redirects.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadFailed("the photo address is not an http(s) address")
    host = parts.hostname
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT, "Accept": "image/*"})
    deadline = time.monotonic() + timeout
    too_long = f"the download from {host} took longer than {timeout:g} seconds"
    try:
        with _opener().open(request, timeout=timeout) as response:
            return _read(response, max_bytes, deadline, too_long)
    except DownloadFailed:
        raise
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise DownloadFailed(f"more than {MAX_REDIRECTS} redirects from {host}") from None
        raise DownloadFailed(f"{host} answered {exc.code}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DownloadFailed(f"no answer from {host} within {timeout:g} seconds") from None
        raise DownloadFailed(f"could not reach {host} ({exc.reason})") from None
    except TimeoutError:
        raise DownloadFailed(f"no answer from {host} within {timeout:g} seconds") from None
    except (http.client.HTTPException, OSError, ValueError) as exc:
        raise DownloadFailed(f"the download from {host} failed ({type(exc).__name__})") from None
