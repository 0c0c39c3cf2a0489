"""The admin's "Directory sync" page: every recorded run, for signed-in users only."""

from __future__ import annotations

import pytest
from directory_data import directory, write_csv

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in

PAGE = "/admin/directory-sync/"


@pytest.fixture
def client(kdc_app):
    app = create_app(kdc_app, TESTING=True, SECRET_KEY=TEST_SECRET)
    add_user(kdc_app, "vic@example.gov.uk", "viewer")
    return app.test_client()


def test_the_sync_log_needs_a_login_and_shows_applied_and_refused_runs(client, kdc_run, tmp_path):
    records = directory(50)
    assert (
        kdc_run("directory", "sync", "csv", str(write_csv(tmp_path / "a.csv", records))).exit_code
        == 0
    )
    short = write_csv(tmp_path / "b.csv", records[:10])
    assert kdc_run("directory", "sync", "csv", str(short)).exit_code != 0

    assert client.get(PAGE).status_code == 302
    log_in(client, "vic@example.gov.uk")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Directory sync" in html
    assert html.count('class="outcome-applied"') == 1
    assert html.count('class="outcome-refused"') == 1
    assert "would archive 40 of 50 active officers" in html
    assert client.post(PAGE).status_code in (403, 405)
