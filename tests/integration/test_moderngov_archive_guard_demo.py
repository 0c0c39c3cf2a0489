"""The mass-archive guard on the 23-ward demo council: a one-ward answer is refused with the
numbers and nothing is written; ``--force`` applies it."""

from __future__ import annotations

import json

import pytest
from moderngov_builder import SampleCouncillor, write_councillors_by_ward

from kdc_core.app import Kdc

IMPORT = ("import", "moderngov-councillors")


@pytest.fixture
def kdc_template() -> str:
    return "demo"


def roster(kdc_app: Kdc) -> dict[str, tuple[str, bool]]:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return {
            c.external_id("moderngov"): (c.name, c.active)
            for c in uow.people.councillors(include_archived=True)
        }


def one_ward_answer(kdc_app: Kdc, path):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        ward = uow.people.wards()[0]
        people = [c for c in uow.people.councillors() if c.ward and c.ward.id == ward.id]
    samples = [
        SampleCouncillor(
            id=int(c.external_id("moderngov")),
            name=c.name,
            ward=ward.name,
            party=c.group.name if c.group else "Independent",
            email=c.email or "someone@example.gov.uk",
        )
        for c in people
    ]
    return ward.name, len(samples), write_councillors_by_ward(path, samples)


def test_a_one_ward_answer_is_refused_with_the_numbers_and_force_applies_it(
    kdc_run, kdc_app, tmp_path
):
    before = roster(kdc_app)
    assert len(before) == 69 and all(active for _, active in before.values())
    ward, kept, path = one_ward_answer(kdc_app, tmp_path / "one-ward.xml")
    leaving = 69 - kept
    assert (leaving, f"{leaving / 69:.0%}") == (66, "96%")

    result = kdc_run(*IMPORT, str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    error = result.stderr.splitlines()[-1]
    assert error.startswith(
        f"Error: this import would archive {leaving} of 69 active councillors "
        f"({leaving / 69:.0%}): more than the 10% allowed by "
        "plugins.moderngov.max_archive_share; and every councillor of 22 wards ("
    )
    assert error.endswith(
        "and 17 more). Nothing was changed; check the source, or run again with --force "
        "to apply it."
    )
    assert ward not in error
    assert roster(kdc_app) == before

    result = kdc_run(*IMPORT, str(path), "--force", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["councillor"]["archived"] == leaving
    after = roster(kdc_app)
    assert sum(active for _, active in after.values()) == kept
