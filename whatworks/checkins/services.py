"""Writes for welfare-check schemes: each is atomic, audited, and raises ValidationError."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from whatworks.checkins import escalations, training, validation
from whatworks.checkins.models import (
    WEEKDAYS,
    Answer,
    AnswerKind,
    Appointment,
    ConsentMethod,
    Cover,
    DataSharingAgreement,
    EmergencyAction,
    Escalation,
    EscalationRule,
    EscalationStatus,
    EscalationStatusChange,
    FirstContact,
    FirstContactStatus,
    HealthIdentifier,
    NominatedContact,
    Outcome,
    Pause,
    PlannedVisit,
    PracticeAddress,
    PracticeNaming,
    Question,
    QuestionModule,
    RecordType,
    Referral,
    Resident,
    ResidentStatus,
    RetentionPolicy,
    Round,
    RoundChange,
    Scheme,
    SchemeRole,
    SchemeRoleKind,
    Urgency,
    Visit,
    days_from_mask,
    mask_from_days,
)
from whatworks.core import audit
from whatworks.core.queue import after_commit

# Question sets are data: these are only the starting set a new scheme gets, which its
# coordinator then edits. The ONS direct loneliness question and the UCLA 3-item scale
# (Hughes et al. 2004) are free to use; licensed instruments are never built in.
DEFAULT_MODULES: list[dict[str, Any]] = [
    {
        "name": "Every visit",
        "generic": True,
        "questions": [
            (
                "how_are_you",
                "How are you today?",
                AnswerKind.CHOICE,
                ["Well", "Not so good", "Unwell"],
            ),
            ("need_anything", "Is there anything you need?", AnswerKind.TEXT, []),
            (
                "ons_lonely",
                "How often do you feel lonely?",
                AnswerKind.CHOICE,
                ["Often or always", "Some of the time", "Occasionally", "Hardly ever", "Never"],
            ),
        ],
    },
    {
        "name": "UCLA 3-item loneliness scale",
        "generic": True,
        "every_weeks": 8,
        "questions": [
            (f"ucla_{i}", text, AnswerKind.CHOICE, ["Hardly ever", "Some of the time", "Often"])
            for i, text in enumerate(
                [
                    "How often do you feel that you lack companionship?",
                    "How often do you feel left out?",
                    "How often do you feel isolated from others?",
                ],
                start=1,
            )
        ],
    },
    {
        "name": "Medication reminder",
        "questions": [
            ("medication_taken", "Have you taken today's medication?", AnswerKind.YES_NO, [])
        ],
    },
    {
        "name": "Diabetes",
        "questions": [
            ("diabetes_checked", "Have you checked your blood sugar today?", AnswerKind.YES_NO, []),
            ("diabetes_dizzy", "Have you felt dizzy or shaky?", AnswerKind.YES_NO, []),
        ],
    },
]
UCLA_SCORES = {"Hardly ever": 1, "Some of the time": 2, "Often": 3}
# Sets a coordinator can add from the questions page. Independence: four plain questions
# about daily living written for the scheme (free to use; not a validated scale), each
# scored 2, 1 or 0, so a person's total runs from 0 to 8 (outcomes.py).
INDEPENDENCE_SCORES = {"On my own": 2, "With some help": 1, "Not at all": 0}
LIBRARY_MODULES: dict[str, dict[str, Any]] = {
    "independence": {
        "name": "Independence in daily living",
        "summary": "Four questions, every 8 weeks: washing and dressing, meals, getting out, "
        "running the home. The scheme's figures get the month's mean score (0 to 8).",
        "generic": True,
        "every_weeks": 8,
        "questions": [
            ("indep_" + code, text, AnswerKind.CHOICE, list(INDEPENDENCE_SCORES))
            for code, text in [
                ("dressing", "Are you managing to get washed and dressed?"),
                ("meals", "Are you managing to make yourself a meal or a hot drink?"),
                ("out", "Are you managing to get out, to the shops or to see people?"),
                ("home", "Are you managing to run your home: cleaning, post and bills?"),
            ]
        ],
    },
}
DEFAULT_RETENTION = {
    RecordType.CLOSED_RESIDENT: 365 * 2,
    RecordType.DECLINED_REFERRAL: 180,
    RecordType.VISIT_NOTE: 365,
}
LATEST_BACKDATED_VISIT = timedelta(days=14)  # an offline phone may send a few days late


def audit_event(action: str, obj: Any, scheme: Scheme, actor: Any = None, **detail: Any) -> None:
    """One entry in the audit log for the scheme's organisation, marked personal when the
    record is about a person."""
    audit.record(
        f"checkins.{action}",
        actor=actor,
        obj=obj,
        organisation=scheme.organisation,
        detail=detail,
        personal_data=isinstance(obj, Resident | Referral | Visit | Escalation),
    )


@transaction.atomic
def scheme_create(
    *,
    organisation: Any,
    name: str,
    actor: Any,
    initiative: Any = None,
    cost_per_visit: Decimal = Decimal("6.75"),
    coordinator_phone: str = "",
    alert_mobile: str = "",
    health_identifier: str = HealthIdentifier.NHS,
    local_identifier_label: str = "",
    gp_practices: str = PracticeNaming.ODS,
) -> Scheme:
    if initiative is not None and initiative.organisation_id != organisation.pk:
        raise ValidationError({"initiative": "Choose an initiative of your own organisation"})
    scheme = Scheme(
        organisation=organisation,
        name=name,
        initiative=initiative,
        cost_per_visit=cost_per_visit,
        coordinator_phone=validation.clean_phone(coordinator_phone) if coordinator_phone else "",
        alert_mobile=validation.clean_mobile(alert_mobile, "mobile for emergency alerts")
        if alert_mobile
        else "",
        health_identifier=health_identifier,
        local_identifier_label=local_identifier_label.strip()
        if health_identifier == HealthIdentifier.LOCAL
        else "",
        gp_practices=gp_practices,
        created_by=actor,
        evidence_visibility=initiative.visibility if initiative is not None else "peers",
    )
    scheme.full_clean()
    scheme.save()
    SchemeRole.objects.create(scheme=scheme, user=actor, role=SchemeRoleKind.COORDINATOR)
    for order, spec in enumerate(DEFAULT_MODULES):
        _module_create(scheme, spec, order)
    EscalationRule.objects.bulk_create(
        EscalationRule(scheme=scheme, **rule) for rule in escalations.DEFAULT_RULES
    )
    RetentionPolicy.objects.bulk_create(
        RetentionPolicy(scheme=scheme, record_type=kind, keep_days=days)
        for kind, days in DEFAULT_RETENTION.items()
    )
    audit_event("scheme.created", scheme, scheme, actor)
    if initiative is not None:  # its goals are linked to the scheme's figures (issue 17)
        from whatworks.checkins.outcomes import scheme_metrics
        from whatworks.initiatives.services import goals_link_to_metrics

        scheme_metrics(scheme)
        goals_link_to_metrics(initiative=initiative, actor=actor)
    return scheme


@transaction.atomic
def scheme_role_add(
    *, scheme: Scheme, user: Any, role: str, actor: Any, organisation: Any = None
) -> SchemeRole:
    if role == SchemeRoleKind.PARTNER:
        if organisation is None or not user.memberships.filter(organisation=organisation).exists():
            raise ValidationError(
                {"organisation": "A partner viewer acts for an organisation they belong to"}
            )
        if not scheme.agreements.filter(parties=organisation).exists():
            raise ValidationError(
                {"organisation": "Record a data-sharing agreement naming this organisation first"}
            )
    existing = SchemeRole.objects.filter(scheme=scheme, user=user, role=role).first()
    if existing:
        return existing
    scheme_role = SchemeRole.objects.create(
        scheme=scheme, user=user, role=role, organisation=organisation
    )
    audit_event("role.added", scheme, scheme, actor, user=user.pk, role=role)
    return scheme_role


@transaction.atomic
def agreement_record(
    *,
    scheme: Scheme,
    parties: list[Any],
    purpose: str,
    lawful_basis: str,
    start_date: date,
    review_date: date,
    partner_scope: str,
    actor: Any,
) -> DataSharingAgreement:
    if review_date <= start_date:
        raise ValidationError({"review_date": "Review date must be after the start date"})
    if not parties:
        raise ValidationError(
            {"parties": "Select the organisations that are party to the agreement"}
        )
    agreement = DataSharingAgreement(
        scheme=scheme,
        purpose=purpose,
        lawful_basis=lawful_basis,
        start_date=start_date,
        review_date=review_date,
        partner_scope=partner_scope,
    )
    agreement.full_clean()
    agreement.save()
    agreement.parties.set(parties)
    audit_event("agreement.recorded", agreement, scheme, actor, parties=[p.pk for p in parties])
    return agreement


@transaction.atomic
def round_create(*, scheme: Scheme, name: str, kind: str, worker: Any, actor: Any) -> Round:
    training.refuse_untrained(scheme, worker, timezone.localdate(), "worker_email")
    round_ = Round(scheme=scheme, name=name, kind=kind, worker=worker)
    round_.full_clean()
    round_.save()
    if worker is not None:
        SchemeRole.objects.get_or_create(scheme=scheme, user=worker, role=SchemeRoleKind.WORKER)
    audit_event("round.created", round_, scheme, actor)
    return round_


@transaction.atomic
def cover_add(*, round_: Round, start_date: date, end_date: date, worker: Any, actor: Any) -> Cover:
    if end_date < start_date:
        raise ValidationError({"end_date": "End date must be on or after the start date"})
    # Current for the whole cover: its first day and its last.
    for day in (start_date, end_date):
        training.refuse_untrained(round_.scheme, worker, day, "worker_email")
    cover = Cover.objects.create(
        round=round_, start_date=start_date, end_date=end_date, worker=worker
    )
    if worker is not None:
        SchemeRole.objects.get_or_create(
            scheme=round_.scheme, user=worker, role=SchemeRoleKind.WORKER
        )
    audit_event("cover.added", cover, round_.scheme, actor)
    return cover


# --- Referral ---------------------------------------------------------------------------


def possible_duplicate(scheme: Scheme, data: dict[str, Any]) -> Resident | None:
    """Another record of the same person: name and date of birth, and address or postcode."""
    candidates = Resident.objects.filter(
        scheme=scheme,
        family_name__iexact=data["family_name"].strip(),
        given_name__iexact=data["given_name"].strip(),
        date_of_birth=data["date_of_birth"],
    ).exclude(status=ResidentStatus.ERASED)
    for resident in candidates:
        same_address = (
            resident.address_line_1.strip().lower() == data["address_line_1"].strip().lower()
        )
        if same_address or resident.postcode == data["postcode"]:
            return resident
    return None


@transaction.atomic
def referral_submit(*, scheme: Scheme, data: dict[str, Any]) -> Referral:
    """A referral from the question pages (already cleaned by their forms), checked again here:
    consent and a nominated contact who lives locally are required."""
    errors: dict[str, str] = {}
    if not data.get("consent"):
        errors["consent"] = "Confirm that the person agrees to be referred"
    contacts = data.get("contacts") or []
    if not contacts:
        errors["contact_name"] = "Enter at least one nominated contact"
    elif not any(c.get("lives_locally") for c in contacts):
        errors["contact_lives_locally"] = "At least one nominated contact must live locally"
    # An identifier the scheme does not use is refused, never stored: a Jersey scheme has no
    # business holding an NHS number, nor an English one a local identifier.
    if data.get("nhs_number") and scheme.health_identifier != HealthIdentifier.NHS:
        errors["nhs_number"] = f"{scheme.name} does not use NHS numbers: leave it out"
    if data.get("local_identifier") and scheme.health_identifier != HealthIdentifier.LOCAL:
        errors["local_identifier"] = (
            f"{scheme.name} does not use a local health identifier: leave it out"
        )
    if errors:
        raise ValidationError(errors)
    resident = Resident(
        scheme=scheme,
        given_name=data["given_name"].strip(),
        family_name=data["family_name"].strip(),
        date_of_birth=data["date_of_birth"],
        address_line_1=data["address_line_1"].strip(),
        address_line_2=data.get("address_line_2", "").strip(),
        town=data.get("town", "").strip(),
        postcode=validation.clean_postcode(data["postcode"]),
        phone=validation.clean_phone(data.get("phone", "")),
        nhs_number=validation.clean_nhs_number(data.get("nhs_number", "")),
        local_identifier=validation.clean_local_identifier(
            data.get("local_identifier", ""), scheme.local_identifier_name
        ),
        gp_practice_ods=validation.clean_ods_code(data.get("gp_practice_ods", "")),
        gp_practice_name=data.get("gp_practice_name", ""),
        gp_practice_email=data.get("gp_practice_email", ""),
        health_notes=data.get("health_notes", ""),
        consent_given_on=data["consent_given_on"],
        consent_method=data.get("consent_method") or ConsentMethod.VERBAL,
    )
    resident.full_clean()
    duplicate = possible_duplicate(scheme, data)
    resident.save()
    for contact in contacts:
        NominatedContact.objects.create(
            resident=resident,
            name=contact["name"],
            relationship=contact["relationship"],
            phone=validation.clean_phone(contact.get("phone", "")),
            email=contact.get("email", ""),
            lives_locally=bool(contact.get("lives_locally")),
        )
    for appointment in data.get("appointments") or []:
        Appointment.objects.create(
            resident=resident,
            on=appointment["on"],
            what=appointment["what"],
            where=appointment.get("where", ""),
        )
    if data.get("module_ids"):
        resident.modules.set(
            QuestionModule.objects.filter(scheme=scheme, pk__in=data["module_ids"])
        )
    referral = Referral.objects.create(
        scheme=scheme,
        resident=resident,
        referrer_kind=data["referrer_kind"],
        referrer_name=data["referrer_name"],
        referrer_organisation=data.get("referrer_organisation", ""),
        referrer_email=data.get("referrer_email", ""),
        referrer_phone=validation.clean_phone(data.get("referrer_phone", "")),
        reason=data["reason"],
        possible_duplicate_of=duplicate,
    )
    audit_event("referral.received", referral, scheme, detail_kind=data["referrer_kind"])
    return referral


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    actor: Any,
    round_: Round,
    visit_days: list[int],
    visit_order: int,
    module_ids: list[int] | None = None,
) -> Resident:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    resident = referral.resident
    if referral.status != Referral.Status.WAITING:
        raise ValidationError("This referral has already been decided")
    if not resident.has_consent:
        raise ValidationError("A referral without the person's consent cannot be accepted")
    if not resident.contacts.filter(lives_locally=True).exists():
        raise ValidationError(
            "A referral without a nominated contact who lives locally cannot be accepted"
        )
    if round_.scheme_id != referral.scheme_id:
        raise ValidationError({"round": "Choose one of this scheme's rounds"})
    if not 1 <= len(set(visit_days)) <= 6:
        raise ValidationError({"visit_days": "Choose between 1 and 6 visit days a week"})
    # Accepted, not yet visited: the coordinator contacts them first (the referrer was told
    # they would), and they join the round only once they agree.
    resident.status = ResidentStatus.CONTACTING
    resident.save(update_fields=["status"])
    FirstContact.objects.update_or_create(
        resident=resident,
        defaults={
            "round": round_,
            "visit_days": mask_from_days(visit_days),
            "visit_order": visit_order,
            "status": FirstContactStatus.WAITING,
        },
    )
    if module_ids is not None:
        resident.modules.set(
            QuestionModule.objects.filter(scheme_id=referral.scheme_id, pk__in=module_ids)
        )
    referral.status = Referral.Status.ACCEPTED
    referral.decided_by = actor
    referral.decided_at = timezone.now()
    referral.save()
    audit_event("referral.accepted", referral, referral.scheme, actor, round=round_.pk)
    return resident


def baseline_questions(scheme_id: int) -> list[Question]:
    """What is asked at first contact: the scheme's measured-over-time question sets (the
    UCLA-3 loneliness scale, and any other periodic set the scheme adds)."""
    return list(
        Question.objects.filter(
            module__scheme_id=scheme_id,
            module__every_weeks__gt=0,
            module__retired_at__isnull=True,
            retired_at__isnull=True,
        )
        .select_related("module")
        .order_by("module__order", "module_id", "order", "id")
    )


@transaction.atomic
def first_contact_record(
    *,
    resident: Resident,
    actor: Any,
    status: str,
    contacted_on: date,
    answers: dict[int, str] | None = None,
) -> FirstContact:
    """Record the coordinator's first contact: contacted (not decided yet), agreed (they join
    the planned round, and the baseline answers are kept as a first-contact record that the
    outcomes take as the baseline) or declined (no visits)."""
    contact = (
        FirstContact.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(resident=resident)
    )
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.status != ResidentStatus.CONTACTING or not contact.is_open:
        raise ValidationError("First contact with this person is already recorded")
    if status not in (
        FirstContactStatus.CONTACTED,
        FirstContactStatus.AGREED,
        FirstContactStatus.DECLINED,
    ):
        raise ValidationError({"status": "Select what happened when you contacted them"})
    today = timezone.localdate()
    if contacted_on > today:
        raise ValidationError({"contacted_on": "The date of contact must be today or in the past"})
    if contacted_on < resident.created_at.date() - timedelta(days=1):
        raise ValidationError({"contacted_on": "The date of contact must be after the referral"})
    contact.status = status
    contact.contacted_on = contacted_on
    contact.contacted_by = actor
    if status == FirstContactStatus.AGREED:
        questions = baseline_questions(resident.scheme_id)
        given = {int(k): str(v).strip() for k, v in (answers or {}).items() if str(v).strip()}
        cleaned = []
        for question in questions:
            value = given.get(question.pk, "")
            if not value:
                raise ValidationError(
                    {f"answer_{question.pk}": f"Select an answer to '{question}'"}
                )
            if question.kind != AnswerKind.TEXT and value not in question.options():
                raise ValidationError(
                    {f"answer_{question.pk}": f"Select one of the answers to '{question}'"}
                )
            cleaned.append((question, value[:500]))
        if contact.round is None or contact.round.scheme_id != resident.scheme_id:
            raise ValidationError("The planned round no longer exists: accept them onto a round")
        visit = Visit.objects.create(
            resident=resident,
            round=None,
            worker=actor,
            visited_on=contacted_on,
            outcome=Outcome.FIRST_CONTACT,
            note="",
            answer_count=len(cleaned),
        )
        Answer.objects.bulk_create(Answer(visit=visit, question=q, value=v) for q, v in cleaned)
        resident.status = ResidentStatus.ACTIVE
        resident.round = contact.round
        resident.visit_days = contact.visit_days
        resident.visit_order = contact.visit_order
        resident.periodic_last_asked = contacted_on if cleaned else None
        resident.save(
            update_fields=["status", "round", "visit_days", "visit_order", "periodic_last_asked"]
        )
        contact.decided_at = timezone.now()
    elif status == FirstContactStatus.DECLINED:
        resident.status = ResidentStatus.DECLINED
        resident.closed_at = timezone.now()
        resident.save(update_fields=["status", "closed_at"])
        contact.decided_at = timezone.now()
    contact.save()
    audit_event(
        "first_contact.recorded",
        resident,
        resident.scheme,
        actor,
        status=status,
        contacted_on=contacted_on.isoformat(),
    )
    return contact


@transaction.atomic
def referral_decline(*, referral: Referral, actor: Any, note: str) -> Referral:
    if referral.status != Referral.Status.WAITING:
        raise ValidationError("This referral has already been decided")
    if not note.strip():
        raise ValidationError({"note": "Enter why the referral is declined"})
    referral.status = Referral.Status.DECLINED
    referral.decided_by = actor
    referral.decided_at = timezone.now()
    referral.decision_note = note
    referral.save()
    Resident.objects.filter(pk=referral.resident_id).update(
        status=ResidentStatus.DECLINED, closed_at=timezone.now()
    )
    audit_event("referral.declined", referral, referral.scheme, actor)
    return referral


# --- Round and visit days ------------------------------------------------------------------


def next_list_day(today: date | None = None) -> date:
    """The day of the next list not yet in workers' hands: lists are for a day, built the
    evening before, and today's may already be on a phone."""
    return (today or timezone.localdate()) + timedelta(days=1)


@transaction.atomic
def resident_round_change(
    *, resident: Resident, round_: Round, visit_days: list[int], visit_order: int, actor: Any
) -> RoundChange:
    """Move an accepted person to a round (the same or another) on set days, from the next
    list. A later change before that day replaces an earlier one."""
    resident = Resident.objects.select_for_update().select_related("scheme").get(pk=resident.pk)
    if resident.status != ResidentStatus.ACTIVE:
        raise ValidationError("Only a person whose referral was accepted can change rounds")
    if round_.scheme_id != resident.scheme_id:
        raise ValidationError({"round": "Choose one of this scheme's rounds"})
    days = sorted({int(d) for d in visit_days})
    if not 1 <= len(days) <= 6 or not all(0 <= d <= 6 for d in days):
        raise ValidationError({"visit_days": "Select between 1 and 6 visit days a week"})
    off = [WEEKDAYS[d] for d in days if d not in days_from_mask(round_.work_days)]
    if off:
        raise ValidationError(
            {"visit_days": f"{round_.name} does not run on {' or '.join(off)}: choose days it runs"}
        )
    if visit_order < 0:
        raise ValidationError({"visit_order": "Position on the round must be 0 or more"})
    change = RoundChange.objects.create(
        resident=resident,
        from_round=resident.round,
        from_days=resident.visit_days,
        to_round=round_,
        to_days=mask_from_days(days),
        to_order=visit_order,
        effective_on=next_list_day(),
        by=actor,
    )
    # If the next list is already built, rebuild this person's place on it.
    from whatworks.checkins import schedule

    if PlannedVisit.objects.filter(on=change.effective_on).exists():
        schedule.plan_change(change, change.effective_on)
    audit_event(
        "resident.round_changed",
        resident,
        resident.scheme,
        actor,
        from_round=change.from_round_id,
        to_round=round_.pk,
        days=days,
        effective_on=change.effective_on.isoformat(),
    )
    return change


def _was_on_round(resident_id: int, round_: Round, day: date) -> bool:
    """Whether the person was on this round on `day` before a move applied since: a visit
    recorded offline on the old round's last day still counts."""
    return RoundChange.objects.filter(
        resident_id=resident_id,
        from_round=round_,
        applied_at__isnull=False,
        effective_on__gt=day,
    ).exists()


# --- Visits -----------------------------------------------------------------------------


def questions_for(
    own_module_ids: set[int],
    periodic_last_asked: date | None,
    scheme_modules: list[QuestionModule],
    day: date,
) -> list[Question]:
    """Today's questions for one resident: generic modules, their add-ons, and periodic
    modules (the UCLA-3) at the first visit and then every `every_weeks` weeks."""
    questions: list[Question] = []
    for module in scheme_modules:
        if module.retired_at is not None:
            continue
        if not (module.generic or module.pk in own_module_ids):
            continue
        recently = periodic_last_asked is not None and (
            (day - periodic_last_asked).days < module.every_weeks * 7
        )
        if module.every_weeks and recently:
            continue
        questions.extend(q for q in module.questions.all() if q.retired_at is None)
    return questions


def _clean_answers(
    scheme_id: int, answers: dict[str, str]
) -> tuple[list[tuple[Question, str]], dict[str, str]]:
    ids = [int(k) for k in answers if str(k).isdigit()]
    questions = {
        q.pk: q
        for q in Question.objects.select_related("module").filter(
            pk__in=ids, module__scheme_id=scheme_id
        )
    }
    cleaned: list[tuple[Question, str]] = []
    by_code: dict[str, str] = {}
    for key, raw in answers.items():
        value = str(raw or "").strip()
        if not value:
            continue
        question = questions.get(int(key)) if str(key).isdigit() else None
        if question is None:
            raise ValidationError({"answers": f"Unknown question {key}"})
        if question.kind != AnswerKind.TEXT and value not in question.options():
            raise ValidationError({f"answer_{key}": f"Choose an answer to '{question.text}'"})
        cleaned.append((question, value[:500]))
        by_code[question.code] = value
    return cleaned, by_code


def visit_record(
    *,
    round_: Round,
    worker: Any,
    client_uuid: str | uuid.UUID,
    resident_id: int,
    visited_on: date,
    outcome: str,
    reason: str = "",
    note: str = "",
    answers: dict[str, str] | None = None,
    emergency_actions: list[str] | None = None,
) -> tuple[Visit, bool]:
    """Store one visit, once. Returns (visit, created): a UUID already stored gives back the
    first visit (the phone resent it after a dropped connection) and changes nothing.
    `emergency_actions` (EmergencyAction values) are what the worker did at an emergency."""
    try:
        key = uuid.UUID(str(client_uuid))
    except ValueError:
        raise ValidationError({"client_uuid": "The visit has no valid identifier"}) from None
    existing = Visit.objects.filter(client_uuid=key).first()
    if existing is not None:
        if existing.resident_id != int(resident_id):
            raise ValidationError({"client_uuid": "This identifier belongs to another visit"})
        return existing, False
    if outcome not in Outcome.values or outcome == Outcome.FIRST_CONTACT:
        raise ValidationError({"outcome": "Select what happened at the visit"})
    if outcome == Outcome.NOT_VISITED and not reason.strip():
        raise ValidationError({"reason": "Enter why the visit did not happen"})
    actions = _clean_emergency_actions(emergency_actions)
    today = timezone.localdate()
    if visited_on > today or visited_on < today - LATEST_BACKDATED_VISIT:
        raise ValidationError({"visited_on": "The visit date must be within the last 14 days"})
    resident = (
        Resident.objects.filter(pk=resident_id, round=round_, status=ResidentStatus.ACTIVE)
        .select_related("scheme__organisation")
        .first()
    )
    if resident is None and _was_on_round(int(resident_id), round_, visited_on):
        resident = (
            Resident.objects.filter(
                pk=resident_id, scheme_id=round_.scheme_id, status=ResidentStatus.ACTIVE
            )
            .select_related("scheme__organisation")
            .first()
        )
    if resident is None:
        raise ValidationError({"resident": "This person is not on this round"})
    cleaned, by_code = _clean_answers(round_.scheme_id, answers or {})
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                client_uuid=key,
                resident=resident,
                round=round_,
                worker=worker,
                visited_on=visited_on,
                outcome=outcome,
                reason=reason.strip()[:200],
                note=note.strip(),
                answer_count=len(cleaned),
                payer=resident.payer,
            )
            Answer.objects.bulk_create(Answer(visit=visit, question=q, value=v) for q, v in cleaned)
            if any(q.module.every_weeks for q, _ in cleaned):
                Resident.objects.filter(pk=resident.pk).update(periodic_last_asked=visited_on)
            escalations.evaluate_visit(visit, by_code, actions)
            audit_event("visit.recorded", visit, resident.scheme, worker, outcome=outcome)
    except IntegrityError:
        # Another request with the same UUID won the race: theirs is the visit.
        winner = Visit.objects.filter(client_uuid=key).first()
        if winner is None:
            raise
        return winner, False
    return visit, True


def _clean_emergency_actions(actions: list[str] | None) -> list[str]:
    chosen = [a for a in (actions or []) if a]
    unknown = [a for a in chosen if a not in EmergencyAction.values]
    if unknown:
        raise ValidationError({"emergency_actions": "Select what you did from the list"})
    return [a for a in EmergencyAction.values if a in chosen]  # in the list's order, once


@transaction.atomic
def emergency_actions_record(
    *, round_: Round, worker: Any, client_uuid: str | uuid.UUID, actions: list[str]
) -> Escalation:
    """Record what the worker did at an emergency visit (after the visit was sent): on the
    visit's emergency task, with a line in its history. Recording the same again adds
    nothing."""
    chosen = _clean_emergency_actions(actions)
    if not chosen:
        raise ValidationError({"emergency_actions": "Select what you did"})
    try:
        key = uuid.UUID(str(client_uuid))
    except ValueError:
        raise ValidationError({"client_uuid": "The visit has no valid identifier"}) from None
    escalation = (
        Escalation.objects.select_for_update()
        .filter(visit__client_uuid=key, visit__round=round_, urgency=Urgency.EMERGENCY)
        .select_related("scheme")
        .first()
    )
    if escalation is None:
        raise ValidationError({"client_uuid": "This visit has no emergency task"})
    new = [a for a in chosen if a not in escalation.worker_actions]
    if new:
        escalation.worker_actions = [
            a for a in EmergencyAction.values if a in {*escalation.worker_actions, *new}
        ]
        escalation.save(update_fields=["worker_actions"])
        labels = dict(EmergencyAction.choices)
        EscalationStatusChange.objects.create(
            escalation=escalation,
            status=escalation.status,
            note=escalations.worker_actions_note([str(labels[a]) for a in new]),
            by=worker,
        )
        audit_event("escalation.worker_actions", escalation, escalation.scheme, worker)
    return escalation


# --- Escalations ------------------------------------------------------------------------


@transaction.atomic
def escalation_close(*, escalation: Escalation, actor: Any, note: str) -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status == EscalationStatus.CLOSED:
        raise ValidationError("This task is already closed")
    if not note.strip():
        raise ValidationError({"note": "Enter what was done"})
    escalation.status = EscalationStatus.CLOSED
    escalation.closed_at = timezone.now()
    escalation.save(update_fields=["status", "closed_at"])
    EscalationStatusChange.objects.create(
        escalation=escalation, status=EscalationStatus.CLOSED, note=note.strip(), by=actor
    )
    audit_event("escalation.closed", escalation, escalation.scheme, actor)
    from whatworks.checkins.tasks import refresh_outcomes

    after_commit(refresh_outcomes, escalation.scheme_id)
    return escalation


@transaction.atomic
def rule_save(*, rule: EscalationRule, actor: Any) -> EscalationRule:
    if rule.trigger == "answer" and not (rule.question_code and rule.answer_value):
        raise ValidationError(
            {"question_code": "Enter the question and the answer that triggers the rule"}
        )
    if rule.trigger == "outcome" and not rule.outcome:
        raise ValidationError({"outcome": "Select the outcome that triggers the rule"})
    if (
        rule.trigger == "answer"
        and not Question.objects.filter(
            module__scheme_id=rule.scheme_id, code=rule.question_code
        ).exists()
    ):
        raise ValidationError(
            {"question_code": "Enter the short name of one of the scheme's questions"}
        )
    rule.full_clean()
    rule.save()
    audit_event("rule.saved", rule, rule.scheme, actor)
    return rule


# --- Question sets ----------------------------------------------------------------------


def _code_check(scheme_id: int, code: str, question: Question | None = None) -> None:
    # Retired questions keep their short names: past answers and outcomes still use them.
    taken = Question.objects.filter(module__scheme_id=scheme_id, code=code)
    if question is not None:
        taken = taken.exclude(pk=question.pk)
    if taken.exists():
        raise ValidationError({"code": "Short name is already used by another question"})


def _options_check(kind: str, options: list[str]) -> list[str]:
    if kind == AnswerKind.CHOICE:
        if len(options) < 2:
            raise ValidationError({"choices": "Enter at least 2 answers to choose from"})
        return options
    return []


@transaction.atomic
def question_add(
    *,
    scheme: Scheme,
    module: QuestionModule | None,
    new_module: str = "",
    new_module_generic: bool = False,
    code: str,
    text: str,
    kind: str,
    options: list[str],
    actor: Any,
) -> Question:
    if module is None and not new_module.strip():
        raise ValidationError({"module": "Select a question set or name a new one"})
    if module is not None and (module.scheme_id != scheme.pk or module.retired_at is not None):
        raise ValidationError({"module": "Select one of the scheme's question sets"})
    _code_check(scheme.pk, code)
    choices = _options_check(kind, options)
    if module is None:
        module = QuestionModule.objects.create(
            scheme=scheme,
            name=new_module.strip(),
            generic=new_module_generic,
            order=QuestionModule.objects.filter(scheme=scheme).count(),
        )
    question = Question(
        module=module,
        code=code,
        text=text.strip(),
        kind=kind,
        choices=choices,
        order=module.questions.count(),
    )
    question.full_clean()
    question.save()
    audit_event("question.added", question, scheme, actor)
    return question


def question_answered(question: Question) -> int:
    """How many past visits answered the question."""
    return Answer.objects.filter(question=question).count()


@transaction.atomic
def question_update(
    *, question: Question, code: str, text: str, kind: str, options: list[str], actor: Any
) -> Question:
    """Change a question. Once answered, its kind of answer is fixed (past answers would no
    longer fit it), and a short name a rule uses cannot change under the rule."""
    question = (
        Question.objects.select_for_update().select_related("module__scheme").get(pk=question.pk)
    )
    scheme = question.module.scheme
    if question.retired_at is not None:
        raise ValidationError("This question is retired and cannot be changed")
    if kind != question.kind and question_answered(question):
        raise ValidationError(
            {
                "kind": "Kind of answer cannot change once the question has been answered: "
                "remove it and add a new question"
            }
        )
    if code != question.code:
        _code_check(scheme.pk, code, question)
        if EscalationRule.objects.filter(scheme=scheme, question_code=question.code).exists():
            raise ValidationError(
                {"code": "Short name is used by an escalation rule: change the rule first"}
            )
    before = {"code": question.code, "text": question.text, "kind": question.kind}
    question.code = code
    question.text = text.strip()
    question.kind = kind
    question.choices = _options_check(kind, options)
    question.full_clean()
    question.save()
    audit_event("question.changed", question, scheme, actor, before=before)
    return question


@transaction.atomic
def question_remove(*, question: Question, actor: Any) -> bool:
    """Remove a question: deleted if never answered, otherwise retired (hidden from new
    visits, past answers kept). Returns True when it was retired."""
    question = (
        Question.objects.select_for_update().select_related("module__scheme").get(pk=question.pk)
    )
    scheme = question.module.scheme
    if question.retired_at is not None:
        raise ValidationError("This question is already retired")
    if question_answered(question):
        question.retired_at = timezone.now()
        question.save(update_fields=["retired_at"])
        audit_event("question.retired", question, scheme, actor)
        return True
    audit_event("question.deleted", question, scheme, actor, code=question.code, text=question.text)
    question.delete()
    return False


@transaction.atomic
def module_update(
    *, module: QuestionModule, name: str, generic: bool, every_weeks: int, actor: Any
) -> QuestionModule:
    module = QuestionModule.objects.select_for_update().select_related("scheme").get(pk=module.pk)
    if module.retired_at is not None:
        raise ValidationError("This question set is retired and cannot be changed")
    if not name.strip():
        raise ValidationError({"name": "Enter the name of the question set"})
    if every_weeks < 0 or every_weeks > 52:
        raise ValidationError({"every_weeks": "Every how many weeks must be between 0 and 52"})
    module.name = name.strip()
    module.generic = generic
    module.every_weeks = every_weeks
    module.full_clean()
    module.save()
    audit_event("module.changed", module, module.scheme, actor)
    return module


def _module_create(scheme: Scheme, spec: dict[str, Any], order: int) -> QuestionModule:
    module = QuestionModule.objects.create(
        scheme=scheme,
        name=spec["name"],
        generic=spec.get("generic", False),
        every_weeks=spec.get("every_weeks", 0),
        order=order,
    )
    Question.objects.bulk_create(
        Question(module=module, code=code, text=text, kind=kind, choices=choices, order=i)
        for i, (code, text, kind, choices) in enumerate(spec["questions"])
    )
    return module


@transaction.atomic
def module_adopt(*, scheme: Scheme, key: str, actor: Any) -> QuestionModule:
    """Add a set from the library (LIBRARY_MODULES). A set retired earlier comes back with
    its questions, so past and new answers share their questions and the figure goes on."""
    spec = LIBRARY_MODULES.get(key)
    if spec is None:
        raise ValidationError("Choose a question set from the list")
    first_code = spec["questions"][0][0]
    earlier = (
        QuestionModule.objects.select_for_update()
        .filter(scheme=scheme, questions__code=first_code)
        .first()
    )
    if earlier is not None and earlier.retired_at is None:
        raise ValidationError(f"The scheme asks “{earlier.name}” already")
    if earlier is None:
        for code, *_ in spec["questions"]:
            _code_check(scheme.pk, code)  # a question of the scheme's own with this short name
    else:
        earlier.retired_at = None
        earlier.save(update_fields=["retired_at"])
        earlier.questions.update(retired_at=None)
        audit_event("module.restored", earlier, scheme, actor, library=key)
        return earlier
    order = (scheme.modules.aggregate(last=Max("order"))["last"] or 0) + 1
    module = _module_create(scheme, spec, order)
    audit_event("module.adopted", module, scheme, actor, library=key)
    return module


@transaction.atomic
def module_remove(*, module: QuestionModule, actor: Any) -> bool:
    """Remove a question set with its questions: deleted if none was ever answered, otherwise
    the set and its questions are retired. Returns True when it was retired."""
    module = QuestionModule.objects.select_for_update().select_related("scheme").get(pk=module.pk)
    if module.retired_at is not None:
        raise ValidationError("This question set is already retired")
    answered = Answer.objects.filter(question__module=module).exists()
    if answered:
        now = timezone.now()
        module.retired_at = now
        module.save(update_fields=["retired_at"])
        module.questions.filter(retired_at__isnull=True).update(retired_at=now)
        audit_event("module.retired", module, module.scheme, actor)
        return True
    audit_event("module.deleted", module, module.scheme, actor, name=module.name)
    module.delete()
    return False


# --- A resident's record ----------------------------------------------------------------


@transaction.atomic
def consent_withdraw(*, resident: Resident, actor: Any) -> Resident:
    if resident.consent_withdrawn_on is not None:
        raise ValidationError("Consent has already been withdrawn")
    resident.consent_withdrawn_on = timezone.localdate()
    resident.status = ResidentStatus.CLOSED
    resident.closed_at = timezone.now()
    resident.save(update_fields=["consent_withdrawn_on", "status", "closed_at"])
    audit_event("consent.withdrawn", resident, resident.scheme, actor)
    return resident


@transaction.atomic
def pause_add(
    *, resident: Resident, start_date: date, end_date: date | None, reason: str, actor: Any
) -> Pause:
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": "End date must be on or after the start date"})
    pause = Pause.objects.create(
        resident=resident, start_date=start_date, end_date=end_date, reason=reason
    )
    audit_event("pause.added", resident, resident.scheme, actor)
    return pause


@transaction.atomic
def pause_end(*, resident: Resident, actor: Any) -> int:
    """Resume visits: open pauses (and those running past today) end yesterday."""
    today = timezone.localdate()
    running = Pause.objects.filter(resident=resident, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    # A pause that only started today is simply removed.
    ended = running.filter(start_date__lt=today).update(end_date=today - timedelta(days=1))
    removed, _ = running.filter(start_date=today).delete()
    if not ended and not removed:
        raise ValidationError("Visits are not paused")
    audit_event("pause.ended", resident, resident.scheme, actor)
    return ended + removed


APPOINTMENT_STATUSES = [ResidentStatus.REFERRED, ResidentStatus.CONTACTING, ResidentStatus.ACTIVE]


@transaction.atomic
def appointment_add(
    *,
    resident: Resident,
    on: date,
    what: str,
    where: str = "",
    time: Any = None,
    actor: Any,
) -> Appointment:
    """An appointment to remind the person of: it shows on the worker's list from three days
    before, and on the day."""
    if resident.status not in APPOINTMENT_STATUSES:
        raise ValidationError("Appointments can only be added for someone referred or visited")
    if on < timezone.localdate():
        raise ValidationError({"on": "Date must be today or in the future"})
    if not what.strip():
        raise ValidationError({"what": "Enter what the appointment is"})
    appointment = Appointment(
        resident=resident,
        on=on,
        time=time,
        what=what.strip(),
        where=where.strip(),
        added_by=actor,
    )
    appointment.full_clean()
    appointment.save()
    audit_event("appointment.added", resident, resident.scheme, actor, appointment=appointment.pk)
    return appointment


@transaction.atomic
def appointment_attendance_record(
    *, appointment: Appointment, attended: bool, actor: Any
) -> Appointment:
    """Whether the person went, recorded on or after the day (and correctable). Misses count
    in the scheme's 'missed appointments (recorded by the scheme)' outcome."""
    appointment = (
        Appointment.objects.select_for_update()
        .select_related("resident__scheme__organisation")
        .get(pk=appointment.pk)
    )
    if appointment.on > timezone.localdate():
        raise ValidationError({"attended": "You can record this from the day of the appointment"})
    appointment.attended = attended
    appointment.attended_recorded_at = timezone.now()
    appointment.attended_recorded_by = actor
    appointment.save(update_fields=["attended", "attended_recorded_at", "attended_recorded_by"])
    resident = appointment.resident
    audit_event("appointment.attendance_recorded", resident, resident.scheme, actor,
           appointment=appointment.pk, attended=attended)  # fmt: skip
    from whatworks.checkins.tasks import refresh_outcomes

    after_commit(refresh_outcomes, resident.scheme_id)
    return appointment


def resident_export(resident: Resident) -> dict[str, Any]:
    """Everything held about one person, for a subject access request."""
    return {
        "scheme": resident.scheme.name,
        "name": resident.full_name,
        "date_of_birth": resident.date_of_birth.isoformat() if resident.date_of_birth else None,
        "address": resident.address,
        "phone": resident.phone,
        "nhs_number": resident.nhs_number,
        "local_identifier": resident.local_identifier,
        "gp_practice": {"ods_code": resident.gp_practice_ods, "name": resident.gp_practice_name},
        "health_notes": resident.health_notes,
        "status": resident.get_status_display(),
        "consent": {
            "given_on": resident.consent_given_on.isoformat()
            if resident.consent_given_on
            else None,
            "how": resident.get_consent_method_display(),
            "withdrawn_on": resident.consent_withdrawn_on.isoformat()
            if resident.consent_withdrawn_on
            else None,
        },
        "visit_days": resident.visit_day_names,
        "round": resident.round.name if resident.round else None,
        "nominated_contacts": [
            {
                "name": c.name,
                "relationship": c.relationship,
                "phone": c.phone,
                "email": c.email,
                "lives_locally": c.lives_locally,
            }
            for c in resident.contacts.all()
        ],
        "appointments": [
            {
                "on": a.on.isoformat(),
                "time": a.time.strftime("%H:%M") if a.time else None,
                "what": a.what,
                "where": a.where,
                "attended": a.attendance,
            }
            for a in resident.appointments.all()
        ],
        "pauses": [
            {
                "from": p.start_date.isoformat(),
                "to": p.end_date.isoformat() if p.end_date else None,
                "reason": p.reason,
            }
            for p in resident.pauses.all()
        ],
        "visits": [
            {
                "on": v.visited_on.isoformat(),
                "outcome": v.get_outcome_display(),
                "reason": v.reason,
                "note": v.note,
                "answers": {a.question.text: a.value for a in v.answers.all()},
            }
            for v in resident.visits.prefetch_related("answers__question")
        ],
        "concerns": [
            {
                "raised": e.created_at.isoformat(),
                "what": e.summary,
                "status": e.get_status_display(),
            }
            for e in resident.escalations.all()
        ],
    }


# --- GP practices' verified addresses ---------------------------------------------------


@transaction.atomic
def practice_address_save(
    *, scheme: Scheme, name: str, email: str, actor: Any, ods_code: str = ""
) -> PracticeAddress:
    """Record (or correct) the address the coordinator checked with the practice itself:
    the only address a concern about one of its patients is emailed to. On a scheme with its
    own list of practices this is the list, keyed by name; otherwise by ODS code."""
    name = name.strip()
    if scheme.gp_practices == PracticeNaming.OWN:
        if not name:
            raise ValidationError({"name": "Enter the practice's name"})
        key: dict[str, Any] = {"ods_code": "", "name": name}
        defaults: dict[str, Any] = {}
    else:
        code = validation.clean_ods_code(ods_code)
        if not code:
            raise ValidationError({"ods_code": "Enter the practice's ODS code, like A81001"})
        key = {"ods_code": code}
        defaults = {"name": name}
    practice, _ = PracticeAddress.objects.update_or_create(
        scheme=scheme,
        **key,
        defaults={
            **defaults,
            "email": email.strip().lower(),
            "verified_by": actor,
            "verified_at": timezone.now(),
        },
    )
    practice.full_clean()
    audit_event("practice.verified", practice, scheme, actor)
    return practice


@transaction.atomic
def practice_naming_set(*, scheme: Scheme, naming: str, actor: Any) -> Scheme:
    """How the referral asks for a person's GP practice. Practices on the list keep their
    entries; only the ones that suit the choice are used (ODS codes, or the list's names)."""
    if naming not in PracticeNaming.values:
        raise ValidationError("Select how GP practices are named")
    scheme.gp_practices = naming
    scheme.save(update_fields=["gp_practices"])
    audit_event("practices.naming", scheme, scheme, actor, naming=naming)
    return scheme


@transaction.atomic
def practice_address_remove(*, practice: PracticeAddress, actor: Any) -> None:
    audit_event("practice.removed", practice, practice.scheme, actor)
    practice.delete()
