"""Every command that takes a person or a place takes a name or an id: a near miss gets the
closest names, an unknown id a clean exit 1, never a traceback."""

from __future__ import annotations

import json

import pytest

from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow, WardRow
from kdc_core.people import lookup


@pytest.fixture
def people(kdc_app):
    with kdc_app.unit_of_work() as uow:
        dalton = WardRow(name="Dalton", slug="dalton")
        lindley = WardRow(name="Lindley", slug="lindley")
        highways = ServiceRow(name="Highways", slug="highways")
        ann = CouncillorRow(name="Ann Lee", ward=dalton)
        olu = OfficerRow(person_id="p-1", given_name="Olu", family_name="Ade", service=highways)
        uow.session.add_all([lindley, ann, olu])
        uow.session.flush()
        return {"ann": ann.id, "olu": olu.id, "dalton": dalton.id}


def test_the_shared_lookup_takes_names_ids_and_slugs(kdc_app, people):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        s = uow.session
        assert lookup.resolve_councillor(s, "cllr ann lee").id == people["ann"]
        assert lookup.resolve_councillor(s, str(people["ann"])).name == "Ann Lee"
        assert lookup.resolve_officer(s, "p-1").id == people["olu"]
        assert lookup.resolve_officer(s, "OLU  ADE").id == people["olu"]
        assert lookup.resolve_officer(s, str(people["olu"])).person_id == "p-1"
        assert lookup.resolve_ward(s, "dalton").id == people["dalton"]
        assert lookup.resolve_service(s, "HIGHWAYS").slug == "highways"
        with pytest.raises(lookup.NotKnown, match=r"no ward called 'Daltn'; did you mean 'Dalton'"):
            lookup.resolve_ward(s, "Daltn")
        with pytest.raises(lookup.NotKnown, match=r"no ward called 'Xyz' \(wards: Dalton, Lindley"):
            lookup.resolve_ward(s, "Xyz")
        with pytest.raises(lookup.NotKnown, match="no service with id 4242"):
            lookup.resolve_service(s, "4242")


def test_complaint_open_takes_names_and_refuses_an_unknown_officer_cleanly(kdc_run, people):
    opened = kdc_run(
        "protocol", "complaint-open", "--councillor", "Cllr Ann Lee", "--officer", "Olu Ade",
        "--summary", "Hectoring by email", "--received", "2027-01-04",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    log = json.loads(kdc_run("protocol", "complaints", "--json").output)
    assert log[0]["councillor"] == "Ann Lee"
    unknown = kdc_run(
        "protocol", "complaint-open", "--councillor", str(people["ann"]), "--officer", "99999",
        "--summary", "x",
    )  # fmt: skip
    assert unknown.exit_code == 1 and "no officer with id 99999" in unknown.output
    near = kdc_run("protocol", "complaint-open", "--councillor", "Ann Le", "--summary", "x")
    assert near.exit_code == 1
    assert "no councillor called 'Ann Le'; did you mean 'Ann Lee'?" in near.output
    nobody = kdc_run("protocol", "complaint-open", "--councillor", "77777", "--summary", "x")
    assert nobody.exit_code == 1 and "no councillor with id 77777" in nobody.output
    bad_date = kdc_run(
        "protocol", "complaint-open", "--councillor", "Ann Lee", "--summary", "x",
        "--received", "4/1/2027",
    )  # fmt: skip
    assert bad_date.exit_code == 2 and "is not a date like 2027-01-31" in bad_date.output


def test_rota_unavailability_takes_the_officers_name(kdc_run, people):
    done = kdc_run("rota", "unavailable", "--officer", "olu ade", "--from", "2027-03-01",
                   "--to", "2027-03-05", "--reason", "Leave")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Olu Ade (p-1) is unavailable from Mon 1 Mar 2027 00:00 GMT")
    typo = kdc_run("rota", "unavailable", "--officer", "Olu Adey", "--from", "2027-03-01",
                   "--to", "2027-03-05")  # fmt: skip
    assert typo.exit_code == 1 and "did you mean 'Olu Ade'?" in typo.output


def test_briefings_newsletters_and_feeds_suggest_the_closest_names(kdc_run, people, tmp_path):
    briefing = kdc_run("briefing", "post", "--ward", "Lindly", "--title", "Roadworks",
                       "--body", "Lane closed", "--public-on", "2027-03-01")  # fmt: skip
    assert briefing.exit_code == 1 and "did you mean 'Lindley'?" in briefing.output
    service = kdc_run("briefing", "post", "--ward", "Lindley", "--title", "Roadworks",
                      "--body", "Lane closed", "--public-on", "2027-03-01",
                      "--service", "Highway")  # fmt: skip
    assert service.exit_code == 1 and "did you mean 'Highways'?" in service.output
    newsletter = kdc_run("newsletter", "build", "--month", "2027-03", "--ward", "Daltn",
                         "--out", str(tmp_path))  # fmt: skip
    assert newsletter.exit_code == 1 and "did you mean 'Dalton'?" in newsletter.output
    feed = kdc_run("feeds", "url", "--officer", "Olu Adee")
    assert feed.exit_code == 1 and "did you mean 'Olu Ade'?" in feed.output
    outbox = kdc_run("outbox", "list", "--councillor", "Anne Lee")
    assert outbox.exit_code == 1 and "did you mean 'Ann Lee'?" in outbox.output
