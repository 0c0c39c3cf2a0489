"""Who may see a page: decorators for views, over the shared server-side web session."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for

from kdc_admin.auth import current_identity
from kdc_core.users.sessions import Identity

F = TypeVar("F", bound=Callable[..., Any])


def visitor() -> Identity | None:
    """The signed-in person of this request, or ``None`` for the public."""
    return current_identity()


def _sign_in_first() -> Any:
    return redirect(url_for("site.sign_in", next=request.full_path.rstrip("?")))


def signed_in(view: F) -> F:
    """The page needs someone signed in (anyone the council knows)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if visitor() is None:
            return _sign_in_first()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def councillor_only(view: F) -> F:
    """The page is a councillor's own: signed in as an active councillor."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        who = visitor()
        if who is None:
            return _sign_in_first()
        if who.councillor is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def officer_only(view: F) -> F:
    """The page is an officer's own: signed in as an active officer."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        who = visitor()
        if who is None:
            return _sign_in_first()
        if who.officer is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
