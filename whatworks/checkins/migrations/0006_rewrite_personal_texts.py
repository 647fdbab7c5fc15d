"""Texts written before the audit log, tasks and the outbox held references only: tasks'
summaries named the person (and quoted the visit's note), audit entries named them, and
GP emails carried a name and an NHS number. Rewrite them as the code now writes them."""

from django.db import migrations

OUTCOMES = {
    "well": "Seen and well",
    "concern": "Seen, with a concern",
    "no_answer": "No answer",
    "declined": "Declined the visit",
    "not_visited": "Not visited",
}
LABELS = {
    "checkins.resident": "resident {id}",
    "checkins.referral": "referral {id}",
    "checkins.visit": "visit {id}",
    "checkins.escalation": "task {id}",
}


def _summary(escalation) -> str:
    visit = escalation.visit
    day = (visit.visited_on if visit else escalation.created_at.date()).strftime("%-d %B %Y")
    rule = escalation.rule.name if escalation.rule else "a rule"
    if escalation.trigger == "outcome" and visit is not None:
        return f"{OUTCOMES.get(visit.outcome, visit.outcome)} at a visit on {day}"
    if escalation.trigger == "answer":
        return f"An answer at a visit on {day} met the rule '{rule}'"
    if escalation.trigger == "no_answer_streak":
        return "No answer at the door on several visits in a row"
    if escalation.trigger == "missed":
        return f"A planned visit was missed on {day}"
    return f"Raised by the rule '{rule}'"


def forwards(apps, schema_editor):
    Escalation = apps.get_model("checkins", "Escalation")
    AuditEvent = apps.get_model("core", "AuditEvent")
    Message = apps.get_model("core", "Message")
    for escalation in Escalation.objects.exclude(summary="(erased)").select_related(
        "visit", "rule"
    ):
        Escalation.objects.filter(pk=escalation.pk).update(summary=_summary(escalation)[:300])
    # The historical manager is a plain one: the log's append-only guard is not in the way
    # of this one-off rewrite (only descriptions and text details change).
    for event in AuditEvent.objects.filter(object_type__in=list(LABELS)).only(
        "pk", "object_type", "object_id", "detail"
    ):
        detail = {
            k: v
            for k, v in (event.detail or {}).items()
            if v is None or isinstance(v, bool | int | float) or k in {"reason", "outcome"}
        }
        if isinstance(detail.get("reason"), str) and detail["reason"] not in {
            "requested",
            "consent_withdrawn",
            "recorded_in_error",
            "retention_ended",
        }:
            detail.pop("reason")
        AuditEvent.objects.filter(pk=event.pk).update(
            object_repr=LABELS[event.object_type].format(id=event.object_id), detail=detail
        )
    Message.objects.filter(template__in=["checkins_gp", "checkins_contact"]).update(personal=True)
    Message.objects.filter(template="checkins_gp", status="queued").update(status="cancelled")
    Message.objects.filter(template="checkins_gp").update(
        personalisation={}, recipient="", last_error="", redacted_at=django_now()
    )


def django_now():
    from django.utils import timezone

    return timezone.now()


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0005_personal_data_by_reference"),
        ("core", "0004_personal_data_by_reference"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
