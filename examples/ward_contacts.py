"""Print who to contact about a ward: its councillors, named service contacts and link officer.

Uses kdc-core as a library: settings from kdc.toml and the environment, one read-only unit
of work, and the people repository, which hands back frozen values.

    python examples/ward_contacts.py Almondbury
    KDC_DATABASE_URL=postgresql+psycopg://kdc@db/kdc python examples/ward_contacts.py dalton
"""

from __future__ import annotations

import argparse
import sys

from kdc_core import Kdc, KdcError, Officer


def reach(email: str | None, phone: str | None) -> str:
    """``" — email, phone"`` with whichever of the two is known."""
    known = [part for part in (email, phone) if part]
    return f" — {', '.join(known)}" if known else ""


def describe(officer: Officer) -> str:
    title = f", {officer.job_title}" if officer.job_title else ""
    return f"{officer.name}{title}{reach(officer.email, officer.phone)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ward", help="ward name (any case) or slug")
    parser.add_argument("--config", help="kdc.toml to read (default: $KDC_CONFIG or ./kdc.toml)")
    args = parser.parse_args(argv)

    try:
        kdc = Kdc.from_config(args.config)
        try:
            with kdc.unit_of_work(source="script:ward_contacts", dry_run=True) as uow:
                ward = uow.people.ward(args.ward)
                councillors = uow.people.councillors(ward_id=ward.id)
                contacts = uow.people.ward_contacts(ward.id)
                link = uow.people.link_officer(ward.id) if ward.id is not None else None
        finally:
            kdc.dispose()
    except KdcError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1

    print(ward.name + (f" ({ward.ons_code})" if ward.ons_code else ""))
    print("\nCouncillors")
    for c in councillors:
        group = f" ({c.group.name})" if c.group else ""
        print(f"  {c.name}{group}{reach(c.email, c.phone)}")
    if not councillors:
        print("  (none recorded)")
    print("\nNamed contacts")
    for contact in contacts:
        print(f"  {contact.service.name}: {describe(contact.officer)}")
    if not contacts:
        print("  (none recorded)")
    print("\nLink officer")
    print(f"  {describe(link)}" if link else "  (none recorded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
