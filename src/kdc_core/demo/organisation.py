"""The demo council's organisation: eight directorates, thirty services and their teams.

Names are Kirklees-like and include every directorate and service the sample staff-directory
CSV uses (Environment → Streetscene, Parks and Greenspaces, Highways; Growth and
Regeneration → Housing Management, Planning; Communities → Community Safety, Libraries;
Adults and Health → Adult Social Care), so a directory sync lines up with the demo.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class TeamSpec:
    name: str
    #: staff below the team manager.
    size: int
    #: ``"North Kirklees"``/``"South Kirklees"`` for ward-facing area teams.
    region: str | None = None


@attrs.frozen
class ServiceSpec:
    name: str
    ward_facing: bool
    teams: tuple[TeamSpec, ...]
    #: job titles for staff (the first is the commonest).
    titles: tuple[str, ...]
    #: ``"office"``, ``"depot"`` or ``"area"`` (sits in the team's region).
    base: str = "office"


@attrs.frozen
class DirectorateSpec:
    name: str
    #: the directorate's director; the Chief Executive leads their own office.
    director_title: str | None
    services: tuple[ServiceSpec, ...]


CHIEF_EXECUTIVES_OFFICE = "Chief Executive's Office"
#: The Chief Executive's own service.
CHIEF_EXECUTIVE_SERVICE = "Policy and Partnerships"

# One directorate a paragraph: "Directorate | director's title" ("-" when the Chief Executive
# leads it), then its services. "+ Service | north south | base" is a ward-facing service with a
# North and a South Kirklees team of that many staff; "- Service | Team n, Team n" is a desk
# service with named teams. The indented line below each service lists staff job titles.
_ORGANISATION = """
Environment | Strategic Director – Environment
  + Streetscene | 9 13 | depot
      Streetscene Officer; Streetscene Supervisor; Environmental Enforcement Officer
  + Parks and Greenspaces | 5 7 | depot
      Park Ranger; Greenspace Officer; Parks Supervisor
  + Waste and Recycling | 10 9 | depot
      Waste Services Officer; Recycling Officer; Collections Supervisor
  + Highways | 6 8 | depot
      Highways Inspector; Highways Engineer; Street Works Officer
  + Environmental Health | 4 5 | area
      Environmental Health Officer; Food Safety Officer; Pollution Control Officer

Growth and Regeneration | Strategic Director – Growth and Regeneration
  + Housing Management | 8 10 | area
      Housing Officer; Estate Officer; Tenancy Sustainment Officer
  + Planning | 4 6 | area
      Planning Officer; Senior Planning Officer; Planning Enforcement Officer
  - Building Control | Building Control 5
      Building Control Surveyor; Senior Building Control Surveyor
  - Economic Development | Business Support 4, Skills and Employment 4
      Economic Development Officer; Business Adviser; Employment Support Officer
  - Town Centres and Regeneration | Huddersfield Town Centre 3, North Kirklees Town Centres 3
      Regeneration Officer; Project Manager

Communities | Strategic Director – Communities
  + Community Safety | 6 5 | area
      Community Safety Officer; Anti-Social Behaviour Officer; Neighbourhood Warden
  + Libraries | 5 6 | area
      Library Officer; Community Librarian; Library Assistant
  + Local Integrated Partnerships | 5 6 | area
      Place Partnership Officer; Community Development Officer
  - Customer Services | Customer Service Centre 9
      Customer Service Adviser; Senior Customer Service Adviser

Adults and Health | Strategic Director – Adults and Health
  + Adult Social Care | 6 7 | area
      Social Worker; Care Coordinator; Occupational Therapist
  - Public Health | Health Improvement 5
      Public Health Officer; Health Improvement Practitioner
  - Commissioning and Partnerships | Commissioning 5
      Commissioning Officer; Contracts Officer

Children and Families | Strategic Director – Children and Families
  + Early Support | 5 6 | area
      Early Support Worker; Family Support Worker; Early Help Coordinator
  - Children's Social Care | Assessment and Intervention 7, Looked After Children 6
      Social Worker; Senior Social Worker
  - Learning and Schools | School Organisation 4, SEND Assessment 5
      Education Officer; SEND Caseworker

Corporate Resources | Strategic Director – Corporate Resources
  - Finance | Accountancy 7, Payments and Procurement 5
      Finance Officer; Accountant; Procurement Officer
  - Human Resources | HR Advice 5, Payroll 4
      HR Adviser; Payroll Officer
  - Digital and IT | Service Desk 6, Applications 5
      IT Analyst; Developer; Service Desk Analyst
  - Revenues and Benefits | Council Tax 7, Benefits 7
      Revenues Officer; Benefits Assessor

Legal, Governance and Commissioning | Service Director – Legal, Governance and Monitoring
  - Legal Services | Litigation and Housing Law 4, Property and Contracts 4
      Solicitor; Legal Assistant
  - Democratic Services | Committee Services 5, Member Support 3
      Governance Officer; Member Support Officer
  - Elections and Registration | Electoral Services 4, Registration Service 4
      Electoral Services Officer; Registrar

Chief Executive's Office | -
  - Policy and Partnerships | Policy 4, Intelligence and Performance 4
      Policy Officer; Data Analyst
  - Communications | Communications 5
      Communications Officer; Digital Content Officer
  - Climate Change and Sustainability | Climate Change 4
      Climate Change Officer; Sustainability Officer
"""


def _parse(text: str) -> tuple[DirectorateSpec, ...]:
    directorates: list[tuple[str, str | None, list[ServiceSpec]]] = []
    pending: tuple[str, bool, tuple[TeamSpec, ...], str] | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        stripped = line.strip()
        if not line.startswith(" "):
            name, title = (part.strip() for part in stripped.split("|"))
            directorates.append((name, None if title == "-" else title, []))
        elif stripped[0] in "+-":
            parts = [part.strip() for part in stripped[1:].split("|")]
            if stripped[0] == "+":
                north, south = (int(n) for n in parts[1].split())
                teams: tuple[TeamSpec, ...] = (
                    TeamSpec(f"{parts[0]} – North Kirklees", north, "North Kirklees"),
                    TeamSpec(f"{parts[0]} – South Kirklees", south, "South Kirklees"),
                )
                pending = (parts[0], True, teams, parts[2])
            else:
                specs = (team.strip().rsplit(" ", 1) for team in parts[1].split(","))
                pending = (parts[0], False, tuple(TeamSpec(t, int(n)) for t, n in specs), "office")
        else:
            assert pending is not None, f"job titles before a service: {line!r}"
            name, ward_facing, teams, base = pending
            titles = tuple(t.strip() for t in stripped.split(";"))
            directorates[-1][2].append(ServiceSpec(name, ward_facing, teams, titles, base))
            pending = None
    return tuple(DirectorateSpec(n, t, tuple(s)) for n, t, s in directorates)


DIRECTORATES: tuple[DirectorateSpec, ...] = _parse(_ORGANISATION)


def all_services() -> tuple[tuple[str, ServiceSpec], ...]:
    """``(directorate, service spec)`` pairs in the order above."""
    return tuple((d.name, s) for d in DIRECTORATES for s in d.services)
