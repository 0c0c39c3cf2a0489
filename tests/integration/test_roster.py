"""The roster service keeps councillors in step with an outside source's records."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import attrs
import pytest
from sqlalchemy import event, func, select

from kdc_core.changes import Action
from kdc_core.db import CouncillorExternalIdRow, CouncillorRoleRow, CouncillorRow, WardRow
from kdc_core.errors import ImportFailed
from kdc_core.people.roster import sync_councillors
from kdc_core.people.values import CouncillorRecord, Role, RoleKind, TermOfOffice

SCHEME = "test"
T2012 = TermOfOffice(dt.date(2012, 5, 3), dt.date(2016, 5, 5))
T2021 = TermOfOffice(dt.date(2021, 5, 6), dt.date(2027, 5, 2))


def record(n: int, **changes) -> CouncillorRecord:
    base = CouncillorRecord(
        scheme=SCHEME,
        external_id=str(n),
        name=f"Person {n}",
        ward_name=["Dalton", "Golcar", "Lindley"][n % 3],
        group_name=["Labour", "Green Party"][n % 2],
        email=f"person.{n}@example.gov.uk",
        mobile=f"07700 9{n:05d}",
        key_posts=("Chair & Whip",) if n == 1 else (),
        terms=(T2021,),
        where=f"row {n}",
    )
    return attrs.evolve(base, **changes)


def sync(kdc_app, records, scheme=SCHEME):
    with kdc_app.unit_of_work(source="test") as uow:
        return sync_councillors(uow, records, scheme=scheme)


def everyone(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return {c.name: c for c in uow.people.councillors(include_archived=True)}


@contextlib.contextmanager
def counting_statements(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_first_sync_adds_wards_groups_and_councillors(kdc_app):
    changes = sync(kdc_app, [record(n) for n in range(1, 7)])
    assert changes.summary() == {
        "ward": {"added": 3},
        "political_group": {"added": 2},
        "councillor": {"added": 6},
    }
    people = everyone(kdc_app)
    one = people["Person 1"]
    assert one.ward.name == "Golcar" and one.ward.slug == "golcar"
    assert one.group.name == "Green Party"
    assert one.key_posts == ("Chair & Whip",)
    assert one.terms == (T2021,)
    assert one.external_ids == ((SCHEME, "1"),)


def test_syncing_the_same_records_again_changes_nothing(kdc_app):
    records = [record(n, terms=(T2021, T2012)) for n in range(1, 7)]
    sync(kdc_app, records)
    before = everyone(kdc_app)
    assert len(sync(kdc_app, list(reversed(records)))) == 0
    assert everyone(kdc_app) == before


def test_only_the_fields_that_differ_are_written(kdc_app):
    sync(kdc_app, [record(1), record(2)])
    changes = sync(kdc_app, [record(1, email="new@example.gov.uk", mobile=None), record(2)])
    (change,) = changes.changes
    assert (change.action, change.label, change.fields) == (
        Action.UPDATED,
        "Person 1",
        ("email", "mobile"),
    )
    assert everyone(kdc_app)["Person 1"].mobile is None


def test_terms_and_key_posts_are_replaced_only_when_they_differ(kdc_app):
    sync(kdc_app, [record(1)])
    (change,) = sync(kdc_app, [record(1, terms=(T2012, T2021))]).changes
    assert change.fields == ("terms",)
    assert everyone(kdc_app)["Person 1"].terms == (T2012, T2021)
    (change,) = sync(kdc_app, [record(1, terms=(T2021, T2012), key_posts=("Mayor",))]).changes
    assert change.fields == ("key_posts", "roles")


def test_a_new_ward_or_group_is_created_once_and_the_councillor_moves(kdc_app):
    sync(kdc_app, [record(1), record(2)])
    changes = sync(
        kdc_app,
        [
            record(1, ward_name="Holme Valley North", group_name="Independent"),
            record(2, ward_name="Holme  Valley North", group_name="independent"),
        ],
    )
    assert changes.count("ward", Action.ADDED) == 1
    assert changes.count("political_group", Action.ADDED) == 1
    people = everyone(kdc_app)
    assert people["Person 1"].ward == people["Person 2"].ward
    assert people["Person 2"].ward.slug == "holme-valley-north"
    assert people["Person 2"].group.name == "Independent"


def test_bio_and_roles_the_source_does_not_carry_are_kept(kdc_app):
    sync(kdc_app, [record(1)])
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(select(CouncillorRow)).one()
        row.bio = "Lives in Golcar."
        row.roles.append(CouncillorRoleRow(kind="scrutiny", title="Scrutiny panel"))
    sync(kdc_app, [record(1, email="changed@example.gov.uk", name="Person One")])
    person = everyone(kdc_app)["Person One"]
    assert person.bio == "Lives in Golcar."
    assert Role(RoleKind.SCRUTINY, "Scrutiny panel") in person.roles
    assert person.email == "changed@example.gov.uk"


def test_a_missing_councillor_is_archived_not_deleted_and_comes_back(kdc_app):
    sync(kdc_app, [record(n) for n in range(1, 4)])
    changes = sync(kdc_app, [record(1), record(3)])
    assert [(c.action, c.label) for c in changes] == [(Action.ARCHIVED, "Person 2")]
    people = everyone(kdc_app)
    assert people["Person 2"].archived_at is not None
    assert people["Person 2"].terms == (T2021,)
    assert all(people[f"Person {n}"].active for n in (1, 3))
    assert len(sync(kdc_app, [record(1), record(3)])) == 0

    changes = sync(kdc_app, [record(n) for n in range(1, 4)])
    assert [(c.action, c.label) for c in changes] == [(Action.REACTIVATED, "Person 2")]
    assert everyone(kdc_app)["Person 2"].active


def test_councillors_from_another_source_or_entered_by_hand_are_not_archived(kdc_app):
    sync(kdc_app, [record(1)], scheme=SCHEME)
    sync(kdc_app, [attrs.evolve(record(2), scheme="other")], scheme="other")
    with kdc_app.unit_of_work() as uow:
        uow.session.add(CouncillorRow(name="Hand Entered"))
    changes = sync(kdc_app, [record(3)], scheme=SCHEME)
    assert [(c.action, c.label) for c in changes if c.entity == "councillor"] == [
        (Action.ADDED, "Person 3"),
        (Action.ARCHIVED, "Person 1"),
    ]
    people = everyone(kdc_app)
    assert people["Person 2"].active and people["Hand Entered"].active


def test_duplicate_ids_name_both_records_and_write_nothing(kdc_app):
    with pytest.raises(ImportFailed) as info:
        sync(kdc_app, [record(1), record(2), attrs.evolve(record(3), external_id="1")])
    assert str(info.value) == "test id '1' appears twice: row 1 and row 3"
    assert everyone(kdc_app) == {}


def test_a_record_from_another_scheme_is_refused(kdc_app):
    with pytest.raises(ImportFailed, match="row 1: record is for scheme 'other', not 'test'"):
        sync(kdc_app, [attrs.evolve(record(1), scheme="other")])


def test_an_empty_id_is_refused(kdc_app):
    with pytest.raises(ImportFailed, match="row 1: external_id is empty"):
        sync(kdc_app, [record(1, external_id=" ")])


def test_the_number_of_queries_does_not_grow_with_the_records(kdc_app):
    """Loading takes a fixed number of SELECTs. PostgreSQL batches the INSERTs too; SQLite
    cannot return ids in a guaranteed order, so SQLAlchemy inserts there a row at a time."""

    def statements_for(records):
        with counting_statements(kdc_app.engine) as statements:
            sync(kdc_app, records)
        return statements

    def selects(statements):
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    old = [record(n) for n in range(1, 4)]
    few = [record(n) for n in range(100, 105)]
    many = [record(n) for n in range(200, 260)]
    statements_for(old)
    add_few, add_many = statements_for(old + few), statements_for(old + few + many)
    assert len(selects(add_few)) == len(selects(add_many)) <= 7

    def changed(records):
        return [attrs.evolve(r, email=None, terms=(T2012,)) for r in records]

    change_few = statements_for(old + changed(few) + many)
    change_many = statements_for(old + few + changed(many))
    assert len(selects(change_few)) == len(selects(change_many)) <= 7
    if kdc_app.engine.dialect.name == "postgresql":
        assert len(add_few) == len(add_many)
        assert len(change_few) == len(change_many)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(CouncillorExternalIdRow)) == 68


def test_a_value_too_long_for_its_column_is_refused_by_name(kdc_app):
    with pytest.raises(ImportFailed, match=r"row 2: email is 300 characters long; at most 254"):
        sync(kdc_app, [record(1), record(2, email="x" * 291 + "@gov.uk.x")])
    assert everyone(kdc_app) == {}


def test_an_existing_ward_is_found_by_name_or_by_its_slug(kdc_app):
    with kdc_app.unit_of_work() as uow:
        uow.session.add_all(
            [
                WardRow(name="Golcar", slug="golcar-ward"),
                WardRow(name="Dalton (Huddersfield)", slug="dalton"),
            ]
        )
    changes = sync(kdc_app, [record(1), record(3)])  # wards "Golcar" and "Dalton"
    assert changes.count("ward") == 0
    people = everyone(kdc_app)
    assert people["Person 1"].ward.slug == "golcar-ward"
    assert people["Person 3"].ward.name == "Dalton (Huddersfield)"


# -- what the sync keeps over time ----------------------------------------------------------------


def today(kdc_app) -> dt.date:
    return dt.datetime.now(kdc_app.settings.tz).date()


def test_key_posts_become_roles_dated_by_the_syncs_that_saw_them_come_and_go(kdc_app):
    posts = ("Cabinet Member for Housing", "Chair & Whip")
    sync(kdc_app, [record(1, key_posts=posts)])
    day = today(kdc_app)
    person = everyone(kdc_app)["Person 1"]
    assert person.roles == (
        Role(RoleKind.CABINET_PORTFOLIO, "Cabinet Member for Housing", start=day),
        Role(RoleKind.OTHER, "Chair & Whip", start=day),
    )
    assert len(sync(kdc_app, [record(1, key_posts=posts)])) == 0

    (change,) = sync(kdc_app, [record(1, key_posts=("Cabinet Member for Housing",))]).changes
    assert change.fields == ("key_posts", "roles")
    person = everyone(kdc_app)["Person 1"]
    assert [r.title for r in person.roles] == ["Cabinet Member for Housing"]
    assert person.past_roles == (Role(RoleKind.OTHER, "Chair & Whip", start=day, end=day),)


def test_a_key_post_already_entered_by_hand_as_a_role_is_not_doubled(kdc_app):
    sync(kdc_app, [record(1, key_posts=())])
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(select(CouncillorRow)).one()
        row.roles.append(CouncillorRoleRow(kind="group_leader", title="Leader of the Green Group"))
    sync(kdc_app, [record(1, key_posts=("Leader of the  Green Group",))])
    assert everyone(kdc_app)["Person 1"].roles == (
        Role(RoleKind.GROUP_LEADER, "Leader of the Green Group"),
    )


def test_a_change_of_group_keeps_the_earlier_membership_with_dates(kdc_app):
    sync(kdc_app, [record(2)])  # Labour
    day = today(kdc_app)
    person = everyone(kdc_app)["Person 2"]
    assert [(m.group.name, m.start, m.end) for m in person.group_history] == [("Labour", day, None)]
    changes = sync(kdc_app, [record(2, group_name="Independent")]).changes
    (change,) = [c for c in changes if c.entity == "councillor"]
    assert change.fields == ("group_history", "group_id")
    person = everyone(kdc_app)["Person 2"]
    assert person.group.name == "Independent"
    assert [(m.group.name, m.start, m.end) for m in person.group_history] == [
        ("Labour", day, day),
        ("Independent", day, None),
    ]
    assert len(sync(kdc_app, [record(2, group_name="Independent")])) == 0


def test_a_group_change_for_a_councillor_with_no_history_keeps_the_earlier_one_unstarted(
    kdc_app,
):
    sync(kdc_app, [record(2)])
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(select(CouncillorRow)).one()
        row.group_history.clear()  # as for councillors loaded before histories were kept
    sync(kdc_app, [record(2, group_name="Green Party")])
    history = everyone(kdc_app)["Person 2"].group_history
    assert [(m.group.name, m.start, m.end) for m in history] == [
        ("Labour", None, today(kdc_app)),
        ("Green Party", today(kdc_app), None),
    ]


def test_surgery_details_and_the_address_are_kept(kdc_app):
    sync(kdc_app, [record(1, surgery="Fridays, 6pm", address="Town Hall\nDewsbury")])
    person = everyone(kdc_app)["Person 1"]
    assert (person.surgery, person.address) == ("Fridays, 6pm", "Town Hall\nDewsbury")
    assert (
        len(sync(kdc_app, [record(1, surgery="Fridays, 6pm", address="Town Hall\nDewsbury")])) == 0
    )
    # a source that says nothing about surgeries leaves them; the address is the source's
    (change,) = sync(kdc_app, [record(1, surgery=None, address=None)]).changes
    assert change.fields == ("address",)
    person = everyone(kdc_app)["Person 1"]
    assert (person.surgery, person.address) == ("Fridays, 6pm", None)
