"""``kdc_core.people.committees.sync_committees``: committees and seats from any source."""

from __future__ import annotations

from sqlalchemy import select

from kdc_core.calendar.concerns import load_membership
from kdc_core.changes import Action
from kdc_core.db import CommitteeMembershipRow, CouncillorExternalIdRow, CouncillorRow
from kdc_core.people.committees import (
    CommitteeIndex,
    CommitteeRecord,
    SeatRecord,
    SeatScope,
    sync_committees,
)

SOURCE = "test"
PLANNING = CommitteeRecord("10", "Planning Committee")
AUDIT = CommitteeRecord("11", "Audit Committee", expired=True)


def councillor(uow, name: str, external_id: str) -> int:
    row = CouncillorRow(name=name)
    row.external_ids.append(CouncillorExternalIdRow(scheme=SOURCE, value=external_id))
    uow.session.add(row)
    uow.session.flush()
    return row.id


BOTH = SeatScope(committees=frozenset({"10", "11"}))


def sync(uow, seats):
    return sync_committees(uow, [PLANNING, AUDIT], seats, source=SOURCE, scheme=SOURCE, scope=BOTH)


def roles(uow) -> dict[int, str]:
    rows = uow.session.scalars(select(CommitteeMembershipRow))
    return {r.councillor_id: r.role for r in rows}


def test_conflicting_roles_keep_the_first_and_unknown_committees_are_skipped_with_warnings(
    kdc_app,
):
    with kdc_app.unit_of_work() as uow:
        ann = councillor(uow, "Ann Lee", "1")
        changes = sync(
            uow,
            [
                SeatRecord("10", "1", "Chair", "Ann Lee", where="a.xml, line 5"),
                SeatRecord("10", "1", "Member", "Ann Lee", where="b.xml, line 9"),
                SeatRecord("99", "1", "Member", "Ann Lee", where="b.xml, line 12"),
            ],
        )
        assert roles(uow) == {ann: "Chair"}
    assert changes.warnings == (
        "b.xml, line 9: councillor 1 is 'Member' on Planning Committee here but 'Chair' at "
        "a.xml, line 5; kept 'Chair'",
        "b.xml, line 12: seat of councillor 1 on committee 99, which the committee list does "
        "not have; skipped",
    )
    assert changes.count("committee", Action.ADDED) == 2


def test_a_changed_role_is_updated_and_an_expired_committees_seats_do_not_count(kdc_app):
    with kdc_app.unit_of_work() as uow:
        ann = councillor(uow, "Ann Lee", "1")
        bob = councillor(uow, "Bob Hall", "2")
        sync(uow, [SeatRecord("10", "1", "Member"), SeatRecord("11", "2", "Member")])
    with kdc_app.unit_of_work() as uow:
        changes = sync(uow, [SeatRecord("10", "1", "Vice-Chair"), SeatRecord("11", "2")])
        assert [(c.entity, c.action, c.fields) for c in changes] == [
            ("committee", Action.UPDATED, ("members",))
        ]
        assert roles(uow) == {ann: "Vice-Chair", bob: "Member"}
        membership = load_membership(uow)
        assert membership.members("planning  COMMITTEE") == {ann}
        assert membership.members("Audit Committee") == frozenset()


def test_the_index_matches_by_id_then_title_then_roles_and_full_council(kdc_app):
    with kdc_app.unit_of_work() as uow:
        sync(uow, [])
        index = CommitteeIndex.load(uow, SOURCE)
    assert index.match("Anything", "10") == "Planning Committee"
    assert index.match("PLANNING committee") == "Planning Committee"
    assert index.match("Planning Committee", "404") == "Planning Committee"
    assert index.match("Full Council") == "Full Council"
    assert index.match("Heritage Advisory Group", "400") is None
