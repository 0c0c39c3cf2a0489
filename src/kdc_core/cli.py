"""The ``kdc`` command line. Plugins add commands through ``kdc_register_commands``.

:func:`main` loads the settings and the plugins only when a command is run: ``kdc --version``
needs neither, and ``kdc --help`` lists the commands from :mod:`kdc_core.cli_listing`
without importing the modules that define them.
"""

from __future__ import annotations

import functools
import gc
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kdc_core import __version__, logs
from kdc_core.errors import KdcError

if TYPE_CHECKING:
    from kdc_core.app import Kdc

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger(__name__)


def pass_kdc(f: F) -> F:
    """Decorator: pass the :class:`Kdc` application object as the first argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return f(click.get_current_context().find_root().obj, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def echo_json(data: Any) -> None:
    """Print one JSON document on stdout and nothing else."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


class KdcGroup(click.Group):
    """Turns a :class:`KdcError` anywhere below into a message and a non-zero exit, and so
    the commonest deployment mistakes (:mod:`kdc_core.failures`: a missing extra, a database
    that is away, refuses the login or stays locked): one line, exit 1, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KdcError as exc:
            fail(str(exc), exc.exit_code)
        except Exception as exc:
            from kdc_core import failures

            kdc = ctx.find_root().obj
            url = kdc.settings.database_url if _is_kdc(kdc) else None
            message = failures.explain(exc, url)
            if message is None:
                raise
            log.debug("the command stopped: %s", message, exc_info=True)
            fail(message)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """The command ``name``; a :class:`LazyCommand` is imported now and replaced."""
        command = super().get_command(ctx, name)
        if isinstance(command, LazyCommand):
            command = command.load()
            self.commands[name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their short help, without importing lazy ones."""
        shown: dict[str, click.Command] = {}
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or self.get_command(ctx, name)
            if command is not None:
                shown[name] = command
        click.Group(self.name, commands=shown).format_commands(ctx, formatter)


class LazyCommand(click.Command):
    """A top-level command known by its name and short help until it is run: the group
    imports ``target`` (``"module:attribute"``, a command or a function that makes one) only
    then, so a plugin can register its commands without importing what they need."""

    def __init__(self, name: str, target: str, short_help: str) -> None:
        super().__init__(name, help=short_help)
        self.target = target

    def load(self) -> click.Command:
        import importlib

        module, _, attribute = self.target.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        command = found if isinstance(found, click.Command) else found()
        if not isinstance(command, click.Command) or command.name != self.name:
            raise TypeError(f"{self.target} is not the command {self.name!r}")
        return command


def _is_kdc(obj: object) -> bool:
    """Whether ``obj`` is the application object (without importing it when it cannot be)."""
    app = sys.modules.get("kdc_core.app")
    return app is not None and isinstance(obj, app.Kdc)


@click.group(cls=KdcGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="KDC_CONFIG",
    help="kdc.toml to read (default: $KDC_CONFIG, else ./kdc.toml if present).",
)
@click.version_option(__version__, prog_name="kdc")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """kdc-core: councillors, officers, wards and the member-officer protocol."""


# -- schema and demo ------------------------------------------------------------------------------


@cli.command("init")
@pass_kdc
def init_cmd(kdc: Kdc) -> None:
    """Create the database schema, or upgrade it to the latest version; then add the enquiry
    categories kdc.toml configures that the database does not have yet."""
    from kdc_core.db.migrate import current_revision, head_revision
    from kdc_core.enquiries.categories import seed_from_settings

    before = current_revision(kdc.engine)
    kdc.upgrade_schema()
    after = current_revision(kdc.engine)
    if before == after:
        click.echo(f"Schema already at {after} ({_safe_url(kdc)}).")
    else:
        click.echo(
            f"Schema upgraded {before or 'empty'} → {after or head_revision()} ({_safe_url(kdc)})."
        )
    added = seed_from_settings(kdc)
    if added:
        click.echo(f"Enquiry categories added from {kdc.settings.source}: {', '.join(added)}.")


def _safe_url(kdc: Kdc) -> str:
    return kdc.engine.url.render_as_string(hide_password=True)


# -- plugins --------------------------------------------------------------------------------------


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def plugins_cmd(kdc: Kdc, as_json: bool) -> None:
    """List every plugin found: version, enabled or disabled, hooks implemented."""
    infos = kdc.pm.info()
    if as_json:
        echo_json(
            [
                {
                    "name": p.name,
                    "version": p.version,
                    "enabled": p.enabled,
                    "builtin": p.builtin,
                    "module": p.module,
                    "hooks": list(p.hooks),
                }
                for p in infos
            ]
        )
        return
    for p in infos:
        state = "enabled" if p.enabled else "disabled"
        version = p.version or "core"
        click.echo(f"{p.name} {version} [{state}]")
        for hook in p.hooks:
            click.echo(f"    {hook}")


# -- imports and exports (commands come from registered importers and exporters) --


class _RegistryGroup(KdcGroup):
    """A group whose subcommands come from a registry on the app object."""

    def __init__(self, *args: Any, factory: Callable[[Kdc], dict[str, click.Command]], **kw: Any):
        super().__init__(*args, **kw)
        self._factory = factory

    def _commands(self, ctx: click.Context) -> dict[str, click.Command]:
        kdc = ctx.find_root().obj
        return self._factory(kdc) if _is_kdc(kdc) else {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._commands(ctx))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands(ctx).get(name)


def _commands(make: str, registered: Iterable[Any]) -> dict[str, click.Command]:
    """A command for each registered importer or exporter (:mod:`kdc_core.cli_interchange`,
    imported only when ``kdc import`` or ``kdc export`` is used)."""
    from kdc_core import cli_interchange

    return {item.name: getattr(cli_interchange, make)(item) for item in registered}


cli.add_command(
    _RegistryGroup(
        "import",
        help="Import data from an outside source (one transaction; --dry-run to preview).",
        factory=lambda kdc: _commands("import_command", kdc.importers.values()),
    )
)
cli.add_command(
    _RegistryGroup(
        "export",
        help="Export the data in an outside format.",
        factory=lambda kdc: _commands("export_command", kdc.exporters.values()),
    )
)


def _calendar_group() -> click.Group:
    """A fresh ``kdc calendar`` group for each CLI build, so plugins' subcommands never leak."""

    @click.group("calendar", cls=KdcGroup)
    def calendar_group() -> None:
        """Calendar events: clash checks, pushing to CalDAV servers (plugins add commands)."""

    return calendar_group


# -- entry point ----------------------------------------------------------------------------------


def _config_from_argv(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def build_cli(kdc: Kdc) -> click.Group:
    """The ``kdc`` group with every enabled plugin's commands added.

    Groups that plugins extend (``kdc calendar``) are made afresh for each build.
    """
    group = KdcGroup(
        name="kdc",
        params=cli.params,
        callback=cli.callback,
        help=cli.help,
        commands={**cli.commands, "calendar": _calendar_group()},
    )
    kdc.hook.kdc_register_commands(cli=group)
    return group


class LazyCli(KdcGroup):
    """The ``kdc`` group :func:`main` runs when it is not handed an application object.

    It lists the commands from :func:`kdc_core.cli_listing.listing` (names and short help,
    nothing imported) and builds the real group — settings, plugins, :class:`Kdc`,
    :func:`build_cli` — the first time a command is looked up to be run.
    """

    def __init__(self, config_path: str | None) -> None:
        super().__init__(
            name="kdc", params=cli.params, callback=cli.callback, help=cli.help, commands={}
        )
        self.config_path = config_path
        self._full: click.Group | None = None
        self.kdc: Kdc | None = None

    def load(self, ctx: click.Context) -> click.Group:
        """The group with every enabled plugin's commands (built once)."""
        if self._full is None:
            from kdc_core.gcpause import paused

            # Start-up makes a great many long-lived objects: no collections while it runs.
            with paused():
                from kdc_core.app import Kdc
                from kdc_core.config import load_settings
                from kdc_core.plugins import make_plugin_manager

                settings = load_settings(self.config_path)
                kdc = Kdc(settings, make_plugin_manager(settings))
                ctx.find_root().obj = self.kdc = kdc
                self._full = build_cli(kdc)
        return self._full

    def list_commands(self, ctx: click.Context) -> list[str]:
        from kdc_core.cli_listing import listing

        return sorted(listing(self.config_path))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.load(ctx).get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kdc_core.cli_listing import listing

        listed = click.Group(self.name, commands=listing(self.config_path))
        listed.format_commands(ctx, formatter)


def main(argv: Sequence[str] | None = None, kdc: Kdc | None = None) -> None:
    """Console-script entry point: run the command (settings and plugins are loaded when a
    command needs them: not for ``--version`` or ``--help``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        logs.configure()
    except ValueError as exc:
        fail(str(exc), 2)
    group: click.Group = LazyCli(_config_from_argv(args)) if kdc is None else build_cli(kdc)
    try:
        group.main(args=args, prog_name="kdc", obj=kdc)
    finally:
        if isinstance(group, LazyCli) and group.kdc is not None:
            group.kdc.dispose()  # its database connections, closed as the server expects
        if argv is None and kdc is None:
            _leave_to_the_system()


def _leave_to_the_system() -> None:
    """Let the operating system free this process's memory when it exits.

    Run as the ``kdc`` command, the process ends right after :func:`main`. Left to itself,
    the interpreter's shutdown would walk every object the command and its imports made
    (hundreds of thousands after a large directory sync) to free them one by one: a fifth of
    a second for nothing. Frozen, the collector leaves them be. Files, log handlers and
    ``atexit`` work are flushed and run as before; only the freeing is skipped.
    """
    gc.freeze()
