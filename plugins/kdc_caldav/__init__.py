"""CalDAV push: councillors' events written into calendars on a CalDAV server.

``kdc calendar push`` (configured in ``[plugins.caldav]``) creates, updates and removes
events so each councillor's calendar matches what their feed shows; a run with no changes
sends no writes. The job ``caldav_push`` does the same on the schedule ``[jobs.caldav_push]``
gives it. Needs the ``caldav`` extra: ``pip install 'kdc-core[caldav]'``.
"""

from kdc_caldav.plugin import kdc_check_config, kdc_register_commands, kdc_register_jobs

__all__ = ["kdc_check_config", "kdc_register_commands", "kdc_register_jobs"]
