"""Generated staff directories for the sync tests and the benchmark: fictional, deterministic."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from kdc_core.directory.values import DirectoryRecord

HEADER = (
    "person_id",
    "given_name",
    "family_name",
    "email",
    "phone",
    "job_title",
    "service",
    "directorate",
    "manager_id",
    "team",
    "wards",
    "location",
    "updated_at",
)
SERVICES = (
    ("Streetscene", "Environment"),
    ("Parks and Greenspaces", "Environment"),
    ("Housing Management", "Growth and Regeneration"),
    ("Community Safety", "Communities"),
    ("Libraries", "Communities"),
)
WARDS = ("Almondbury", "Batley East", "Dewsbury West", "Heckmondwike", "Mirfield")
STAMP = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def directory(count: int) -> list[DirectoryRecord]:
    """``count`` officers: ten per team, each team reporting to the first of the previous ten."""
    records = []
    for n in range(1, count + 1):
        service, directorate = SERVICES[n % len(SERVICES)]
        manager = None if n <= 5 else f"P{(n - 1) // 10 + 1:06d}"
        wards = (WARDS[n % len(WARDS)],) if n % 3 == 0 else ()
        records.append(
            DirectoryRecord(
                person_id=f"P{n:06d}",
                given_name=f"Given{n}",
                family_name=f"Family{n % 997}",
                email=f"p{n:06d}@example.gov.uk",
                phone=f"01484 {n:06d}",
                job_title="Officer" if n > 5 else "Head of Service",
                service=service,
                directorate=directorate,
                manager_id=manager,
                team=f"{service} team {n // 10}",
                wards=wards,
                location="Civic Centre 1",
                updated_at=STAMP,
            )
        )
    return records


def write_csv(path: Path, records: Iterable[DirectoryRecord]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for r in records:
            out.writerow(
                [
                    r.person_id,
                    r.given_name,
                    r.family_name,
                    r.email or "",
                    r.phone or "",
                    r.job_title or "",
                    r.service or "",
                    r.directorate or "",
                    r.manager_id or "",
                    r.team or "",
                    ";".join(r.wards),
                    r.location or "",
                    r.updated_at.isoformat() if r.updated_at else "",
                ]
            )
    return path


def retitle(records: Sequence[DirectoryRecord], every: int) -> list[DirectoryRecord]:
    """Change the job title of every ``every``-th record."""
    import attrs

    return [
        attrs.evolve(r, job_title="Principal Officer") if i % every == 0 else r
        for i, r in enumerate(records)
    ]
