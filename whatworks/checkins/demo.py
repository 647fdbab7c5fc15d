"""Demo data for the checkins app (DEBUG only; idempotent).

A made-up Call & Check scheme run by Jersey Post, linked to the register's Call & Check
record: one round walked by the demo postal worker, eight synthetic residents (names and
addresses invented), three weeks of visits with UCLA-3 scores, one open concern and one
referral waiting. Everyone demo-signed-in with a scheme role sets up an authenticator app at
their first visit to /checkins/.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from whatworks.checkins import funding, outcomes, peace_of_mind, services, signposting, training
from whatworks.checkins.models import (
    ConsentMethod,
    ContactSurvey,
    NominatedContact,
    PeaceOfMind,
    Question,
    Resident,
    Scheme,
)
from whatworks.initiatives.models import Initiative
from whatworks.organisations.models import Membership, Organisation, Role, User

SCHEME_NAME = "Call & Check Jersey (demo)"
COORDINATOR = "coordinator@jerseypost.demo"
NAMES = [
    ("Edith", "Le Brun"),
    ("Albert", "Renouf"),
    ("Joan", "Vibert"),
    ("Harold", "Le Cornu"),
    ("Mary", "Amy"),
    ("Stanley", "Falle"),
    ("Winifred", "Huelin"),
    ("Percy", "Gallichan"),
]


@transaction.atomic
def load_demo() -> str:
    from whatworks.organisations.demo import DEMO_PASSWORD

    organisation = Organisation.objects.filter(name="Jersey Post").first()
    postie = User.objects.filter(email="postie@jerseypost.demo").first()
    if organisation is None or postie is None:
        return "checkins: skipped (no Jersey Post demo organisation)"
    if Scheme.objects.filter(name=SCHEME_NAME).exists():
        return "checkins: demo scheme already loaded"
    coordinator = User.objects.filter(email=COORDINATOR).first()
    if coordinator is None:
        coordinator = User.objects.create_user(
            email=COORDINATOR,
            password=DEMO_PASSWORD,
            full_name="Cora Coordinator",
            job_title="Call & Check coordinator",
        )
        Membership.objects.create(user=coordinator, organisation=organisation, role=Role.OFFICER)
    initiative = Initiative.objects.filter(
        organisation=organisation, title__startswith="Call & Check"
    ).first()
    scheme = services.scheme_create(
        organisation=organisation,
        name=SCHEME_NAME,
        actor=coordinator,
        initiative=initiative,
        coordinator_phone="01534 616616",
        alert_mobile="07797 812345",  # texted at an emergency
        health_identifier="local",
        local_identifier_label="Jersey health number",
        gp_practices="own",  # Jersey's practices have no NHS ODS code
    )
    for practice in ("Cleveland Clinic", "Le Rocquier Surgery", "Lido Medical Centre"):
        services.practice_address_save(
            scheme=scheme,
            name=practice,
            email=f"{practice.split()[0].lower()}@practices.example.je",
            actor=coordinator,
        )
    round_ = services.round_create(
        scheme=scheme, name="St Helier walk 4", kind="postal", worker=postie, actor=coordinator
    )
    rng = random.Random(7)
    today = timezone.localdate()
    ucla = list(
        Question.objects.filter(module__scheme=scheme, code__startswith="ucla_").order_by("code")
    )
    how = Question.objects.get(module__scheme=scheme, code="how_are_you")
    for order, (given, family) in enumerate(NAMES):
        resident = Resident.objects.create(
            scheme=scheme,
            round=round_,
            status="active",
            given_name=given,
            family_name=family,
            date_of_birth=date(1930 + order, 3, 1 + order),
            address_line_1=f"{order + 2} Rue de Haut",
            town="St Helier",
            postcode="JE2 4WE",
            visit_days=0b0010101 if order % 2 else 0b0101010,
            visit_order=order,
            consent_given_on=today - timedelta(days=60),
            consent_method=ConsentMethod.WRITTEN,
            gp_practice_name="Cleveland Clinic",
            payer="relative" if order % 3 == 2 else "council",
            created_at=timezone.now() - timedelta(days=60),
        )
        NominatedContact.objects.create(
            resident=resident,
            name=f"{rng.choice(['Ann', 'Tom', 'Sue'])} {family}",
            relationship="son or daughter",
            phone="+447797123456",
            email=f"family.{order}@example.org",
            lives_locally=True,
        )
        for weeks_ago, day in ((2, 13), (0, 2)):
            visited = today - timedelta(days=day)
            scores = (
                ["Often", "Some of the time", "Often"]
                if weeks_ago
                else ["Some of the time", "Hardly ever", "Some of the time"]
            )
            answers = {str(q.pk): s for q, s in zip(ucla, scores, strict=True)}
            answers[str(how.pk)] = "Well"
            services.visit_record(
                round_=round_,
                worker=postie,
                client_uuid=uuid.uuid4(),
                resident_id=resident.pk,
                visited_on=visited,
                outcome="well",
                answers=answers,
            )
    first = Resident.objects.filter(scheme=scheme).order_by("visit_order").first()
    assert first is not None
    services.visit_record(
        round_=round_,
        worker=postie,
        client_uuid=uuid.uuid4(),
        resident_id=first.pk,
        visited_on=today - timedelta(days=1),
        outcome="concern",
        note="Had not collected prescription",
    )
    # The States pay the scheme's rate; families paying privately pay a little more.
    funding.rates_save(scheme=scheme, actor=None, rate_relative=Decimal("8.50"))
    # The training the scheme asks for: the postie's spotting-decline record runs out soon.
    for name, months, days_ago in (("Spotting decline", 12, 350), ("Safeguarding adults", 36, 90)):
        module = training.module_add(
            scheme=scheme, name=name, renew_after_months=months, actor=None
        )
        training.training_record(
            module=module, user=postie, completed_on=today - timedelta(days=days_ago), actor=None
        )
    # Local events and services on the coordinator's list, and who was told about them.
    club, advice = (
        signposting.signpost_add(scheme=scheme, name=name, kind=kind, details=details, actor=None)
        for name, kind, details in (
            ("Tuesday lunch club", "event", "St Helier Methodist Centre, Tuesdays at 12"),
            ("Age Concern Jersey befriending", "service", "Telephone 01534 000000"),
        )
    )
    for order, resident in enumerate(Resident.objects.filter(scheme=scheme).order_by("pk")):
        told = [club, advice] if order % 3 == 0 else [club]
        signposting.signposting_record(
            resident=resident,
            signposts=told,
            told_on=today - timedelta(days=14 * (order % 3)),
            actor=postie,
        )
    # Contacts' peace of mind: the first survey nine weeks ago (most answered within days),
    # and the next one sent this morning.
    peace_of_mind.surveys_set(scheme=scheme, on=True, actor=None)
    peace_of_mind.surveys_send(today - timedelta(weeks=9))
    said = [PeaceOfMind.A_LOT, PeaceOfMind.SOME, PeaceOfMind.A_LITTLE, ""]  # "": not answered
    for order, survey in enumerate(ContactSurvey.objects.filter(scheme=scheme).order_by("pk")):
        if said[order % 4]:
            peace_of_mind.survey_answer(survey=survey, answer=said[order % 4])
            survey.answered_on = survey.sent_on + timedelta(days=2)  # backdated for the demo
            survey.save(update_fields=["answered_on"])
    peace_of_mind.surveys_send(today)
    services.referral_submit(
        scheme=scheme,
        data={
            "referrer_kind": "nurse",
            "referrer_name": "Nurse Jane Syvret",
            "referrer_organisation": "Family Nursing",
            "reason": "Recently bereaved, lives alone, misses appointments.",
            "given_name": "Doris",
            "family_name": "Ahier",
            "date_of_birth": date(1938, 7, 9),
            "address_line_1": "11 Rue des Pres",
            "town": "St Saviour",
            "postcode": "JE2 7NT",
            "consent": True,
            "consent_given_on": today,
            "consent_method": ConsentMethod.VERBAL,
            "contacts": [
                {
                    "name": "Paul Ahier",
                    "relationship": "nephew",
                    "phone": "07797 654321",
                    "lives_locally": True,
                }
            ],
        },
    )
    outcomes.outcomes_refresh(scheme)
    return f"checkins: {SCHEME_NAME} with {len(NAMES)} residents; coordinator {COORDINATOR}"
