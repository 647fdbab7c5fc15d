"""Permission-matrix entries for the checkins app.

A scheme of organisation A: A's officer is its coordinator and A's frontline worker works its
round; no other persona holds a role in it. Role holders without a second factor in the
session are sent to verify it (302) before anything else; everyone else signed in gets a 404
for the scheme's records (they cannot know they exist), and anonymous people the sign-in page.
Organisation roles give nothing here: A's admin and site staff see no resident. The referral
pages are public behind the scheme's unguessable link.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from tests.conftest import World
from tests.matrix.support import LOGIN, Entry, expect

PERMISSIONS = {
    "checkins.add_scheme",
    "checkins.manage_scheme",
    "checkins.view_resident",
    "checkins.change_resident",
    "checkins.record_visit",
    "checkins.close_escalation",
}
VERIFY = 302  # role holders: to the two-factor pages first


def gated(others: int = 404) -> dict[str, int]:
    return expect(others, anonymous=LOGIN, officer=VERIFY, frontline=VERIFY)


def _setup(w: World) -> Any:
    from tests.checkins.conftest import make_resident, make_round, make_scheme, send_surveys
    from whatworks.checkins import services
    from whatworks.checkins.models import Appointment, PracticeAddress, Question, Signpost

    if not hasattr(w, "checkins"):
        scheme = make_scheme(w)
        round_ = make_round(scheme, w["frontline"])
        resident = make_resident(round_)
        visit, _ = services.visit_record(
            round_=round_,
            worker=w["frontline"],
            client_uuid=uuid.uuid4(),
            resident_id=resident.pk,
            visited_on=timezone.localdate(),
            outcome="concern",
        )
        emergency, _ = services.visit_record(
            round_=round_,
            worker=w["frontline"],
            client_uuid=uuid.uuid4(),
            resident_id=resident.pk,
            visited_on=timezone.localdate(),
            outcome="emergency",
        )
        referral = services.referral_submit(
            scheme=scheme,
            data={
                "referrer_kind": "gp",
                "referrer_name": "Dr Okafor",
                "reason": "Lives alone",
                "given_name": "Albert",
                "family_name": "Cole",
                "date_of_birth": "1931-02-03",
                "address_line_1": "9 Mill Lane",
                "postcode": "TN6 2BB",
                "consent": True,
                "consent_given_on": "2026-01-04",
                "contacts": [
                    {
                        "name": "Jo Cole",
                        "relationship": "son",
                        "phone": "07912 345678",
                        "lives_locally": True,
                    }
                ],
            },
        )
        w.checkins = {
            "scheme": scheme,
            "round": round_,
            "resident": resident,
            "referral": referral,
            "escalation": visit.escalation_set.first(),
            "emergency_visit": emergency,
            "rule": scheme.rules.first(),
            "question": Question.objects.filter(module__scheme=scheme).first(),
            "module": scheme.modules.first(),
            "appointment": Appointment.objects.create(
                resident=resident, on=timezone.localdate(), what="Diabetes clinic"
            ),
            "practice": PracticeAddress.objects.create(
                scheme=scheme, ods_code="G81001", name="Beacon Surgery", email="gp@nhs.net"
            ),
            "signpost": Signpost.objects.create(scheme=scheme, name="Lunch club", kind="event"),
            "survey_token": next(iter(send_surveys(scheme).values())),
        }
    return w.checkins


def _pk(what: str) -> Any:
    def kwargs(w: World) -> dict[str, Any]:
        return {"pk": _setup(w)[what].pk}

    return kwargs


def _scheme_pk(w: World) -> dict[str, Any]:
    return {"scheme_pk": _setup(w)["scheme"].pk}


def _token(w: World) -> dict[str, Any]:
    return {"token": _setup(w)["scheme"].referral_token}


def _survey(w: World) -> dict[str, Any]:
    return {"token": _setup(w)["survey_token"]}


def _home(w: World) -> dict[str, Any]:
    _setup(w)
    return {}


ENTRIES: dict[str, Entry] = {
    "checkins-home": Entry(gated(200), _home),
    "checkins-2fa-setup": Entry(expect(200, anonymous=LOGIN), _home),
    # Nobody has a confirmed device yet: verifying sends them to set one up.
    "checkins-2fa-verify": Entry(expect(302), _home),
    # Your own recovery codes: anyone signed in (role holders after the second step).
    "checkins-2fa-recovery": Entry(gated(200), _home),
    # A's admin and B's admin may start a scheme for their own organisation.
    "checkins-scheme-new": Entry({**gated(403), "admin": 200, "outsider": 200}, _home),
    "checkins-scheme": Entry(gated(), _pk("scheme")),
    "checkins-residents": Entry(gated(), _pk("scheme")),
    "checkins-round-new": Entry(gated(), _pk("scheme")),
    "checkins-agreement-new": Entry(gated(), _pk("scheme")),
    "checkins-rules": Entry(gated(), _pk("scheme")),
    "checkins-people": Entry(gated(), _pk("scheme")),
    "checkins-question-new": Entry(gated(), _pk("scheme")),
    "checkins-question-edit": Entry(gated(), _pk("question")),
    "checkins-question-remove": Entry(gated(), _pk("question")),
    "checkins-module-edit": Entry(gated(), _pk("module")),
    "checkins-module-remove": Entry(gated(), _pk("module")),
    "checkins-module-adopt": Entry(
        gated(), lambda w: {**_pk("scheme")(w), "key": "independence"}, method="post"
    ),
    "checkins-retention": Entry(gated(), _pk("scheme")),
    "checkins-practices": Entry(gated(), _pk("scheme")),
    "checkins-practice-naming": Entry(gated(), _pk("scheme"), method="post"),
    "checkins-practice-remove": Entry(gated(), _pk("practice"), method="post"),
    "checkins-signposts": Entry(gated(), _pk("scheme")),
    "checkins-training": Entry(gated(), _pk("scheme")),
    "checkins-funding": Entry(gated(), _pk("scheme")),
    "checkins-resident-payer": Entry(gated(), _pk("resident")),
    "checkins-signpost-toggle": Entry(gated(), _pk("signpost"), method="post"),
    "checkins-signposting-new": Entry(gated(), _pk("resident")),
    "checkins-surveys": Entry(gated(), _pk("scheme")),
    "checkins-cover-new": Entry(gated(), _pk("round")),
    "checkins-rule-new": Entry(gated(), _scheme_pk),
    "checkins-rule-edit": Entry(gated(), _pk("rule")),
    "checkins-referral": Entry(gated(), _pk("referral")),
    "checkins-resident": Entry(gated(), _pk("resident")),
    "checkins-resident-export": Entry(gated(), _pk("resident")),
    "checkins-resident-print": Entry(gated(), _pk("resident")),
    "checkins-resident-erase": Entry(gated(), _pk("resident")),
    "checkins-resident-pause": Entry(gated(), _pk("resident")),
    "checkins-resident-round": Entry(gated(), _pk("resident")),
    "checkins-appointment-new": Entry(gated(), _pk("resident")),
    "checkins-appointment-attendance": Entry(gated(), _pk("appointment")),
    "checkins-consent-withdraw": Entry(gated(), _pk("resident"), method="post"),
    "checkins-resident-resume": Entry(gated(), _pk("resident"), method="post"),
    "checkins-round-today": Entry(gated(), _pk("round")),
    "checkins-visit-record": Entry(gated(), _pk("round"), method="post"),
    "checkins-visit-new": Entry(
        gated(), lambda w: {"pk": _setup(w)["round"].pk, "resident_id": _setup(w)["resident"].pk}
    ),
    "checkins-visit-emergency": Entry(
        gated(),
        lambda w: {
            "pk": _setup(w)["round"].pk,
            "key": _setup(w)["emergency_visit"].client_uuid,
        },
    ),
    "checkins-escalation": Entry(gated(), _pk("escalation")),
    "checkins-first-contact": Entry(gated(), _pk("resident")),
    # The offline service worker: a script with no data in it, the same for everyone.
    "checkins-sw": Entry(expect(200), _home),
    # The referral pages: public behind the link; check-answers with no draft goes to page 1.
    "checkins-refer-start": Entry(expect(200), _token),
    "checkins-refer-step": Entry(expect(200), lambda w: {**_token(w), "step": "referrer"}),
    "checkins-refer-check": Entry(expect(302), _token),
    "checkins-refer-done": Entry(expect(200), _token),
    # A contact's peace-of-mind survey: public behind the link in their message.
    "checkins-survey": Entry(expect(200), _survey),
    "checkins-survey-stop": Entry(expect(200), _survey),
}
