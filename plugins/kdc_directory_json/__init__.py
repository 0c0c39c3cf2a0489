"""The staff directory as a paged HTTP JSON API: ``kdc directory sync json [URL]``.

Configure it in ``kdc.toml`` (the token comes from the environment, never the file)::

    [plugins.directory_json]
    url = "https://directory.example.gov.uk/api/people"
    token_env = "KDC_DIRECTORY_TOKEN"    # the default
    timeout = 30                          # seconds per request

Each page is ``{"records": [...], "next": URL or null}``; a record has the directory
fields (``person_id``, ``given_name``, ``family_name``, ``email``, ``phone``, ``job_title``,
``service``, ``directorate``, ``manager_id``, ``team``, ``wards`` (a list), ``location``,
``updated_at``). Requests carry ``Authorization: Bearer TOKEN``. ``--push-wards`` sends
``PATCH URL/PERSON_ID`` with ``{"wards": [...]}`` for each officer with wards added in kdc.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kdc_core import hookimpl
from kdc_core.config import Settings
from kdc_core.directory.values import DirectorySource, SourceError, WardPush
from kdc_directory_json.client import (
    JsonOptions,
    JsonSection,
    options_from_config,
    patch_wards,
    read_pages,
)

NAME = "directory_json"


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    settings.plugin_config(NAME, into=JsonSection)


def _options(args: Sequence[str], settings: Settings) -> JsonOptions:
    if len(args) > 1:
        raise SourceError("the json source takes at most one argument: the API's URL")
    options = options_from_config(settings.plugin_config(NAME, into=JsonSection), settings.environ)
    if args:
        options = options.with_url(args[0])
    if not options.url:
        raise SourceError(f"no URL: give one, or set plugins.{NAME}.url in kdc.toml")
    return options


def _read(args: Sequence[str], settings: Settings) -> Any:
    return read_pages(_options(args, settings))


def _push(args: Sequence[str], settings: Settings, pushes: Sequence[WardPush]) -> int:
    return patch_wards(_options(args, settings), pushes)


@hookimpl
def kdc_register_directory_sources(register: Callable[[DirectorySource], None]) -> None:
    register(
        DirectorySource(
            name="json",
            help="A paged HTTP JSON directory API (kdc directory sync json [URL]).",
            read=_read,
            push_wards=_push,
        )
    )
