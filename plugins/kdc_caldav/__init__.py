"""CalDAV push: councillors' events written into calendars on a CalDAV server.

``kdc calendar push`` (configured in ``[plugins.caldav]``) creates, updates and removes
events so each councillor's calendar matches what their feed shows; a run with no changes
sends no writes. Needs the ``caldav`` extra: ``pip install 'kdc-core[caldav]'``.
"""

from kdc_caldav.plugin import kdc_check_config, kdc_register_commands

__all__ = ["kdc_check_config", "kdc_register_commands"]
