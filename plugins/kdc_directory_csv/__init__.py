"""The staff directory as a CSV file: ``kdc directory sync csv FILE``.

Reads the columns of the council's directory export (``person_id``, ``given_name``,
``family_name``, ``email``, ``phone``, ``job_title``, ``service``, ``directorate``,
``manager_id``, ``team``, ``wards``, ``location``, ``updated_at``). Another export's headings
can be mapped in ``kdc.toml``::

    [plugins.directory_csv]
    encoding = "cp1252"          # default: sniffed (UTF-8, with or without BOM, else cp1252)
    delimiter = ";"              # default: sniffed from , ; tab |
    ward_separator = "|"         # default: ";" (or "|" when the delimiter is ";")
    [plugins.directory_csv.columns]
    person_id = "Employee No"
    job_title = "Post title"
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kdc_core import hookimpl
from kdc_core.config import Settings
from kdc_core.directory.values import DirectorySource
from kdc_directory_csv.reader import CsvOptions, read_csv

NAME = "directory_csv"


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    settings.plugin_config(NAME, into=CsvOptions)


def _read(args: Sequence[str], settings: Settings) -> Any:
    if len(args) != 1:
        from kdc_core.directory.values import SourceError

        raise SourceError("the csv source takes one argument: the CSV file to read")
    return read_csv(args[0], settings.plugin_config(NAME, into=CsvOptions))


@hookimpl
def kdc_register_directory_sources(register: Callable[[DirectorySource], None]) -> None:
    register(
        DirectorySource(
            name="csv",
            help="The staff directory as a CSV file (kdc directory sync csv FILE).",
            read=_read,
        )
    )


__all__ = ["CsvOptions", "read_csv"]
