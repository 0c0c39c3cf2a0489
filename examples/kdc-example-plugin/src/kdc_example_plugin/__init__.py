"""An example third-party kdc plugin.

It implements three hooks:

- ``kdc_check_config`` reads ``[plugins.example]`` from kdc.toml into a frozen
  :class:`ExampleConfig` and stops startup with a message naming the key if it is wrong;
- ``kdc_register_commands`` adds ``kdc ward-emails WARD``, which prints the email addresses
  of the ward's councillors one per line, ready to paste into a mail merge;
- ``kdc_changes_committed`` appends a line per change to the log file named by
  ``[plugins.example] log_file``, whether the change came from the admin, the CLI, an import
  or code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from kdc_core import hookimpl
from kdc_core.cli import pass_kdc
from kdc_core.config import Settings
from kdc_core.errors import ConfigError, KdcError
from kdc_core.plugin_config import setting

if TYPE_CHECKING:
    from kdc_core import ChangeSet, Kdc

__version__ = "0.1.0"

SECTION = "example"


def _not_blank(value: str) -> bool:
    return bool(value.strip())


@attrs.frozen
class ExampleSection:
    """The ``[plugins.example]`` section as written (read with ``settings.plugin_config``)."""

    log_file: str | None = setting(None, expect="a file path", check=_not_blank)


@attrs.frozen
class ExampleConfig:
    """The ``[plugins.example]`` section.

    :ivar log_file: where to append one line per committed change; a relative path is
        taken from the instance folder. ``None`` (the default) keeps no log.
    """

    log_file: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ExampleConfig:
        """Read and check the section.

        :raises ConfigError: naming ``plugins.example.<key>``.
        """
        section = settings.plugin_config(SECTION, into=ExampleSection)
        if section.log_file is None:
            return cls()
        path = Path(section.log_file.strip()).expanduser()
        if not path.is_absolute():
            path = settings.instance_path / path
        if path.is_dir():
            key = f"plugins.{SECTION}.log_file"
            raise ConfigError(f"{settings.source}: {key}: is a folder: {path}", key=key)
        return cls(log_file=path)


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    ExampleConfig.from_settings(settings)


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(ward_emails)


@click.command("ward-emails")
@click.argument("ward")
@pass_kdc
def ward_emails(kdc: Kdc, ward: str) -> None:
    """Print the email addresses of WARD's councillors, one per line.

    WARD is a ward name (any case) or its slug. Councillors without an email address are
    named on stderr, so stdout stays a clean list for a mail merge.
    """
    with kdc.unit_of_work(source="cli:ward-emails", dry_run=True) as uow:
        found = uow.people.ward(ward)
        councillors = uow.people.councillors(ward_id=found.id)
    emails = [c.email for c in councillors if c.email]
    for councillor in councillors:
        if not councillor.email:
            click.echo(f"note: {councillor.name} has no email address", err=True)
    if not emails:
        raise KdcError(f"no councillor in {found.name} has an email address")
    for email in emails:
        click.echo(email)


@hookimpl
def kdc_changes_committed(changes: ChangeSet, kdc: Kdc) -> None:
    config = ExampleConfig.from_settings(kdc.settings)
    if config.log_file is None:
        return
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        "\t".join(
            (stamp, c.source, c.entity, c.action.value, str(c.key), c.label, ",".join(c.fields))
        )
        + "\n"
        for c in changes
    ]
    config.log_file.parent.mkdir(parents=True, exist_ok=True)
    with config.log_file.open("a", encoding="utf-8") as log:
        log.writelines(lines)
