"""Reading a source: a local file or an http(s) URL, with a timeout and a size limit."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from kdc_core import __version__
from kdc_core.errors import ImportFailed

#: Far above any council's answer (Kirklees' is about 150 kB); stops a runaway download.
MAX_BYTES = 50 * 1024 * 1024
USER_AGENT = f"kdc-core/{__version__}"


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def fetch(source: str, *, timeout: float) -> bytes:
    """The bytes at ``source``: an ``http://`` or ``https://`` URL, else a file path.

    :raises ImportFailed: naming the source when it cannot be read, the server answers with
        an error, the wait passes ``timeout`` seconds or the answer passes :data:`MAX_BYTES`.
    """
    if is_url(source):
        return _fetch_url(source, timeout)
    return _read_file(source)


def _read_file(source: str) -> bytes:
    path = Path(source)
    if "://" in source:
        raise ImportFailed(
            "only http:// and https:// URLs or file paths can be read", source=source
        )
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportFailed(f"file is larger than {MAX_BYTES} bytes", source=source)
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed("file not found", source=source) from None
    except IsADirectoryError:
        raise ImportFailed("is a directory, not a file", source=source) from None
    except OSError as exc:
        raise ImportFailed(f"cannot read the file: {exc.strerror or exc}", source=source) from None


def _fetch_url(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/xml, application/xml"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ImportFailed(
            f"the server answered HTTP {exc.code} {exc.reason}", source=url
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise ImportFailed(f"no answer within {timeout:g} seconds", source=url) from None
        raise ImportFailed(f"cannot fetch: {reason}", source=url) from None
    except TimeoutError:
        raise ImportFailed(f"no answer within {timeout:g} seconds", source=url) from None
    except (OSError, http.client.HTTPException) as exc:
        raise ImportFailed(f"cannot fetch: {exc}", source=url) from None
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"the answer is larger than {MAX_BYTES} bytes", source=url)
    return data
