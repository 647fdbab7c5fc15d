"""Demo organisations from the NLGN report and one demo person per role (development only)."""

from __future__ import annotations

from django.db import transaction

from whatworks.core.demo import refuse_unless_debug
from whatworks.core.visibility import Visibility
from whatworks.organisations import services
from whatworks.organisations.models import (
    LocalAuthority,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

DEMO_PASSWORD = "demo-password-local-only"  # noqa: S105 (printed for local use; never with DEBUG off)

# (name, kind, register code of the local authority, description)
ORGANISATIONS = [
    (
        "Wealden District Council",
        OrganisationKind.COUNCIL,
        "WEA",
        "Rewrote its rent arrears letters: tenants got in touch after 21 days instead of 46.",
    ),
    (
        "London Borough of Lambeth",
        OrganisationKind.COUNCIL,
        "LBH",
        "Randomised streets to four incentive offers for its Street Champions.",
    ),
    (
        "Suffolk Coastal District Council",
        OrganisationKind.COUNCIL,
        "SUF",
        "Shared services and joint ventures with Norse (now part of East Suffolk).",
    ),
    (
        "Waveney District Council",
        OrganisationKind.COUNCIL,
        "WAV",
        "Shared services and joint ventures with Norse (now part of East Suffolk).",
    ),
    (
        "Suffolk Coastal Norse",
        OrganisationKind.JOINT_VENTURE,
        None,
        "Joint venture delivering waste, street cleansing and grounds services.",
    ),
    (
        "Waveney Norse",
        OrganisationKind.JOINT_VENTURE,
        None,
        "Joint venture delivering waste, street cleansing and grounds services.",
    ),
    (
        "Sunderland City Council",
        OrganisationKind.COUNCIL,
        "SND",
        "Integrated care with Sunderland CCG and Age UK Sunderland.",
    ),
    (
        "Sunderland Clinical Commissioning Group",
        OrganisationKind.NHS,
        None,
        "Partner in Sunderland's integrated care teams.",
    ),
    (
        "Age UK Sunderland",
        OrganisationKind.CHARITY,
        None,
        "Partner in Sunderland's integrated care teams.",
    ),
    ("London Borough of Barnet", OrganisationKind.COUNCIL, "BNE", ""),
    ("London Borough of Harrow", OrganisationKind.COUNCIL, "HRW", ""),
    ("London Borough of Haringey", OrganisationKind.COUNCIL, "HRY", ""),
    (
        "Jersey Post",
        OrganisationKind.OPERATOR,
        None,
        "Call & Check: postal workers check on older people on their existing rounds.",
    ),
    ("Nightingale Hammerson", OrganisationKind.CHARITY, None, "Care home and community care."),
    ("Citizens Advice", OrganisationKind.CHARITY, None, "Advice on money, housing and rights."),
    ("Sussex Police", OrganisationKind.POLICE, None, ""),
]

# (email, name, job title, organisation, role, site flags)
PEOPLE = [
    (
        "admin@wealden.demo",
        "Alex Admin",
        "Head of Transformation",
        "Wealden District Council",
        Role.ADMIN,
        {},
    ),
    (
        "officer@wealden.demo",
        "Olu Officer",
        "Housing Officer",
        "Wealden District Council",
        Role.OFFICER,
        {},
    ),
    (
        "analyst@wealden.demo",
        "Ana Analyst",
        "Performance Analyst",
        "Wealden District Council",
        Role.ANALYST,
        {},
    ),
    (
        "frontline@wealden.demo",
        "Frankie Frontline",
        "Refuse Collector",
        "Wealden District Council",
        Role.FRONTLINE,
        {},
    ),
    (
        "volunteer@wealden.demo",
        "Vic Volunteer",
        "Street Champion",
        "Wealden District Council",
        Role.VOLUNTEER,
        {},
    ),
    (
        "officer@lambeth.demo",
        "Lee Lambeth",
        "Neighbourhoods Officer",
        "London Borough of Lambeth",
        Role.OFFICER,
        {},
    ),
    ("postie@jerseypost.demo", "Pat Postie", "Postal Worker", "Jersey Post", Role.FRONTLINE, {}),
    (
        "coordinator@jerseypost.demo",
        "Cora Coordinator",
        "Call & Check coordinator",
        "Jersey Post",
        Role.OFFICER,
        {},
    ),
    (
        "moderator@whatworks.demo",
        "Mo Moderator",
        "Community Moderator",
        None,
        None,
        {"is_moderator": True},
    ),
    (
        "staff@whatworks.demo",
        "Sam Staff",
        "Service Team",
        None,
        None,
        {"is_staff": True, "is_superuser": True},
    ),
]


@transaction.atomic
def load_demo_data() -> tuple[int, int]:
    """Create what is missing; safe to run again. Returns (organisations, people) created."""
    refuse_unless_debug()
    new_orgs = new_people = 0
    for name, kind, la_code, description in ORGANISATIONS:
        if Organisation.objects.filter(name=name).exists():
            continue
        la = LocalAuthority.objects.filter(code=la_code).first() if la_code else None
        services.organisation_create(
            name=name, kind=kind, local_authority=la, description=description
        )
        new_orgs += 1
    for email, full_name, job_title, org_name, role, flags in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                full_name=full_name,
                job_title=job_title,
                visibility=Visibility.PEERS,
                **flags,
            )
            new_people += 1
        if org_name and role:
            organisation = Organisation.objects.get(name=org_name)
            if not Membership.objects.filter(user=user, organisation=organisation).exists():
                services.membership_add(user=user, organisation=organisation, role=role)
    return new_orgs, new_people


def load_demo() -> str:
    organisations, people = load_demo_data()
    return f"organisations: {organisations} organisations and {people} people created"


def demo_sign_ins() -> list[tuple[str, str]]:
    rows = []
    for email, _name, _title, org_name, role, flags in PEOPLE:
        what = (
            f"{Role(role).label} at {org_name}"
            if role
            else ("site staff" if flags.get("is_staff") else "moderator")
        )
        rows.append((email, what))
    return rows
