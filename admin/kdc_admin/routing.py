"""URL rules that compile their URL builders on first use.

Werkzeug turns every rule into two small Python functions for ``url_for`` as the rule is
added: an abstract syntax tree built and compiled per rule, twice. The app has some 260 rules
(most of them Flask-Admin's create, edit, details, delete, action and export endpoints), and
building them all was more than half the time ``create_app`` took, paid by every worker at
start and by every test that makes an app, although a page builds URLs for only a handful of
rules. Matching (the regular expressions) is unchanged; only the builders wait until a URL is
first built for the rule.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

_compiling = threading.Lock()


class LazyBuilderRule(Rule):
    """A :class:`werkzeug.routing.Rule` whose URL builders are compiled when first called."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_now = super()._compile_builder
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            if not compiled:
                with _compiling:
                    if not compiled:
                        compiled.append(compile_now(append_unknown).__get__(rule, None))
            return compiled[0](**values)

        return build


class KdcFlask(Flask):
    """The Flask app class of kdc's web app: :class:`LazyBuilderRule` for every rule."""

    url_rule_class = LazyBuilderRule
