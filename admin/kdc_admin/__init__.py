"""The kdc web app: Flask-Admin for data upkeep plus routes plugins contribute.

Build it with :func:`create_app`; serve it with ``kdc serve``.
"""

from kdc_admin.app import create_app
from kdc_admin.database import KdcDatabase
from kdc_admin.security import SecuredBaseView, SecuredModelView

__all__ = ["KdcDatabase", "SecuredBaseView", "SecuredModelView", "create_app"]
