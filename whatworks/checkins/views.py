"""Pages for coordinators, workers and partners. Thin: access check, form, service, redirect.

Every page that shows a resident is behind `two_factor_required` and an `access_*` helper
that audits the view.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from whatworks.checkins import erasure, escalations, selectors, services, twofactor
from whatworks.checkins import rules as checkin_rules
from whatworks.checkins.forms import (
    AcceptForm,
    AgreementForm,
    AppointmentForm,
    AttendanceForm,
    CloseForm,
    DeclineForm,
    EmergencyActionsForm,
    EraseForm,
    FirstContactForm,
    PauseForm,
    RoundChangeForm,
    RoundForm,
    RuleForm,
    SchemeForm,
    visit_form_answers,
)
from whatworks.checkins.models import (
    WORKER_OUTCOMES,
    Appointment,
    EmergencyAction,
    EscalationRule,
    Referral,
    Resident,
    ResidentStatus,
    Scheme,
    Urgency,
    days_from_mask,
)
from whatworks.checkins.validation import display_phone
from whatworks.core import audit, cache
from whatworks.core.forms import act, submit
from whatworks.organisations.http import AuthenticatedRequest
from whatworks.organisations.models import Organisation, Role
from whatworks.ui.templatetags.govuk import govuk_date


def _posted(request: HttpRequest) -> Any:
    """The POST data, even when empty (an empty form must show its errors)."""
    return request.POST if request.method == "POST" else None


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("checkins-home")


def _viewed(action: str, obj: Any, scheme: Scheme, resident_ids: list[int]) -> None:
    """Log a page that shows several residents: which ones, by id, never by name."""
    audit.record(
        action,
        obj=obj,
        organisation=scheme.organisation,
        detail={"residents": resident_ids},
        personal_data=True,
    )


# --- Landing and two-factor sign-in -------------------------------------------------------


@twofactor.two_factor_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    startable = Organisation.objects.filter(
        memberships__user=request.user, memberships__role__in=[Role.ADMIN, Role.OFFICER]
    )
    return render(
        request,
        "checkins/home.html",
        {
            "schemes": selectors.schemes_for(request.user),
            "rounds": selectors.rounds_today_for(request.user, today),
            "can_start": startable.exists(),
        },
    )


@login_required
def two_factor_setup(request: AuthenticatedRequest) -> HttpResponse:
    if twofactor.confirmed_device(request.user):
        return redirect(f"{reverse('checkins-2fa-verify')}?next={_next_url(request)}")
    device = twofactor.pending_device(request.user)
    error = ""
    if request.method == "POST":
        error = twofactor.attempt(device, request.POST.get("code", ""))
        if not error:
            twofactor.mark_verified(request)
            return _recovery_codes_page(
                request, twofactor.recovery_codes_issue(request.user), set_up=True
            )
    uri = twofactor.provisioning_uri(device)
    return render(
        request,
        "checkins/two_factor_setup.html",
        {
            "qr": twofactor.qr_svg(uri),
            "secret": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)),
            "error": error,
            "next": _next_url(request),
        },
    )


@login_required
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('checkins-2fa-setup')}?next={_next_url(request)}")
    error = ""
    if request.method == "POST":
        code = request.POST.get("recovery", "").strip() or request.POST.get("code", "")
        error = twofactor.attempt(device, code)
        if not error:
            twofactor.mark_verified(request)
            left = twofactor.recovery_codes_left(request.user)
            if request.POST.get("recovery", "").strip() and left <= 3:
                messages.warning(
                    request,
                    f"You have {left} recovery code{'s' if left != 1 else ''} left: "
                    "make new ones on the recovery codes page.",
                )
            return HttpResponseRedirect(_next_url(request))
    return render(
        request, "checkins/two_factor_verify.html", {"error": error, "next": _next_url(request)}
    )


def _recovery_codes_page(
    request: HttpRequest, codes: list[str], *, set_up: bool = False
) -> HttpResponse:
    response = render(
        request,
        "checkins/two_factor_recovery.html",
        {"codes": codes, "set_up": set_up, "next": _next_url(request)},
    )
    add_never_cache_headers(response)  # shown once: never kept by a cache
    return response


@twofactor.two_factor_required
def two_factor_recovery(request: AuthenticatedRequest) -> HttpResponse:
    """How many recovery codes are left, and new ones (the old ones then stop working)."""
    if request.method == "POST":
        return _recovery_codes_page(request, twofactor.recovery_codes_issue(request.user))
    return render(
        request,
        "checkins/two_factor_recovery.html",
        {"left": twofactor.recovery_codes_left(request.user), "codes": None},
    )


# --- Schemes -------------------------------------------------------------------------------


@twofactor.two_factor_required
def scheme_new(request: AuthenticatedRequest) -> HttpResponse:
    organisation = Organisation.objects.filter(
        memberships__user=request.user, memberships__role__in=[Role.ADMIN, Role.OFFICER]
    ).first()
    if organisation is None or not rules.has_perm(
        "checkins.add_scheme", request.user, organisation
    ):
        raise PermissionDenied
    form = SchemeForm(request.POST or None, organisation=organisation)
    if done := submit(
        request,
        form,
        lambda data: services.scheme_create(organisation=organisation, actor=request.user, **data),
        then=lambda scheme: scheme,
        success="The scheme is set up. You are its coordinator.",
    ):
        return done
    return render(
        request, "checkins/scheme_form.html", {"form": form, "organisation": organisation}
    )


@twofactor.two_factor_required
def scheme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    board = selectors.dashboard(scheme)
    # The dashboard names the people with waiting referrals and open tasks: a view of
    # their data, logged by reference.
    _viewed(
        "checkins.dashboard.viewed",
        scheme,
        scheme,
        sorted(
            {r.resident_id for r in board.referrals}
            | {e.resident_id for e in board.open_escalations}
        ),
    )
    return render(
        request,
        "checkins/scheme.html",
        {
            "scheme": scheme,
            "board": board,
            "referral_link": request.build_absolute_uri(
                reverse("checkins-refer-start", kwargs={"token": scheme.referral_token})
            ),
            "agreements": scheme.agreements.prefetch_related("parties"),
            "now": timezone.now(),
        },
    )


@twofactor.two_factor_required
def residents(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = Scheme.objects.filter(pk=pk).first()
    if scheme is None or not checkin_rules.scheme_roles(request.user, pk):
        raise Http404("No such scheme")
    coordinator = checkin_rules.is_coordinator_of(request.user, pk)
    scope = None if coordinator else checkin_rules.partner_scope(request.user, pk)
    if not coordinator and scope is None:
        raise PermissionDenied
    found = Resident.objects.filter(scheme=scheme).exclude(status=ResidentStatus.ERASED)
    if scope == "concerns":
        found = found.filter(escalations__isnull=False).distinct()
    shown = list(found.select_related("round").order_by("family_name", "given_name", "id")[:500])
    # A list of residents' names is a view of personal data too.
    _viewed("checkins.residents.listed", scheme, scheme, [r.pk for r in shown])
    return render(request, "checkins/residents.html", {"scheme": scheme, "residents": shown})


@twofactor.two_factor_required
def round_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = RoundForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.round_create(
            scheme=scheme,
            name=data["name"],
            kind=data["kind"],
            worker=data["worker_email"],
            actor=request.user,
        ),
        then=scheme,
        success="The round is added.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {"form": form, "scheme": scheme, "title": "Add a round", "button": "Add the round"},
    )


@twofactor.two_factor_required
def agreement_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = AgreementForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.agreement_record(scheme=scheme, actor=request.user, **data),
        then=scheme,
        success="The data-sharing agreement is recorded.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": "Record a data-sharing agreement",
            "button": "Record the agreement",
        },
    )


@twofactor.two_factor_required
def rules_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    return render(
        request,
        "checkins/rules.html",
        {
            "scheme": scheme,
            "rules": scheme.rules.all(),
            "modules": scheme.modules.prefetch_related("questions"),
            "library": selectors.library_to_add(scheme),
        },
    )


@twofactor.two_factor_required
def rule_edit(
    request: AuthenticatedRequest, pk: int | None = None, scheme_pk: int | None = None
) -> HttpResponse:
    if pk is not None:
        rule = get_object_or_404(EscalationRule, pk=pk)
        scheme = selectors.access_scheme(request.user, rule.scheme_id)
    else:
        scheme = selectors.access_scheme(request.user, scheme_pk or 0)
        rule = EscalationRule(scheme=scheme)
    form = RuleForm(request.POST or None, instance=rule)
    if done := submit(
        request,
        form,
        # A ModelForm: validating it put the answers on form.instance.
        lambda data: services.rule_save(rule=form.instance, actor=request.user),
        then=reverse("checkins-rules", kwargs={"pk": scheme.pk}),
        success="The rule is saved.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": "Change a rule" if pk else "Add a rule",
            "button": "Save the rule",
        },
    )


# --- Referrals -------------------------------------------------------------------------------


@twofactor.two_factor_required
def referral_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = selectors.access_referral(request.user, pk)
    # Two forms on one page: only the one whose button was pressed is bound (an unbound form
    # is never valid, so submit leaves the other alone); nothing is bound once it is decided.
    posted = _posted(request) if referral.status == Referral.Status.WAITING else None
    accepting = "accept" in request.POST
    accept = AcceptForm(posted if accepting else None, scheme=referral.scheme, prefix="accept")
    decline = DeclineForm(None if accepting else posted, prefix="decline")
    if done := submit(
        request,
        accept,
        lambda data: services.referral_accept(
            referral=referral,
            actor=request.user,
            round_=data["round"],
            visit_days=[int(d) for d in data["visit_days"]],
            visit_order=data["visit_order"],
        ),
        then=lambda resident: resident,
        success=lambda resident: (
            f"{resident.full_name} is accepted. Contact them first: "
            f"they join {accept.cleaned_data['round']} once they agree."
        ),
    ):
        return done
    if done := submit(  # refused when someone else decided it meanwhile
        request,
        decline,
        lambda data: services.referral_decline(referral=referral, actor=request.user, **data),
        then=referral.scheme,
        success="The referral is declined.",
    ):
        return done
    return render(
        request,
        "checkins/referral.html",
        {
            "referral": referral,
            "resident": referral.resident,
            "accept": accept,
            "decline": decline,
            "form": accept if accept.errors else decline if decline.errors else None,
        },
    )


@twofactor.two_factor_required
def first_contact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The coordinator records first contact: agreed (with the baseline answers: they join
    the planned round), not decided yet, or declined."""
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    contact = getattr(resident, "first_contact", None)
    if contact is None or not contact.is_open or resident.status != ResidentStatus.CONTACTING:
        raise Http404("No first contact is waiting for this person")
    questions = services.baseline_questions(resident.scheme_id)
    form = FirstContactForm(_posted(request), questions=questions)
    if done := submit(
        request,
        form,
        lambda data: services.first_contact_record(
            resident=resident,
            actor=request.user,
            status=data["status"],
            contacted_on=data["contacted_on"],
            answers=form.answers(),
        ),
        then=resident,
        success=lambda c: {
            "agreed": f"{resident.full_name} agreed: they join {c.round} from the next list.",
            "contacted": "The contact is recorded. Record their decision when they make it.",
            "declined": f"{resident.full_name} does not want visits: the referral is closed.",
        }[c.status],
    ):
        return done
    return render(
        request,
        "checkins/first_contact.html",
        {
            "resident": resident,
            "contact": contact,
            "form": form,
            "baseline": [form[name] for name in form.answer_names],
        },
    )


# --- A resident's record ----------------------------------------------------------------------


@twofactor.two_factor_required
def resident_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk)
    coordinator = checkin_rules.is_coordinator_of(request.user, resident.scheme_id)
    scope = None if coordinator else checkin_rules.partner_scope(request.user, resident.scheme_id)
    concerns_only = scope == "concerns"
    # Health details (NHS number, GP, notes) only for coordinators and partners whose agreement
    # covers records: a worker's visit needs none of them.
    hide_health = not coordinator and scope != "records"
    return render(
        request,
        "checkins/resident.html",
        {
            "resident": resident,
            "coordinator": coordinator,
            "concerns_only": concerns_only,
            "hide_health": hide_health,
            "contacts": resident.contacts.all(),
            "visits": []
            if concerns_only
            else resident.visits.prefetch_related("answers__question")[:20],
            "escalations": resident.escalations.all(),
            "appointments": resident.appointments.all(),
            "pauses": resident.pauses.all(),
            "signpostings": resident.signpostings.select_related("signpost"),
            "referral": getattr(resident, "referral", None),
            "round_change": selectors.pending_round_change(resident) if coordinator else None,
            "first_contact": getattr(resident, "first_contact", None)
            if resident.status == ResidentStatus.CONTACTING
            else None,
            "today": timezone.localdate(),
        },
    )


@twofactor.two_factor_required
def resident_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    response = JsonResponse(services.resident_export(resident), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="resident-{resident.pk}.json"'
    return response


@twofactor.two_factor_required
def resident_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    return render(
        request,
        "checkins/resident_print.html",
        {"resident": resident, "data": services.resident_export(resident)},
    )


@twofactor.two_factor_required
def resident_erase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    form = EraseForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: erasure.resident_erase(resident=resident, actor=request.user, **data),
        then=resident.scheme,
        success="The record is erased. Its anonymous counts are kept.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": resident.scheme,
            "title": f"Erase {resident.full_name}'s record",
            "button": "Erase the record",
            "warning": "This removes their name, address, contacts, "
            "notes and answers. Visit dates and outcomes stay, without a name, for the counts.",
        },
    )


@require_POST
@twofactor.two_factor_required
def consent_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident", viewed=False)
    return act(
        request,
        lambda: services.consent_withdraw(resident=resident, actor=request.user),
        then=resident,
        success="Consent is withdrawn: visits have stopped.",
    )


@require_POST
@twofactor.two_factor_required
def resident_resume(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident", viewed=False)
    return act(
        request,
        lambda: services.pause_end(resident=resident, actor=request.user),
        then=resident,
        success="Visits start again from today.",
    )


@twofactor.two_factor_required
def resident_round(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    if resident.status != ResidentStatus.ACTIVE:
        raise Http404("Only a person who is visited can change rounds")
    pending = selectors.pending_round_change(resident)
    initial = {
        "round": pending.to_round_id if pending else resident.round_id,
        "visit_days": [str(d) for d in days_from_mask(
            pending.to_days if pending else resident.visit_days)],
        "visit_order": pending.to_order if pending else resident.visit_order,
    }  # fmt: skip
    form = RoundChangeForm(_posted(request), scheme=resident.scheme, initial=initial)
    if done := submit(
        request,
        form,
        lambda data: services.resident_round_change(
            resident=resident,
            round_=data["round"],
            visit_days=[int(d) for d in data["visit_days"]],
            visit_order=data["visit_order"],
            actor=request.user,
        ),
        then=resident,
        success=lambda change: (
            f"From {govuk_date(change.effective_on)}, {resident.full_name} "
            f"is on {change.to_round.name}, visited on {', '.join(change.to_day_names)}."
        ),
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": resident.scheme,
            "back_url": resident.get_absolute_url(),
            "title": f"Change {resident.full_name}'s round and visit days",
            "button": "Save the change",
            "inset": f"The change takes effect from the next list, on "
            f"{govuk_date(services.next_list_day())}. Today's list stays as it is.",
        },
    )


@twofactor.two_factor_required
def appointment_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    form = AppointmentForm(_posted(request))
    if done := submit(
        request,
        form,
        lambda data: services.appointment_add(resident=resident, actor=request.user, **data),
        then=resident,
        success="The appointment is added: the worker will remind them.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": resident.scheme,
            "back_url": resident.get_absolute_url(),
            "title": f"Add an appointment for {resident.full_name}",
            "button": "Add the appointment",
            "inset": "The reminder shows on the worker's list on the day and the 3 days before.",
        },
    )


@twofactor.two_factor_required
def appointment_attendance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(Appointment, pk=pk)
    resident = selectors.access_resident(
        request.user, appointment.resident_id, "checkins.change_resident"
    )
    initial = (
        {}
        if appointment.attended is None
        else {"attended": "yes" if appointment.attended else "no"}
    )
    form = AttendanceForm(_posted(request), initial=initial)
    if done := submit(
        request,
        form,
        lambda data: services.appointment_attendance_record(
            appointment=appointment, actor=request.user, **data
        ),
        then=resident,
        success="Attendance is recorded.",
    ):
        return done
    when = govuk_date(appointment.on)
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": resident.scheme,
            "back_url": resident.get_absolute_url(),
            "title": f"{appointment.what} on {when}",
            "button": "Record attendance",
            "inset": f"For {resident.full_name}"
            + (f", at {appointment.where}" if appointment.where else "")
            + ". A missed appointment counts in the scheme's own 'missed appointments' "
            "outcome, kept apart from any figures imported from partners.",
        },
    )


@twofactor.two_factor_required
def resident_pause(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    form = PauseForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.pause_add(resident=resident, actor=request.user, **data),
        then=resident,
        success="Visits are paused.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": resident.scheme,
            "title": f"Pause visits to {resident.full_name}",
            "button": "Pause visits",
        },
    )


# --- The worker's list and recording a visit -------------------------------------------------


def _visit_form(round_: Any, day: date, questions: list[Any]) -> str:
    """The visit form for a question set, with placeholders (no token, no person), cached
    until a question or a rule changes (see apps.py): most rounds share one or two question
    sets. Emergency outcomes and answers are marked, so the page shows the 999/111 guidance
    the moment one is chosen, offline too."""

    def render() -> str:
        emergency = escalations.emergency_rules_for(round_.scheme_id)
        for q in questions:
            q.emergency_values = emergency["answers"].get(q.code, set())
        return render_to_string(
            "checkins/_visit_form.html",
            {
                "round": round_,
                "day": day,
                "questions": questions,
                "outcomes": WORKER_OUTCOMES,
                "emergency": emergency,
                "emergency_actions": EmergencyAction.choices,
            },
        )

    key = (round_.pk, day.isoformat(), "-".join(str(q.pk) for q in questions))
    return cache.cached(selectors.QUESTIONS_CACHE, key, render)


def _fill(form: str, resident: Any, request: HttpRequest) -> SafeString:
    token = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    return mark_safe(  # noqa: S308 (the fill-ins are escaped here)
        form.replace("__RID__", str(resident.pk))
        .replace("__NAME__", escape(resident.given_name))
        .replace("__UUID__", str(uuid.uuid4()))
        .replace("__CSRF__", token)
    )


URL_SENTINEL = "987654321"  # reversed once, then replaced by each person's id


def _phone_display(e164: str) -> str:
    """A UK number as people read it (07912 345678), cheaply: the list shows one per contact."""
    if e164.startswith("+44") and len(e164) == 13:
        national = "0" + e164[3:]
        return f"{national[:5]} {national[5:]}"
    return e164


def _entry_html(entry: Any, round_pk: int, visit_url: str) -> str:
    """One person on the list. Built here rather than in a template loop (at 50 people the
    template engine cost more than everything else on the page together), with `escape` on
    every value and plain string building: format_html per piece cost a third of the page."""
    r = entry.resident
    pk = str(r.pk)
    name = escape(r.given_name)
    reminders = "".join(
        '<p class="govuk-body govuk-!-margin-bottom-2">'
        '<strong class="govuk-tag govuk-tag--blue">Reminder</strong> '
        + escape(a["what"])
        + (", " + escape(a["where"]) if a.get("where") else "")
        + " on "
        + escape(govuk_date(a["on"]))
        + (" at " + a["time"].strftime("%H:%M") if a["time"] else "")
        + "</p>"
        for a in entry.appointments
    )
    if entry.done:
        status = '<strong class="govuk-tag govuk-tag--green">Recorded</strong> ' + escape(
            entry.done
        )
        action = ""
    else:
        status = ""
        action = (
            f'<p class="govuk-body"><a class="govuk-link" href="'
            f'{escape(visit_url.replace(URL_SENTINEL, pk))}" data-visit-link '
            f'data-resident="{pk}" data-name="{name}" data-form="visit-form-{entry.form_key}">'
            f"Record the visit to {name}</a></p><div data-visit-form-place></div>"
        )
    contacts = "; ".join(
        f"{escape(c_name)} ({escape(relationship)})"
        + (
            f', <a class="govuk-link" href="tel:{escape(phone)}">'
            f"{escape(_phone_display(phone))}</a>"
            if phone
            else ""
        )
        for c_name, relationship, phone in entry.contacts
    )
    return (
        f'<li class="govuk-!-margin-bottom-6" id="visit-{pk}" data-resident="{pk}">'
        f'<h2 class="govuk-heading-m govuk-!-margin-bottom-1">{entry.number}. '
        f"{escape(r.full_name)}</h2>"
        f'<p class="govuk-body govuk-!-margin-bottom-2">{escape(r.address)}</p>{reminders}'
        f'<p class="govuk-body checkins-status" data-status>{status}</p>{action}'
        f"<template data-contacts>{contacts}</template></li>\n"
    )


def _list_context(request: HttpRequest, round_: Any, day: date) -> dict[str, Any]:
    """The list, and one form template per distinct question set: the page's script clones
    it for the person being visited (so it works offline), rather than the page carrying 50
    copies of nearly the same form."""
    entries = selectors.todays_list(round_, day)
    templates: dict[tuple[int, ...], str] = {}
    for entry in entries:
        key = tuple(q.pk for q in entry.questions)
        if key not in templates:
            templates[key] = _visit_form(round_, day, entry.questions)
        entry.form_key = list(templates).index(key)
    visit_url = reverse(
        "checkins-visit-new", kwargs={"pk": round_.pk, "resident_id": int(URL_SENTINEL)}
    )
    html = []
    for number, entry in enumerate(entries, start=1):
        entry.number = number
        html.append(_entry_html(entry, round_.pk, visit_url))
    return {
        "round": round_,
        "day": day,
        "entries": entries,
        "entries_html": mark_safe("".join(html)),  # noqa: S308 (built with format_html)
        "form_templates": [(i, mark_safe(html)) for i, html in enumerate(templates.values())],  # noqa: S308
        "holiday": not entries and selectors.schedule.on_holiday(round_, day),
    }


def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker for the round lists (no data in it: the same for everyone)."""
    from django.conf import settings

    body = render_to_string(
        "checkins/sw.js",
        {
            "sw_url": reverse("checkins-sw"),
            "sign_out": reverse("sign-out"),
            "static_url": settings.STATIC_URL,
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@twofactor.two_factor_required
def round_today(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(request.user, pk)
    context = _list_context(request, round_, timezone.localdate())
    # Names, addresses and reminders of everyone on the list: logged by reference.
    _viewed(
        "checkins.round_list.viewed",
        round_,
        round_.scheme,
        [e.resident.pk for e in context["entries"]],
    )
    return render(request, "checkins/round_today.html", context)


def _visit_page(
    request: HttpRequest, round_: Any, resident_id: int, errors: Any = None
) -> HttpResponse:
    day = timezone.localdate()
    entry = next(
        (e for e in selectors.todays_list(round_, day) if e.resident.pk == resident_id), None
    )
    if entry is None:
        raise Http404("This person is not on today's list")
    audit.record(
        "checkins.visit_form.viewed",
        obj=Resident(pk=entry.resident.pk),
        organisation=round_.scheme.organisation,
        detail={"round": round_.pk},
        personal_data=True,
    )
    form = _fill(_visit_form(round_, day, entry.questions), entry.resident, request)
    return render(
        request,
        "checkins/visit_new.html",
        {
            "round": round_,
            "day": day,
            "resident": entry.resident,
            "form_html": form,
            "visit_errors": errors,
        },
        status=400 if errors else 200,
    )


@twofactor.two_factor_required
def visit_new(request: AuthenticatedRequest, pk: int, resident_id: int) -> HttpResponse:
    """One person's visit form, for phones without JavaScript."""
    round_ = selectors.access_round(request.user, pk)
    return _visit_page(request, round_, resident_id)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one visit. The worker's page sends it by fetch (JSON back) when online, or
    keeps it and sends it later; without JavaScript the form posts here directly."""
    user: Any = request.user
    if _wants_json(request) and (
        not user.is_authenticated
        or (twofactor.needs_two_factor(user) and not twofactor.is_verified(request))
    ):
        return JsonResponse(
            {"title": "Sign in again to send visits", "status": 401},
            status=401,
            content_type="application/problem+json",
        )
    return _visit_record(request, pk)


@twofactor.two_factor_required
def _visit_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # Not core.forms.submit: no Django form (the visit form is cached HTML, for offline use), and
    # a refusal is answered as JSON problem details to the page's script, or the page again.
    round_ = selectors.access_round(request.user, pk)
    data = request.POST
    try:
        visited_on = date.fromisoformat(data.get("visited_on", ""))
    except ValueError:
        visited_on = timezone.localdate()
    try:
        visit, created = services.visit_record(
            round_=round_,
            worker=request.user,
            client_uuid=data.get("client_uuid", ""),
            resident_id=int(data.get("resident") or 0),
            visited_on=visited_on,
            outcome=data.get("outcome", ""),
            reason=data.get("reason", ""),
            note=data.get("note", ""),
            answers=visit_form_answers(data),
            emergency_actions=data.getlist("emergency_actions"),
        )
    except (ValidationError, ValueError) as error:
        messages_ = error.messages if isinstance(error, ValidationError) else ["Check the visit"]
        errors = (
            [{"name": k, "detail": v[0]} for k, v in error.message_dict.items()]
            if isinstance(error, ValidationError) and hasattr(error, "error_dict")
            else [{"name": "visit", "detail": m} for m in messages_]
        )
        if _wants_json(request):
            return JsonResponse(
                {
                    "type": "about:blank",
                    "title": "The visit was not recorded",
                    "status": 400,
                    "errors": errors,
                },
                status=400,
                content_type="application/problem+json",
            )
        resident_id = (
            int(data.get("resident") or 0) if str(data.get("resident", "")).isdigit() else 0
        )
        return _visit_page(request, round_, resident_id, errors)
    emergency = visit.escalation_set.filter(urgency=Urgency.EMERGENCY).exists()
    emergency_url = reverse(
        "checkins-visit-emergency", kwargs={"pk": round_.pk, "key": visit.client_uuid}
    )
    if _wants_json(request):
        return JsonResponse(
            {
                "status": "created" if created else "duplicate",
                "visit": visit.pk,
                "outcome": visit.get_outcome_display(),
                "emergency": emergency,
                **({"emergency_url": emergency_url} if emergency else {}),
            },
            status=201 if created else 200,
        )
    if emergency:
        return redirect(emergency_url)
    messages.success(request, f"Visit recorded: {visit.get_outcome_display()}.")
    return redirect("checkins-round-today", pk=round_.pk)


@twofactor.two_factor_required
def visit_emergency(request: AuthenticatedRequest, pk: int, key: uuid.UUID) -> HttpResponse:
    """After an emergency visit: what to do now (999, 111, the nominated contact), and a
    place to record what the worker did. The coordinator was texted when the visit came in."""
    round_ = selectors.access_round(request.user, pk)
    escalation = selectors.emergency_for_visit(round_, key)
    form = EmergencyActionsForm(_posted(request), initial={"actions": escalation.worker_actions})
    if done := submit(
        request,
        form,
        lambda data: services.emergency_actions_record(
            round_=round_, worker=request.user, client_uuid=key, actions=data["actions"]
        ),
        then=reverse("checkins-round-today", kwargs={"pk": round_.pk}),
        success="What you did is recorded on the coordinator's task.",
    ):
        return done
    contacts = list(escalation.resident.contacts.all())
    for contact in contacts:
        contact.phone_display = display_phone(contact.phone)  # type: ignore[attr-defined]
    return render(
        request,
        "checkins/visit_emergency.html",
        {
            "round": round_,
            "escalation": escalation,
            "first_name": escalation.resident.given_name,
            "contacts": contacts,
            "form": form,
        },
    )


# --- Escalations --------------------------------------------------------------------------------


@twofactor.two_factor_required
def escalation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    escalation = selectors.access_escalation(request.user, pk)
    form = CloseForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.escalation_close(escalation=escalation, actor=request.user, **data),
        then=escalation.scheme,
        success="The task is closed.",
    ):
        return done
    return render(
        request,
        "checkins/escalation.html",
        {
            "escalation": escalation,
            "form": form,
            "changes": escalation.changes.select_related("by"),
        },
    )
