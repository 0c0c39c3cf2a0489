"""An officer's own pages on the people's site, and who may open each of the /my/ pages."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape
from site_people import an_officer, form_token, sign_in
from sqlalchemy import select

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.directory.report import freshness_report
from kdc_core.people import queries
from kdc_core.people.health import data_health


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def client(kdc_app):
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()


@pytest.fixture
def officer(kdc_app):
    """An officer who works in wards."""
    return an_officer(kdc_app)


@pytest.fixture
def manager(kdc_app):
    """An officer with a manager and people reporting to them."""
    return an_officer(kdc_app, manages=True)


def _councillor_email(kdc_app) -> str:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.session.scalar(
            select(CouncillorRow.email)
            .where(CouncillorRow.email.is_not(None), CouncillorRow.archived_at.is_(None))
            .order_by(CouncillorRow.id)
            .limit(1)
        )


COUNCILLOR_PAGES = (
    "/my/enquiries/",
    "/my/enquiries/new",
    "/my/enquiries/KE-2027-000001",
    "/my/calendar/",
    "/my/briefings/",
    "/my/opportunities/",
)
OFFICER_PAGES = ("/my/record/", "/my/team/", "/my/wards/")
POSTS = (
    "/my/enquiries/KE-2027-000001/notes",
    "/my/enquiries/new",
    "/my/calendar/",
    "/my/opportunities/",
    "/my/opportunities/confirm",
    "/my/record/",
)


def test_every_my_page_asks_the_public_to_sign_in_first(client):
    for path in ("/my/", *COUNCILLOR_PAGES, *OFFICER_PAGES):
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert "/sign-in?next=" in answer.headers["Location"], path


def test_an_officer_may_not_open_a_councillors_pages_nor_a_councillor_an_officers(
    kdc_app, client, officer
):
    sign_in(kdc_app, client, officer[1])
    for path in COUNCILLOR_PAGES:
        assert client.get(path).status_code == 403, path
    for path in OFFICER_PAGES:
        assert client.get(path).status_code == 200, path
    councillor = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    sign_in(kdc_app, councillor, _councillor_email(kdc_app))
    for path in OFFICER_PAGES:
        assert councillor.get(path).status_code == 403, path


def test_a_post_without_the_csrf_token_is_refused(kdc_app, client, officer):
    sign_in(kdc_app, client, officer[1])
    for path in POSTS:
        assert client.post(path, data={"body": "x"}).status_code == 400, path
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.get(OfficerRow, officer[0]).confirmed_at is None


def test_my_pages_for_an_officer_list_their_pages(kdc_app, client, officer):
    answer = sign_in(kdc_app, client, officer[1])
    assert answer.headers["Location"].endswith("/my/")
    page = client.get("/my/").get_data(as_text=True)
    assert "My record" in page and "My team" in page and "My wards" in page
    assert "My enquiries" not in page


def test_these_details_are_right_restarts_the_freshness_clock(kdc_app, client, officer):
    officer_id, email = officer
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    with kdc_app.unit_of_work() as uow:
        row = uow.session.get(OfficerRow, officer_id)
        row.updated_at = long_ago
        person_id = row.person_id
    with kdc_app.unit_of_work(dry_run=True) as uow:
        stale = {i.person_id for i in freshness_report(uow.session).stale}
        assert officer_id in {o.id for o in data_health(uow).stale_officers}
    assert person_id in stale
    sign_in(kdc_app, client, email)
    page = client.get("/my/record/").get_data(as_text=True)
    assert "Wednesday 1 January 2020, 12:00am" in page  # the directory's date, in UK time
    answer = client.post("/my/record/", data={"csrf_token": form_token(page)})
    assert answer.status_code == 302
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.get(OfficerRow, officer_id)
        updated_at, confirmed_at = row.updated_at, row.confirmed_at
        report = freshness_report(uow.session)
        assert officer_id not in {o.id for o in data_health(uow).stale_officers}
    assert updated_at == long_ago  # the directory's own date is left alone
    assert dt.datetime.now(dt.UTC) - confirmed_at < dt.timedelta(minutes=1)
    assert person_id not in {i.person_id for i in report.stale}
    assert "recorded as checked on" in client.get("/my/record/").get_data(as_text=True)


def test_my_team_shows_the_managers_above_and_the_reports_below(kdc_app, client, manager):
    officer_id, email = manager
    with kdc_app.unit_of_work(dry_run=True) as uow:
        chain = queries.manager_chain(uow, officer_id)
        tree = queries.team_tree(uow, officer_id)
    assert chain and tree.reports
    sign_in(kdc_app, client, email)
    team = client.get("/my/team/").get_data(as_text=True)
    for person in chain:
        assert escape(person.name) in team
    for _, person in list(tree.walk())[1:]:
        assert escape(person.name) in team
    assert f"{tree.size} {'person' if tree.size == 1 else 'people'}, directly" in team


def test_my_wards_lists_each_ward_with_its_councillors(kdc_app, client, officer):
    officer_id, email = officer
    with kdc_app.unit_of_work(dry_run=True) as uow:
        wards = queries.wards_of_officer(uow, officer_id)
        councillors = [c for w in wards for c in queries.councillors_of_ward(uow, w)]
    assert wards and councillors
    sign_in(kdc_app, client, email)
    mine = client.get("/my/wards/").get_data(as_text=True)
    for ward in wards:
        assert escape(ward.name) in mine
    for councillor in councillors:
        assert escape(councillor.name) in mine
        assert councillor.email in mine
    assert "Nobody reports to you" in client.get("/my/team/").get_data(as_text=True)


def test_an_admin_account_alone_has_no_pages_of_its_own(kdc_app, client):
    add_user(kdc_app, "keeper@example.org", "admin")
    assert log_in(client, "keeper@example.org").status_code == 302
    page = client.get("/my/")
    assert page.status_code == 200
    assert "There are no pages here for your account" in page.get_data(as_text=True)
    assert client.get("/my/enquiries/").status_code == 403
    assert client.get("/my/record/").status_code == 403
