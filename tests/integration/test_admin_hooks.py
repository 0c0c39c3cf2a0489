"""The admin fires the same change hook as the CLI, and plugins add views and blueprints."""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify
from flask_admin import expose
from sqlalchemy import select

from kdc_admin import SecuredBaseView, create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token, form_fields, log_in
from kdc_core import hookimpl
from kdc_core.changes import Action, ChangeSet
from kdc_core.db.people import CouncillorRow


class PluginStatusView(SecuredBaseView):
    @expose("/")
    def index(self):
        return "plugin status page"


class RecordingPlugin:
    """Sees committed changes; adds an admin view and a blueprint with a POST route."""

    def __init__(self):
        self.seen: list[ChangeSet] = []
        self.posted: list[str] = []

    @hookimpl
    def kdc_changes_committed(self, changes, kdc):
        self.seen.append(changes)

    @hookimpl
    def kdc_admin_views(self, kdc):
        return [PluginStatusView(name="Plugin status", endpoint="plugin_status")]

    @hookimpl
    def kdc_blueprints(self, kdc):
        bp = Blueprint("test_plugin", __name__, url_prefix="/test-plugin")

        @bp.get("/ping")
        def ping():
            return jsonify(ok=True)

        @bp.post("/note")
        def note():
            self.posted.append("note")
            return jsonify(ok=True)

        return [bp]


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def plugin():
    return RecordingPlugin()


@pytest.fixture
def kdc_extra_plugins(plugin):
    return [("test-plugin", plugin)]


@pytest.fixture
def client(kdc_app, plugin):
    plugin.seen.clear()
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    log_in(client, "liaison@example.gov.uk")
    return client


def _first_councillor_id(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.session.scalar(select(CouncillorRow.id).order_by(CouncillorRow.id))


def test_hook_kdc_changes_committed_fires_for_an_admin_edit_like_the_cli(client, kdc_app, plugin):
    """Acceptance 5: same ChangeSet shape from the admin as from a unit of work."""
    councillor_id = _first_councillor_id(kdc_app)
    page = client.get(f"/admin/councillor/edit/?id={councillor_id}").get_data(as_text=True)
    data = form_fields(page, "name")
    data["email"] = "changed.in.admin@example.gov.uk"
    data["phone"] = "01484 000000"
    assert client.post(f"/admin/councillor/edit/?id={councillor_id}", data=data).status_code == 302

    assert len(plugin.seen) == 1
    (admin_change,) = plugin.seen[0].changes
    assert admin_change.entity == "councillor"
    assert admin_change.action == Action.UPDATED
    assert admin_change.key == councillor_id
    assert admin_change.fields == ("email", "phone")
    assert admin_change.source == "admin:liaison@example.gov.uk"

    with kdc_app.unit_of_work(source="cli") as uow:
        row = uow.session.get(CouncillorRow, councillor_id)
        row.email = "changed.by.cli@example.gov.uk"
        row.phone = "01484 111111"
    assert len(plugin.seen) == 2
    (cli_change,) = plugin.seen[1].changes
    assert type(plugin.seen[1]) is type(plugin.seen[0])
    assert (cli_change.entity, cli_change.action, cli_change.key, cli_change.fields) == (
        admin_change.entity,
        admin_change.action,
        admin_change.key,
        admin_change.fields,
    )
    assert cli_change.label == admin_change.label
    assert cli_change.source == "cli"


def test_admin_create_archive_and_failed_save_notify_correctly(client, kdc_app, plugin):
    token = csrf_token(client, "/admin/councillor/")
    created = client.post(
        "/admin/councillor/new/", data={"name": "Priya Notified", "csrf_token": token}
    )
    assert created.status_code == 302
    assert [(c.entity, c.action) for c in plugin.seen[-1]] == [("councillor", Action.ADDED)]
    with kdc_app.unit_of_work(dry_run=True) as uow:
        new_id = uow.people.find_councillor("Priya Notified").id

    archived = client.post(
        "/admin/councillor/action/",
        data={"action": "archive", "rowid": str(new_id), "csrf_token": token},
    )
    assert archived.status_code == 302
    assert [(c.action, c.key) for c in plugin.seen[-1]] == [(Action.ARCHIVED, new_id)]

    count = len(plugin.seen)
    page = client.get("/admin/ward/new/").get_data(as_text=True)
    data = form_fields(page, "name")
    data["name"] = "Almondbury"  # already exists: the save fails, nothing is announced
    response = client.post("/admin/ward/new/", data=data)
    assert response.status_code == 200
    assert len(plugin.seen) == count


def test_archived_councillors_are_hidden_until_the_status_filter_asks(client, kdc_app):
    councillor_id = _first_councillor_id(kdc_app)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        name = uow.people.councillor(councillor_id).name
    token = csrf_token(client, "/admin/councillor/")
    client.post(
        "/admin/councillor/action/",
        data={"action": "archive", "rowid": str(councillor_id), "csrf_token": token},
    )
    listing = client.get("/admin/councillor/?search=" + name).get_data(as_text=True)
    assert f"/admin/councillor/edit/?id={councillor_id}&" not in listing
    assert "Archived records are hidden" in listing
    shown = client.get("/admin/councillor/?flt0_0=archived&search=" + name)
    assert f"/admin/councillor/edit/?id={councillor_id}&amp;" in shown.get_data(as_text=True)


def test_hook_kdc_admin_views_adds_a_secured_page(client, kdc_app):
    assert client.get("/admin/plugin_status/").data == b"plugin status page"
    anonymous = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    assert anonymous.get("/admin/plugin_status/").status_code == 302


def test_hook_kdc_blueprints_routes_are_mounted_and_their_posts_need_csrf(client, plugin):
    assert client.get("/test-plugin/ping").json == {"ok": True}
    assert client.post("/test-plugin/note").status_code == 400
    assert plugin.posted == []
    token = csrf_token(client, "/admin/")
    assert client.post("/test-plugin/note", data={"csrf_token": token}).status_code == 200
    assert plugin.posted == ["note"]
