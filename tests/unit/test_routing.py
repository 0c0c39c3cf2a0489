"""URL rules whose builders are compiled on first use build exactly the URLs Werkzeug's do."""

from __future__ import annotations

import threading

from flask import Flask, url_for
from werkzeug.routing import Rule

from kdc_admin.routing import KdcFlask, LazyBuilderRule


def _app(cls: type[Flask]) -> Flask:
    app = cls("routing_test")
    noop = lambda **_kw: ""  # noqa: E731

    app.add_url_rule("/", "home", noop)
    app.add_url_rule("/wards/<slug>", "ward", noop)
    app.add_url_rule("/events/<int:event_id>/edit", "edit", noop)
    app.add_url_rule("/feeds/<path:name>.ics", "feed", noop)
    app.add_url_rule("/page/", "page", noop, defaults={"number": 1})
    app.add_url_rule("/page/<int:number>", "page", noop)
    return app


CASES = [
    ("home", {}),
    ("home", {"next": "/admin/?a=1&b=two words"}),
    ("ward", {"slug": "dalton & almondbury"}),
    ("edit", {"event_id": 42, "tab": "when"}),
    ("feed", {"name": "councillors/abc"}),
    ("page", {}),
    ("page", {"number": 1}),
    ("page", {"number": 7}),
    ("static", {"filename": "site.css", "v": "3"}),
]


def test_urls_built_lazily_are_the_urls_werkzeug_builds():
    plain, lazy = _app(Flask), _app(KdcFlask)
    for endpoint, values in CASES:
        with plain.test_request_context(), lazy.test_request_context():
            with plain.app_context():
                expected = url_for(endpoint, **values)
            with lazy.app_context():
                assert url_for(endpoint, **values) == expected, endpoint


def test_every_rule_is_lazy_and_compiles_its_builders_only_when_first_used(monkeypatch):
    compiled: list[tuple[str, bool]] = []
    werkzeugs = Rule._compile_builder

    def counting(rule: Rule, append_unknown: bool = True):
        compiled.append((rule.endpoint, append_unknown))
        return werkzeugs(rule, append_unknown)

    monkeypatch.setattr(Rule, "_compile_builder", counting)
    app = _app(KdcFlask)
    assert all(isinstance(rule, LazyBuilderRule) for rule in app.url_map.iter_rules())
    assert compiled == []
    with app.test_request_context():
        assert url_for("ward", slug="dalton") == "/wards/dalton"
        assert url_for("ward", slug="kirkburton") == "/wards/kirkburton"
    assert compiled == [("ward", True)]


def test_threads_building_at_once_all_get_the_right_url():
    app = _app(KdcFlask)
    got: list[str] = []

    def build() -> None:
        with app.test_request_context():
            got.append(url_for("edit", event_id=9))

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == ["/events/9/edit"] * 8
