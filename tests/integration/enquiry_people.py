"""A small council for the enquiry tests: two wards, three services, a few officers."""

from __future__ import annotations

from kdc_core.app import Kdc
from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow, WardContactRow, WardRow
from kdc_core.enquiries.routing import set_service_contact

WARDS = ("Almondbury", "Dalton")
SERVICES = ("Highways", "Waste", "Parks")


def seed_enquiry_people(kdc: Kdc) -> None:
    """Highways has a named contact in Almondbury (Hana Road) and a default (Dev Default);
    Waste has only a default (Wes Bins); Parks has nobody."""
    with kdc.unit_of_work() as uow:
        s = uow.session
        wards = {n: WardRow(name=n, slug=n.lower()) for n in WARDS}
        services = {n: ServiceRow(name=n, slug=n.lower(), ward_facing=True) for n in SERVICES}
        s.add_all([*wards.values(), *services.values()])
        s.flush()

        def officer(pid: str, given: str, family: str, service: str) -> OfficerRow:
            row = OfficerRow(
                person_id=pid,
                given_name=given,
                family_name=family,
                service_id=services[service].id,
            )
            s.add(row)
            s.flush()
            return row

        hana = officer("p1", "Hana", "Road", "Highways")
        dev = officer("p2", "Dev", "Default", "Highways")
        wes = officer("p3", "Wes", "Bins", "Waste")
        officer("p4", "Jo", "Joint", "Parks")
        s.add(
            WardContactRow(
                ward_id=wards["Almondbury"].id,
                service_id=services["Highways"].id,
                officer_id=hana.id,
            )
        )
        set_service_contact(s, services["Highways"].id, dev.id)
        set_service_contact(s, services["Waste"].id, wes.id)
        s.add_all(
            [
                CouncillorRow(name="Ann Smith", ward_id=wards["Almondbury"].id),
                CouncillorRow(name="Bob Jones", ward_id=wards["Almondbury"].id),
                CouncillorRow(name="Cat Lee", ward_id=wards["Dalton"].id),
            ]
        )
