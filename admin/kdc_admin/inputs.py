"""One check on every request's text, before any view runs: no control characters.

A NUL byte or another C0 control character (tab, CR and LF apart) in the address, the query
string, a form field (or an uploaded file's name) or a JSON body is answered with 400 and a
message a person can act on, for the admin, the people's site and the plugins' feeds alike —
never a 500 from a database that refuses the text (PostgreSQL rejects NUL in text). The rule
is :func:`kdc_core.textsafety.has_control_characters`.

Pages get their app's error page: the site's own when the site's blueprint handles the
address (it registers a 400 handler), otherwise the admin's. Feeds and JSON clients get a
short text or JSON answer.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from kdc_core.textsafety import control_characters_in, has_control_characters

MESSAGE = (
    "The request contains a control character (such as a NUL byte) that cannot be part of "
    "a name, a search or any other text. Remove it and try again."
)


class ControlCharacters(BadRequest):
    """400: a control character in the request's text."""

    description = MESSAGE


def _offending() -> bool:
    if has_control_characters(request.path):
        return True
    if control_characters_in(list(request.args.items(multi=True))):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.is_json:
        body = request.get_json(silent=True)
        if body is None:
            return has_control_characters(request.get_data(as_text=True))
        return control_characters_in(body)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if control_characters_in(list(request.form.items(multi=True))):
            return True
        names = [f.filename or "" for _key, f in request.files.items(multi=True)]
        return control_characters_in(names)
    return False


def _wants_text() -> bool:
    return request.path.startswith("/feeds/") or (
        request.accept_mimetypes.best == "application/json" or request.is_json
    )


def init_input_checks(app: Flask) -> None:
    """Refuse requests whose text holds control characters, with a real 400 page."""

    @app.before_request
    def refuse_control_characters() -> None:
        if _offending():
            raise ControlCharacters()

    @app.errorhandler(400)
    def bad_request(exc: HTTPException) -> Any:
        message = exc.description or "The request could not be understood."
        if _wants_text():
            if request.is_json or request.accept_mimetypes.best == "application/json":
                return jsonify(error=message), 400
            return message + "\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
        return render_template("kdc/error.html", code=400, message=message), 400
