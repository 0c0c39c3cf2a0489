"""The plugin manager: entry points in group ``kdc``, the core's own hooks, config checks."""

from __future__ import annotations

import importlib.metadata as md
import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, TypeVar

import attrs
import pluggy

from kdc_core import hookspecs
from kdc_core.config import Settings
from kdc_core.errors import ConfigError, PluginError
from kdc_core.registry import Registry

T = TypeVar("T")
R = TypeVar("R", bound=Registry[Any])

ENTRY_POINT_GROUP = "kdc"

#: Modules inside the core that implement hooks, registered like any plugin.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "kdc_core.people.plugin",
    "kdc_core.users.plugin",
    "kdc_core.calendar.rota.plugin",
    "kdc_core.calendar.plugin",
    "kdc_core.protocol.plugin",
    "kdc_core.enquiries.plugin",
    "kdc_core.newsletter.plugin",
    "kdc_core.briefings.plugin",
    "kdc_core.directory.plugin",
    "kdc_core.mail.plugin",
    "kdc_core.jobs.plugin",
)


@attrs.frozen
class PluginInfo:
    """What ``kdc plugins`` shows about one plugin."""

    name: str
    version: str | None
    enabled: bool
    hooks: tuple[str, ...]
    module: str | None
    builtin: bool = False


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus what kdc found, for ``kdc plugins``."""

    def __init__(self) -> None:
        super().__init__("kdc")
        self.add_hookspecs(hookspecs)
        self.found: list[PluginInfo] = []
        #: Plugin name -> its entry point, whose distribution's version :meth:`info` reads.
        self.entry_points: dict[str, md.EntryPoint] = {}

    def info(self) -> list[PluginInfo]:
        """Every plugin found, with the hooks each implements (empty when disabled)."""
        out = []
        for item in self.found:
            plugin = self.get_plugin(item.name) if item.enabled else None
            hooks: tuple[str, ...] = ()
            if plugin is not None:
                hooks = tuple(sorted(h.name for h in self.get_hookcallers(plugin) or ()))
            ep = self.entry_points.get(item.name)
            version = _version(ep) if ep is not None else item.version
            out.append(attrs.evolve(item, hooks=hooks, version=version))
        return out


#: The ``kdc`` entry points, per ``sys.path``: finding them reads every installed
#: distribution's metadata, which cost more than the rest of a plugin manager, and a process
#: (a test run, a worker) makes many managers.
_FOUND: dict[tuple[str, ...], list[md.EntryPoint]] = {}


def _entry_points() -> list[md.EntryPoint]:
    """The installed ``kdc`` entry points by name."""
    key = tuple(sys.path)
    found = _FOUND.get(key)
    if found is None:
        found = sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
        _FOUND.clear()
        _FOUND[key] = found
    return found


def _version(ep: md.EntryPoint) -> str | None:
    """The version of the distribution that installed ``ep``, read when shown (parsing each
    distribution's metadata for it cost every command a good part of its plugin start-up)."""
    return ep.dist.version if ep.dist is not None else None


def make_plugin_manager(
    settings: Settings,
    extra_plugins: Iterable[tuple[str, Any]] = (),
    load_entry_points: bool = True,
) -> PluginManager:
    """Build a fresh plugin manager for these settings.

    Loads the ``kdc`` entry points (skipping the ones the settings disable), registers the
    core's default implementations and any ``extra_plugins`` (name, object) pairs, checks
    that every ``kdc_*`` hookimpl matches a spec, then lets each plugin check its config.

    :raises PluginError: a plugin failed to import or implements a hook that does not exist.
    :raises ConfigError: ``plugins.disabled`` names an unknown plugin, or a plugin's config
        section is wrong.
    """
    pm = PluginManager()
    known: set[str] = set()

    core = sorted(settings.disabled_plugins & set(DEFAULT_PLUGINS))
    if core:
        raise ConfigError(
            f"{settings.source}: plugins.disabled: {core[0]} is part of the core and cannot be "
            "disabled (only installed plugins can: see kdc plugins)",
            key="plugins.disabled",
        )

    for module_name in DEFAULT_PLUGINS:
        module = _import(module_name, module_name)
        pm.register(module, name=module_name)
        pm.found.append(PluginInfo(module_name, None, True, (), module_name, builtin=True))
        known.add(module_name)

    if load_entry_points:
        for ep in _entry_points():
            known.add(ep.name)
            pm.entry_points[ep.name] = ep
            if ep.name in settings.disabled_plugins:
                pm.found.append(PluginInfo(ep.name, None, False, (), ep.value))
                continue
            if pm.has_plugin(ep.name):
                raise PluginError(f"two plugins are installed under the name {ep.name!r}")
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
            _register(pm, plugin, ep.name)
            pm.found.append(PluginInfo(ep.name, None, True, (), ep.value))

    for name, plugin in extra_plugins:
        known.add(name)
        if name in settings.disabled_plugins:
            pm.found.append(PluginInfo(name, None, False, (), _module_name(plugin)))
            continue
        _register(pm, plugin, name)
        pm.found.append(PluginInfo(name, None, True, (), _module_name(plugin)))

    installed = sorted(n for n in known if n not in DEFAULT_PLUGINS)
    unknown = sorted(settings.disabled_plugins - known)
    if unknown:
        raise ConfigError(
            f"{settings.source}: plugins.disabled names {unknown[0]!r}, which is not installed "
            f"(installed: {', '.join(installed) or 'none'})",
            key="plugins.disabled",
        )

    check_pending(pm)
    pm.hook.kdc_check_config(settings=settings)
    _check_sections(settings, known)
    return pm


def _check_sections(settings: Settings, plugins: set[str]) -> None:
    """Refuse a ``[plugins.NAME]`` section that no plugin is called or reads (a misspelling).

    A section is known when a plugin (enabled or not) has its name, or when some plugin read
    it while checking its config (the core's ``enquiries`` and ``newsletter`` sections).
    """
    known = {n for n in plugins if n not in DEFAULT_PLUGINS} | settings.sections_asked_for()
    unknown = sorted(set(settings.plugin_sections) - known)
    if unknown:
        raise ConfigError(
            f"{settings.source}: [plugins.{unknown[0]}]: no plugin is called {unknown[0]!r} or "
            f"reads this section; known: {', '.join(sorted(known)) or 'none'}",
            key=f"plugins.{unknown[0]}",
        )


def check_pending(pm: pluggy.PluginManager) -> None:
    """Fail loudly when a plugin implements a ``kdc_*`` hook that has no spec (a misspelling)."""
    for name in dir(pm.hook):
        if not name.startswith("kdc_"):
            continue
        caller = getattr(pm.hook, name)
        if caller.spec is None and caller.get_hookimpls():
            plugins = ", ".join(
                sorted(pm.get_name(impl.plugin) or "?" for impl in caller.get_hookimpls())
            )
            known = ", ".join(sorted(n for n in dir(hookspecs) if n.startswith("kdc_")))
            raise PluginError(
                f"plugin {plugins} implements unknown hook {name!r}; known hooks: {known}"
            )
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginError(f"plugin {name!r}: {exc}") from exc


def _register(pm: pluggy.PluginManager, plugin: Any, name: str) -> None:
    """Register ``plugin``, turning pluggy's complaints (a hookimpl whose arguments are not in
    its spec, a name already taken) into a :class:`PluginError` naming the plugin."""
    if pm.has_plugin(name):
        raise PluginError(f"two plugins are registered under the name {name!r}")
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r}: {exc}") from exc


def _import(module_name: str, plugin_name: str) -> ModuleType:
    import importlib

    try:
        return importlib.import_module(module_name)
    except Exception as exc:  # pragma: no cover - a broken core install
        raise PluginError(f"plugin {plugin_name!r} failed to import: {exc}") from exc


def _module_name(plugin: Any) -> str | None:
    return getattr(plugin, "__name__", None) or type(plugin).__module__


def collect(pm: pluggy.PluginManager, hook_name: str, registry: R) -> R:
    """Fill ``registry`` from the register-callback hook ``hook_name``, once.

    Calls each implementation itself (in pluggy's order) with a ``register`` callback bound
    to that plugin's name, so a name claimed twice fails naming both plugins. An
    implementation may leave out the ``register`` argument, as pluggy allows.

    :raises PluginError: two plugins register the same name.
    """
    caller = getattr(pm.hook, hook_name)
    for impl in reversed(caller.get_hookimpls()):
        if impl.hookwrapper or getattr(impl, "wrapper", False):
            raise PluginError(
                f"plugin {impl.plugin_name!r}: {hook_name} cannot be a wrapper; "
                "register things by calling register()"
            )
        impl.function(
            **(
                {"register": _bound(registry, impl.plugin_name)}
                if "register" in impl.argnames
                else {}
            )
        )
    return registry


def _bound(registry: Registry[T], plugin: str) -> Callable[[T], None]:
    def register(item: T) -> None:
        registry.register(item, plugin=plugin)

    return register
