"""The staff directory in LDAP: ``kdc directory sync ldap`` (needs the ``ldap`` extra: ldap3).

Configure it in ``kdc.toml`` (the bind password comes from the environment)::

    [plugins.directory_ldap]
    url = "ldaps://ldap.example.gov.uk"
    bind_dn = "cn=kdc,ou=services,dc=example,dc=gov,dc=uk"
    password_env = "KDC_LDAP_PASSWORD"
    base_dn = "ou=people,dc=example,dc=gov,dc=uk"
    filter = "(objectClass=inetOrgPerson)"
    page_size = 500
    ward_attribute = "businessCategory"   # where --push-wards writes officers' wards
    [plugins.directory_ldap.attributes]    # directory field = LDAP attribute
    person_id = "employeeNumber"

``manager`` holds the manager's DN, turned into their person id; ``updated_at`` defaults to
the operational ``modifyTimestamp``. Results are read with the paged-results control.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kdc_core import hookimpl
from kdc_core.config import Settings
from kdc_core.directory.values import DirectorySource, SourceError, WardPush

NAME = "directory_ldap"


def _options(args: Sequence[str], settings: Settings) -> Any:
    from kdc_directory_ldap.client import LdapSection, options_from_config

    if args:
        raise SourceError("the ldap source takes no arguments; configure [plugins.directory_ldap]")
    return options_from_config(settings.plugin_config(NAME, into=LdapSection), settings.environ)


def _read(args: Sequence[str], settings: Settings) -> Any:
    from kdc_directory_ldap.client import read_entries

    return read_entries(_options(args, settings))


def _push(args: Sequence[str], settings: Settings, pushes: Sequence[WardPush]) -> int:
    from kdc_directory_ldap.client import write_wards

    return write_wards(_options(args, settings), pushes)


@hookimpl
def kdc_register_directory_sources(register: Callable[[DirectorySource], None]) -> None:
    register(
        DirectorySource(
            name="ldap",
            help="An LDAP directory (paged search; configure [plugins.directory_ldap]).",
            read=_read,
            push_wards=_push,
        )
    )
