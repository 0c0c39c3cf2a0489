"""``kdc seed-demo --wards N --officers M [--seed S]``: a synthetic council of any size."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.db import CouncillorRow, EventRow, WardRow
from kdc_core.db.people import (
    CouncillorRoleRow,
    OfficerRow,
    OfficerWardRow,
    ServiceRow,
    WardContactRow,
)
from kdc_core.demo.synthetic import minimum_officers, seed_synthetic
from kdc_core.plugins import make_plugin_manager


def snapshot(kdc: Kdc) -> dict[str, object]:
    """Everything the seed decides, by names and person ids (never database ids)."""
    with Session(kdc.engine) as s:
        wards = {w.id: w.name for w in s.scalars(select(WardRow))}
        officers = {o.id: o for o in s.scalars(select(OfficerRow))}
        services = {r.id: r.name for r in s.scalars(select(ServiceRow))}
        return {
            "wards": sorted(
                (w.name, w.ons_code, officers[w.link_officer_id].person_id)
                for w in s.scalars(select(WardRow))
            ),
            "councillors": sorted(
                (c.name, wards[c.ward_id], c.email) for c in s.scalars(select(CouncillorRow))
            ),
            "roles": sorted(
                (r.councillor_id, r.committee) for r in s.scalars(select(CouncillorRoleRow))
            ),
            "officers": sorted(
                (
                    o.person_id,
                    o.given_name,
                    o.family_name,
                    o.job_title,
                    services.get(o.service_id),
                    officers[o.manager_id].person_id if o.manager_id else None,
                )
                for o in officers.values()
            ),
            "patches": sorted(
                (officers[link.officer_id].person_id, wards[link.ward_id], link.source)
                for link in s.scalars(select(OfficerWardRow))
            ),
            "contacts": sorted(
                (wards[c.ward_id], services[c.service_id], officers[c.officer_id].person_id)
                for c in s.scalars(select(WardContactRow))
            ),
        }


def test_a_small_council_has_everything_the_rota_and_the_directory_need(kdc_app, kdc_run):
    result = kdc_run("seed-demo", "--wards", "5", "--officers", "120", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["added"]["wards"] == 5 and document["added"]["officers"] == 120
    assert document["added"]["councillors"] == 15 and document["added"]["meetings"] > 0

    with Session(kdc_app.engine) as s:
        assert s.scalar(select(func.count()).select_from(WardRow)) == 5
        assert len(set(s.scalars(select(WardRow.slug)))) == 5
        per_ward = Counter(s.scalars(select(CouncillorRow.ward_id)))
        assert set(per_ward.values()) == {3}
        officers = s.scalars(select(OfficerRow)).all()
        roots = [o for o in officers if o.manager_id is None]
        assert [o.job_title for o in roots] == ["Chief Executive"]
        by_id = {o.id: o for o in officers}
        for o in officers:  # a tree: every chain of managers ends at the Chief Executive
            seen = set()
            while o.manager_id is not None:
                assert o.id not in seen
                seen.add(o.id)
                o = by_id[o.manager_id]
            assert o is roots[0]
        facing = s.scalars(select(ServiceRow).where(ServiceRow.ward_facing)).all()
        assert len(facing) == 12
        patched = set(s.scalars(select(OfficerWardRow.officer_id)))
        contacts = {(c.ward_id, c.service_id) for c in s.scalars(select(WardContactRow))}
        ward_ids = set(s.scalars(select(WardRow.id)))
        for service in facing:
            assert {w for w, sid in contacts if sid == service.id} == ward_ids
            assert any(o.id in patched for o in officers if o.service_id == service.id)
        assert all(w.link_officer_id is not None for w in s.scalars(select(WardRow)))
        assert s.scalar(select(func.count()).select_from(EventRow)) == document["added"]["meetings"]

    again = kdc_run("seed-demo", "--wards", "5", "--officers", "120")
    assert again.exit_code == 1
    assert "already holds 5 wards" in again.output


def test_the_same_seed_gives_the_same_council_and_another_seed_another(
    kdc_app, kdc_copy_template, tmp_path: Path
):
    def fresh(name: str) -> Kdc:
        url = f"sqlite:///{tmp_path / name}.db"
        kdc_copy_template(url)
        settings = Settings(database_url=url, instance_path=tmp_path / name, environ={})
        return Kdc(settings, make_plugin_manager(settings))

    with kdc_app.unit_of_work() as uow:
        seed_synthetic(uow, 7, 90, "alpha")
    twin, other = fresh("twin"), fresh("other")
    try:
        with twin.unit_of_work() as uow:
            seed_synthetic(uow, 7, 90, "alpha")
        with other.unit_of_work() as uow:
            seed_synthetic(uow, 7, 90, "beta")
        first = snapshot(kdc_app)
        assert snapshot(twin) == first
        assert snapshot(other)["officers"] != first["officers"]
        assert snapshot(other)["wards"] != first["wards"]
    finally:
        twin.dispose()
        other.dispose()


def test_bad_sizes_are_refused_with_a_reason(kdc_app, kdc_run):
    only_wards = kdc_run("seed-demo", "--wards", "5")
    assert only_wards.exit_code == 2
    assert "needs both --wards and --officers" in only_wards.output
    zero = kdc_run("seed-demo", "--wards", "0", "--officers", "100")
    assert zero.exit_code == 2 and "--wards" in zero.output
    few = kdc_run("seed-demo", "--wards", "3", "--officers", "10")
    assert few.exit_code == 1
    assert f"needs at least {minimum_officers()}" in few.output
    with Session(kdc_app.engine) as s:
        assert s.scalar(select(func.count()).select_from(WardRow)) == 0
