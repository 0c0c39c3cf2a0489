"""A plain "service unavailable" page (503) while the database is away.

Every page reads the database, so while its server is stopped, restarting or refusing
connections each request would end in a traceback and a 500. Instead the app answers 503
with a short page (and ``Retry-After``), logs one warning naming only the kind of failure,
and, as the engine checks a pooled connection before using it, carries on by itself once the
database is back. A locked SQLite file that stays locked past the busy timeout is answered
the same way. Errors in queries (a bug) keep their 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, url_for
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30


def _stylesheet(app: Flask) -> str:
    if "site.static" in app.view_functions:
        return url_for("site.static", filename="site.css")
    return url_for("static", filename="kdc.css")


def init_unavailable(app: Flask) -> None:
    """Answer 503 with the plain page whenever a request finds the database away."""

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_away(exc: Exception) -> Response:
        log.warning("database unavailable: %s; answered 503", type(exc).__name__)
        template = app.jinja_env.get_template("kdc/unavailable.html")
        council = app.extensions["kdc"].settings.council_name
        body = template.render(council=council, stylesheet=_stylesheet(app))
        response = Response(body, status=503, mimetype="text/html")
        response.headers["Retry-After"] = str(RETRY_AFTER)
        response.headers["Cache-Control"] = "no-store"
        return response
