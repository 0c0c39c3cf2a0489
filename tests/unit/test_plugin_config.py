"""``settings.plugin_config(name, into=Class)``: a ``[plugins.NAME]`` table read, checked, kept."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from kdc_core.config import Settings
from kdc_core.errors import ConfigError
from kdc_core.plugin_config import InvalidSetting, positive, setting


@attrs.frozen
class Retry:
    attempts: int = 3
    backoff: float = 1.5


def _no_blank(names: Mapping[str, str]) -> None:
    blank = sorted(k for k, v in names.items() if not v)
    if blank:
        raise InvalidSetting("must not be empty", blank[0])


@attrs.frozen
class Example:
    base_url: str = setting(expect="an https URL", check=lambda v: v.startswith("https://"))
    timeout: float = setting(30.0, expect="a positive number of seconds", check=positive)
    verify: bool = True
    label: str | None = None
    tags: tuple[str, ...] = ()
    ports: list[int] = attrs.field(factory=list)
    aliases: Mapping[str, str] = setting(factory=dict, check=_no_blank)
    retry: Retry = attrs.field(factory=Retry)
    token: str = setting("", secret=True)


def settings(section: dict[str, Any], environ: dict[str, str] | None = None) -> Settings:
    return Settings(
        database_url="sqlite://",
        instance_path=Path("instance"),
        plugin_sections={"example": section},
        source="kdc.toml",
        environ=environ or {},
    )


def error(section: dict[str, Any], environ: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings(section, environ).plugin_config("example", into=Example)
    return caught.value


GOOD = {"base_url": "https://x.example"}


def test_a_good_section_is_converted_into_the_class():
    config = settings(
        {
            **GOOD,
            "timeout": 5,
            "label": "L",
            "tags": ["a", "b"],
            "ports": [80],
            "aliases": {"a": "b"},
            "retry": {"attempts": 5},
            "token": {"$env": "TOKEN"},
        },
        {"TOKEN": "s3cret"},
    ).plugin_config("example", into=Example)
    assert config == Example(
        "https://x.example", 5.0, True, "L", ("a", "b"), [80], {"a": "b"}, Retry(5), "s3cret"
    )
    assert isinstance(config.timeout, float) and "s3cret" not in repr(config)


def test_the_result_is_kept_per_name_and_class():
    s = settings(GOOD)
    assert s.plugin_config("example", into=Example) is s.plugin_config("example", into=Example)
    assert s.plugin_config("example") == GOOD, "without into: the raw table, as before"


def test_an_unknown_key_is_named_with_the_known_ones():
    e = error({**GOOD, "timout": 5})
    assert e.key == "plugins.example.timout"
    assert str(e).startswith("kdc.toml: plugins.example.timout: unknown key; known: aliases,")


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"base_url": None}, "plugins.example.base_url", "is required"),
        ({"base_url": "http://x"}, "plugins.example.base_url", "must be an https URL"),
        ({"timeout": "30"}, "plugins.example.timeout", "positive number of seconds, not '30'"),
        ({"timeout": True}, "plugins.example.timeout", "not True"),
        ({"timeout": -1}, "plugins.example.timeout", "not -1"),
        ({"verify": "yes"}, "plugins.example.verify", "must be true or false"),
        ({"label": 3}, "plugins.example.label", "must be a string"),
        ({"tags": "a"}, "plugins.example.tags", "must be a list of strings"),
        ({"ports": [80, "x"]}, "plugins.example.ports[1]", "must be a whole number"),
        ({"aliases": {"a": ""}}, "plugins.example.aliases.a", "must not be empty"),
        ({"retry": {"attempts": "5"}}, "plugins.example.retry.attempts", "whole number"),
        ({"retry": {"tries": 5}}, "plugins.example.retry.tries", "unknown key"),
        ({"token": "s3cret"}, "plugins.example.token", "secrets come from the environment"),
        ({"token": {"$env": "NOPE"}}, "plugins.example.token", "NOPE is not set"),
    ],
)
def test_a_bad_value_is_refused_naming_the_key(change, key, words):
    section = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    e = error(section)
    assert e.key == key
    assert str(e).startswith(f"kdc.toml: {key}: ") and words in str(e)
    assert "s3cret" not in str(e)
