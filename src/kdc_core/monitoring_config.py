"""The ``[monitoring]`` table of kdc.toml: who may read ``/healthz``, ``/readyz`` and
``/metrics`` (re-exported by :mod:`kdc_core.config`)."""

from __future__ import annotations

import ipaddress
from typing import Any

import attrs

from kdc_core.plugin_config import build, setting


def _networks(values: tuple[str, ...]) -> bool:
    try:
        for value in values:
            ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


@attrs.frozen
class MonitoringSettings:
    """The ``[monitoring]`` table: who may read ``/healthz``, ``/readyz`` and ``/metrics``.

    :ivar allow: the client addresses or networks (``"10.20.0.0/16"``, ``"127.0.0.1"``) that
        may read them. Empty means anyone. Behind a reverse proxy the client address is the
        one the proxy passes on (``kdc serve --trusted-proxy``).
    """

    allow: tuple[str, ...] = setting(
        ("127.0.0.0/8", "::1/128"),
        expect='a list of addresses or networks like "10.0.0.0/8"',
        check=_networks,
    )

    def allows(self, address: str | None) -> bool:
        """Whether a client at ``address`` may read the monitoring pages."""
        if not self.allow:
            return True
        try:
            client = ipaddress.ip_address((address or "").split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped is not None:
            client = client.ipv4_mapped
        return any(client in ipaddress.ip_network(net, strict=False) for net in self.allow)


def monitoring_settings(data: Any, where: str) -> MonitoringSettings:
    return build(MonitoringSettings, data, "monitoring", where)
