"""HTTP for the json directory source: follow ``next`` links, PATCH wards back."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from kdc_core.directory.values import DirectoryRecord, SourceError, WardPush
from kdc_core.plugin_config import positive, setting

_TEXT = ("email", "phone", "job_title", "service", "directorate", "manager_id", "team", "location")
#: The largest page read, in bytes; a bigger answer is refused without being read whole.
MAX_PAGE = 64 * 1024 * 1024


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    made = _Object(pairs)
    if len(made) != len(pairs):
        seen: set[str] = set()
        twice = []
        for key, _ in pairs:
            if key in seen:
                twice.append(key)
            seen.add(key)
        made.duplicates = tuple(twice)
    return made


@attrs.frozen
class JsonOptions:
    url: str
    token: str = attrs.field(repr=False)
    timeout: float = 30.0

    def with_url(self, url: str) -> JsonOptions:
        return attrs.evolve(self, url=url)


@attrs.frozen
class JsonSection:
    """The ``[plugins.directory_json]`` section as written."""

    url: str = ""
    token_env: str = "KDC_DIRECTORY_TOKEN"
    timeout: float = setting(30.0, expect="a number of seconds", check=positive)


def options_from_config(
    section: JsonSection, environ: Mapping[str, str], need_token: bool = True
) -> JsonOptions:
    """The section plus the token from the environment."""
    token = environ.get(section.token_env, "")
    if need_token and not token:
        raise SourceError(
            f"the json source needs a token in the environment variable {section.token_env}"
        )
    return JsonOptions(section.url, token, section.timeout)


def _request(options: JsonOptions, url: str, method: str = "GET", body: Any = None) -> Any:
    # Imported here: every ``kdc`` command loads this plugin to check its config.
    import urllib.error
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {options.token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=options.timeout) as response:
            raw = response.read(MAX_PAGE + 1)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{method} {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SourceError(f"{method} {url}: {getattr(exc, 'reason', exc)}") from None
    if not raw:
        return None
    if len(raw) > MAX_PAGE:
        raise SourceError(f"{method} {url}: the answer is larger than {MAX_PAGE:,} bytes")
    try:
        return json.loads(raw, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{method} {url}: the answer is not JSON (line {exc.lineno} column {exc.colno}: "
            f"{exc.msg})"
        ) from None
    except ValueError:
        raise SourceError(f"{method} {url}: the answer is not JSON") from None


def _record(item: Any, where: str) -> DirectoryRecord:
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    twice = getattr(item, "duplicates", ())
    if twice:
        raise ValueError(f"the key {twice[0]!r} is given twice; one value would be lost")
    for key in _TEXT:
        if isinstance(item.get(key), dict | list | bool):
            raise ValueError(f"{key} must be text, not {type(item[key]).__name__}")
    for key in ("person_id", "given_name", "family_name"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise ValueError(f"no {key}")
    wards = item.get("wards") or []
    if not isinstance(wards, list) or not all(isinstance(w, str) for w in wards):
        raise ValueError("wards must be a list of ward names")
    stamp = item.get("updated_at")
    updated = None
    if stamp:
        updated = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        if updated.tzinfo is None:
            raise ValueError(f"updated_at {stamp!r} has no UTC offset")
    text = {k: (str(item[k]).strip() or None) if item.get(k) is not None else None for k in _TEXT}
    return DirectoryRecord(
        person_id=item["person_id"].strip(),
        given_name=item["given_name"].strip(),
        family_name=item["family_name"].strip(),
        wards=tuple(w.strip() for w in wards if w.strip()),
        updated_at=updated,
        origin=where,
        **text,
    )


def read_pages(options: JsonOptions) -> Iterator[DirectoryRecord]:
    """Every record on every page; bad records are collected and reported together."""
    url: str | None = options.url
    page = 0
    problems: list[str] = []
    seen: set[str] = set()
    while url:
        if url in seen:
            raise SourceError(f"{url}: the pages loop back on themselves")
        seen.add(url)
        page += 1
        body = _request(options, url)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise SourceError(f'GET {url}: expected {{"records": [...], "next": ...}}')
        for n, item in enumerate(body["records"], start=1):
            pid = item.get("person_id") if isinstance(item, dict) else None
            where = f"page {page} record {n}" + (f" ({pid})" if pid else "")
            try:
                yield _record(item, where)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
        following = body.get("next")
        url = urllib.parse.urljoin(url, following) if following else None
    if problems:
        raise SourceError(
            f"{options.url}: {len(problems)} bad record(s); nothing was changed:", problems
        )


def patch_wards(options: JsonOptions, pushes: Sequence[WardPush]) -> int:
    base = options.url.rstrip("/")
    for push in pushes:
        target = f"{base}/{urllib.parse.quote(push.person_id, safe='')}"
        _request(options, target, "PATCH", {"wards": list(push.wards)})
    return len(pushes)
