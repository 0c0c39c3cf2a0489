"""Settings: ``kdc.toml`` plus ``KDC_*`` environment variables, frozen once read.

Where settings come from, highest first:

1. ``KDC_*`` environment variables (``KDC_DATABASE_URL``, ``KDC_INSTANCE_PATH``,
   ``KDC_TIMEZONE``, ``KDC_DISABLED_PLUGINS`` comma-separated, ``KDC_BASE_URL``,
   ``KDC_MAIL_MAILER``, ``KDC_MAIL_SENDER``, ``KDC_OIDC_CLIENT_SECRET``);
2. the TOML file named by ``--config`` or ``KDC_CONFIG`` (or ``./kdc.toml`` if present);
3. defaults: a SQLite file in the instance folder, Europe/London.

Secrets never live in the file: a value written ``{"$env": "NAME"}`` is read from the
environment variable NAME when the plugin asks for its section.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from kdc_core.errors import ConfigError
from kdc_core.monitoring_config import MonitoringSettings, monitoring_settings
from kdc_core.oidc_config import OidcSettings, oidc_settings
from kdc_core.plugin_config import build, setting
from kdc_core.signin_config import SignInSettings, signin_settings

C = TypeVar("C")

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_COUNCIL = "Kirklees Council"
_TOP_LEVEL_KEYS = {
    "database_url",
    "instance_path",
    "timezone",
    "base_url",
    "plugins",
    "council",
    "rota",
    "directory",
    "mail",
    "jobs",
    "oidc",
    "monitoring",
    "signin",
}


def _service_names(names: tuple[str, ...]) -> bool:
    return all(n.strip() for n in names)


def _strip_all(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n.strip() for n in names)


def _clock_time(value: str) -> bool:
    try:
        dt.time.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 5


@attrs.frozen
class RotaSettings:
    """The ``[rota]`` table: how ``kdc rota plan`` builds walkabouts.

    :ivar services: names or slugs of the services that send an officer to every walkabout;
        empty means every ward-facing service.
    :ivar start_time: local start time of a walkabout, ``"HH:MM"``.
    :ivar duration_minutes: how long a walkabout lasts.
    """

    services: tuple[str, ...] = setting(
        (), expect="a list of service names", check=_service_names, converter=_strip_all
    )
    start_time: str = setting("10:00", expect='a time like "10:00"', check=_clock_time)
    duration_minutes: int = setting(
        120, expect="a whole number from 15 to 480", check=lambda m: 15 <= m <= 480
    )

    @property
    def start(self) -> dt.time:
        return dt.time.fromisoformat(self.start_time)


def _rota_settings(data: Any, where: str) -> RotaSettings:
    return build(RotaSettings, data, "rota", where)


@attrs.frozen
class DirectorySettings:
    """The ``[directory]`` table: safety limits and freshness for ``kdc directory``.

    :ivar max_archive_share: the largest share of active officers one sync may archive
        without ``--force`` (0.10 = 10%).
    :ivar stale_months: a profile not updated for longer than this is stale.
    """

    max_archive_share: float = setting(
        0.10, expect="a number from 0 to 1", check=lambda share: 0 <= share <= 1
    )
    stale_months: int = setting(6, expect="a whole number of months", check=lambda m: m >= 1)


def _directory_settings(data: Any, where: str) -> DirectorySettings:
    return build(DirectorySettings, data, "directory", where)


@attrs.frozen
class MailSettings:
    """The ``[mail]`` table: how and from whom kdc-core sends what it promises.

    :ivar mailer: the registered mailer that sends (``"smtp"``, ``"notify"`` or a plugin's);
        empty means no mailer is configured, and nothing is queued.
    :ivar sender: the From address (one valid address).
    :ivar sender_name: the From display name; the council's name when empty.
    :ivar message_id_domain: the domain of every Message-ID; the sender's domain when empty.
    :ivar max_attempts: tries before a message that keeps failing temporarily is given up.
    :ivar retry_seconds: the wait after the first failed try; it doubles with each try.
    :ivar lease_seconds: how long a dispatcher may hold a claimed message before another
        may take it over (a dispatcher that died mid-run).
    """

    mailer: str = ""
    sender: str = ""
    sender_name: str = ""
    message_id_domain: str = ""
    max_attempts: int = 8
    retry_seconds: int = 60
    lease_seconds: int = 300

    @property
    def configured(self) -> bool:
        return bool(self.mailer and self.sender)

    @property
    def id_domain(self) -> str:
        return self.message_id_domain or self.sender.rpartition("@")[2] or "kdc.invalid"


_MAIL_INTS = {"max_attempts": (1, 100), "retry_seconds": (1, 86400), "lease_seconds": (10, 86400)}


def _mail_settings(data: Any, where: str, environ: Mapping[str, str]) -> MailSettings:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: [mail] must be a table", key="mail")
    known = {f.name for f in attrs.fields(MailSettings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting mail.{unknown[0]} (known: {', '.join(sorted(known))})",
            key=f"mail.{unknown[0]}",
        )
    values: dict[str, Any] = {}
    for key, value in data.items():
        value = _resolve_env(value, f"mail.{key}", environ)
        if key in _MAIL_INTS:
            low, high = _MAIL_INTS[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(
                    f"{where}: mail.{key} must be a whole number from {low} to {high}, "
                    f"not {value!r}",
                    key=f"mail.{key}",
                )
        elif not isinstance(value, str):
            raise ConfigError(f"{where}: mail.{key} must be a string", key=f"mail.{key}")
        values[key] = value.strip() if isinstance(value, str) else value
    if environ.get("KDC_MAIL_MAILER") is not None:
        values["mailer"] = environ["KDC_MAIL_MAILER"].strip()
    if environ.get("KDC_MAIL_SENDER") is not None:
        values["sender"] = environ["KDC_MAIL_SENDER"].strip()
    if values.get("sender"):
        from kdc_core.mail.addresses import AddressError, normalise_address

        try:
            values["sender"] = normalise_address(values["sender"])
        except AddressError as exc:
            raise ConfigError(f"{where}: mail.sender: {exc}", key="mail.sender") from None
    return MailSettings(**values)


def _jobs_tables(data: Any, where: str, environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ConfigError(f"{where}: [jobs] must hold one table per job", key="jobs")
    return {
        name: {k: _resolve_env(v, f"jobs.{name}.{k}", environ) for k, v in table.items()}
        for name, table in data.items()
    }


@attrs.frozen
class Settings:
    """Everything the core needs to start, read once at startup."""

    database_url: str
    instance_path: Path
    timezone: str = DEFAULT_TIMEZONE
    base_url: str = DEFAULT_BASE_URL
    council_name: str = DEFAULT_COUNCIL
    disabled_plugins: frozenset[str] = frozenset()
    plugin_sections: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    source: str = "defaults"
    environ: Mapping[str, str] = attrs.field(factory=dict, repr=False, eq=False)
    rota: RotaSettings = attrs.field(factory=lambda: RotaSettings())
    directory: DirectorySettings = attrs.field(factory=lambda: DirectorySettings())
    mail: MailSettings = attrs.field(factory=lambda: MailSettings())
    oidc: OidcSettings = attrs.field(factory=lambda: OidcSettings())
    monitoring: MonitoringSettings = attrs.field(factory=lambda: MonitoringSettings())
    signin: SignInSettings = attrs.field(factory=lambda: SignInSettings())
    #: ``[jobs.NAME]`` tables as written (``schedule`` and the job's own keys); checked
    #: against the registered jobs by :mod:`kdc_core.jobs`.
    jobs: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    #: plugin_config(name, into=Class) results, by (name, class); and every section asked for.
    _read: dict[tuple[str, type], Any] = attrs.field(factory=dict, init=False, repr=False, eq=False)
    _asked: set[str] = attrs.field(factory=set, init=False, repr=False, eq=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @overload
    def plugin_config(self, name: str) -> dict[str, Any]: ...

    @overload
    def plugin_config(self, name: str, into: type[C]) -> C: ...

    def plugin_config(self, name: str, into: type[Any] | None = None) -> Any:
        """The ``[plugins.NAME]`` section, read into the attrs class ``into`` (cached).

        Without ``into``: the raw table with ``{"$env": VAR}`` values resolved. With it:
        every key checked against the class's fields (unknown and missing keys, types,
        :func:`kdc_core.plugin_config.setting` checks), ``$env`` values resolved, and the
        result kept, so asking again (per name and class) costs nothing.

        :raises ConfigError: naming the key (``plugins.NAME.KEY``) that cannot be used.
        """
        self._asked.add(name)
        section = self.plugin_sections.get(name, {})
        if into is None:
            return {
                key: _resolve_env(value, f"plugins.{name}.{key}", self.environ)
                for key, value in section.items()
            }
        if (name, into) not in self._read:
            from kdc_core.plugin_config import build

            self._read[name, into] = build(
                into, section, f"plugins.{name}", self.source, self.environ
            )
        return self._read[name, into]

    def sections_asked_for(self) -> frozenset[str]:
        """The ``[plugins.NAME]`` sections some plugin has read so far."""
        return frozenset(self._asked)

    def evolve(self, **changes: Any) -> Settings:
        return attrs.evolve(self, **changes)


def _resolve_env(value: Any, key: str, environ: Mapping[str, str]) -> Any:
    if isinstance(value, dict) and set(value) == {"$env"}:
        name = value["$env"]
        if name not in environ:
            raise ConfigError(f"{key}: environment variable {name} is not set", key=key)
        return environ[name]
    if isinstance(value, dict):
        return {k: _resolve_env(v, f"{key}.{k}", environ) for k, v in value.items()}
    return value


def default_instance_path() -> Path:
    return Path.cwd() / "instance"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read settings from the TOML file and the environment.

    :param config_path: the TOML file; ``None`` means ``KDC_CONFIG`` or ``./kdc.toml`` if present.
    :param environ: the environment (``os.environ`` by default).
    :raises ConfigError: with the file and key when something cannot be used.
    """
    env = dict(os.environ if environ is None else environ)
    path: Path | None
    if config_path is not None:
        path = Path(config_path)
    elif env.get("KDC_CONFIG"):
        path = Path(env["KDC_CONFIG"])
    else:
        candidate = Path.cwd() / "kdc.toml"
        path = candidate if candidate.is_file() else None

    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found", key=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}", key=str(path)) from None
    where = str(path) if path else "defaults"

    unknown = sorted(set(data) - _TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting {unknown[0]!r} "
            f"(known: {', '.join(sorted(_TOP_LEVEL_KEYS))})",
            key=unknown[0],
        )

    instance = Path(
        env.get("KDC_INSTANCE_PATH") or data.get("instance_path") or default_instance_path()
    )
    database_url = (
        env.get("KDC_DATABASE_URL")
        or data.get("database_url")
        or sqlite_url(instance / "kdc.sqlite3")
    )
    timezone = env.get("KDC_TIMEZONE") or data.get("timezone") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: timezone {timezone!r} is not a known zone", key="timezone"
        ) from None

    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict):
        raise ConfigError(f"{where}: [plugins] must be a table", key="plugins")
    disabled_raw = plugins.get("disabled", [])
    if not isinstance(disabled_raw, list) or not all(isinstance(n, str) for n in disabled_raw):
        raise ConfigError(
            f"{where}: plugins.disabled must be a list of names", key="plugins.disabled"
        )
    disabled = set(disabled_raw)
    if env.get("KDC_DISABLED_PLUGINS"):
        disabled |= {n.strip() for n in env["KDC_DISABLED_PLUGINS"].split(",") if n.strip()}
    sections = {k: v for k, v in plugins.items() if k != "disabled"}
    for name, section in sections.items():
        if not isinstance(section, dict):
            raise ConfigError(f"{where}: plugins.{name} must be a table", key=f"plugins.{name}")

    council = data.get("council", {})
    if not isinstance(council, dict):
        raise ConfigError(f"{where}: [council] must be a table", key="council")
    return Settings(
        database_url=database_url,
        instance_path=instance,
        timezone=timezone,
        base_url=(env.get("KDC_BASE_URL") or data.get("base_url") or DEFAULT_BASE_URL).rstrip("/"),
        council_name=council.get("name", DEFAULT_COUNCIL),
        disabled_plugins=frozenset(disabled),
        plugin_sections=sections,
        source=where,
        environ=env,
        rota=_rota_settings(data.get("rota", {}), where),
        directory=_directory_settings(data.get("directory", {}), where),
        mail=_mail_settings(data.get("mail", {}), where, env),
        jobs=_jobs_tables(data.get("jobs", {}), where, env),
        oidc=oidc_settings(data.get("oidc", {}), where, env),
        monitoring=monitoring_settings(data.get("monitoring", {}), where),
        signin=signin_settings(data.get("signin", {}), where, env),
    )
