"""Call & Check end to end in a real browser.

A GP refers a person through the scheme's public link; the coordinator sets up two-factor
sign-in, accepts the referral and places the person on a round; the postal worker, on a
phone-sized screen, records a concern while the connection is down, and the visit is sent
when it returns; the nominated contact's message is in the outbox and the coordinator's task
is open; the coordinator closes it; the outcome shows on the scheme's initiative. Every page
is checked with axe-core.
"""

from __future__ import annotations

import re
from typing import Any

import pyotp
from django.utils import timezone
from playwright.sync_api import expect

from tests.checkins.conftest import make_round, make_scheme
from whatworks.checkins.models import Escalation, Resident, Visit
from whatworks.core.models import Message

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll
from .test_journeys import sign_in

PHONE = {"width": 320, "height": 640}


def _set_up_two_factor(page: Any) -> None:
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Confirm the code").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm the code").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have kept my codes: continue").click()


QUEUED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("checkins", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("visits", {keyPath: "key"});
  open.onsuccess = () => {
    const request = open.result.transaction("visits").objectStore("visits").count();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
  };
  open.onerror = () => reject(open.error);
})"""


def _queued(page: Any) -> int:
    """How many visits wait in the phone's IndexedDB queue."""
    return int(page.evaluate(QUEUED))


def _refer(page: Any, base_url: str, token: str) -> None:
    page.goto(f"{base_url}/checkins/refer/{token}/")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()  # empty: errors name the fields
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your name")
    assert_accessible(page)
    page.get_by_label("GP", exact=True).check()
    page.get_by_label("Your name").fill("Dr Amara Okafor")
    page.get_by_label("Your organisation or GP practice").fill("Beacon Surgery")
    page.get_by_label("Why should this person be visited?").fill("Lives alone since a fall.")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_label("First name").fill("Edith")
    page.get_by_label("Last name").fill("Marsh")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("2")
    born.get_by_label("Month").fill("5")
    born.get_by_label("Year").fill("1936")
    page.get_by_label("Address line 1").fill("3 Beacon Road")
    page.get_by_label("Postcode").fill("NOT A POSTCODE")
    page.get_by_label("NHS number").fill("943 476 5918")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a real postcode")
    expect(summary).to_contain_text("Enter a valid NHS number")
    assert_accessible(page)
    page.get_by_label("Postcode").fill("tn61aa")
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("The person agrees to be referred").check()
    today = timezone.localdate()
    agreed = page.get_by_role("group", name="Date they agreed")
    agreed.get_by_label("Day").fill(str(today.day))
    agreed.get_by_label("Month").fill(str(today.month))
    agreed.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Spoken, to the referrer").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_label("Nominated contact's name").fill("Ruth Marsh")
    page.get_by_label("Relationship to the person").fill("daughter")
    page.get_by_label("Contact's mobile phone number").fill("07912 345678")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must live locally")
    page.get_by_label("The contact lives locally").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_label("GP practice ODS code").fill("g81001")
    page.get_by_label("GP practice name").fill("Beacon Surgery")
    page.get_by_label("GP practice email address").fill("beacon.surgery@example.nhs.uk")
    page.get_by_label("Diabetes").check()
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Check your answers before sending the referral")
    ).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text(["Dr Amara Okafor"])
    expect(page.get_by_text("TN6 1AA")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()
    assert_accessible(page)


def test_it_runs_call_and_check_from_referral_to_evidence(
    page_factory: Any, base_url: str, world: Any
) -> None:
    from whatworks.initiatives import services as register

    initiative = register.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Call and Check in Wealden",
        summary="Postal workers check on older people",
        service_area="adult_care",
        visibility="peers",
        collaborations=["sectors"],
    )
    scheme = make_scheme(world)
    scheme.initiative = initiative
    scheme.save()
    round_ = make_round(scheme, world["frontline"])

    # 1. A GP refers Edith through the scheme's link: no account needed.
    gp = page_factory()
    _refer(gp, base_url, scheme.referral_token)
    resident = Resident.objects.get(family_name="Marsh")
    assert resident.postcode == "TN6 1AA" and resident.nhs_number == "9434765919"

    # 2. The coordinator signs in, sets up two-factor sign-in, accepts and places her.
    coordinator = page_factory()
    sign_in(coordinator, base_url, world["officer"].email)
    coordinator.goto(f"{base_url}/checkins/schemes/{scheme.pk}/")
    _set_up_two_factor(coordinator)
    expect(coordinator.get_by_role("heading", name=scheme.name)).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Edith Marsh").click()
    assert_accessible(coordinator)
    coordinator.get_by_label("Round", exact=True).select_option(label=round_.name)
    today = timezone.localdate().weekday()
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    for offset in range(6):  # six days a week, today among them
        coordinator.get_by_label(days[(today + offset) % 7]).check()
    coordinator.get_by_role("button", name="Accept the referral").click()
    expect(coordinator.locator(".govuk-notification-banner")).to_contain_text("Contact them first")
    assert_accessible(coordinator)
    # First contact: she agrees, and the baseline loneliness score is taken.
    coordinator.get_by_role("link", name="Record first contact").click()
    baseline = coordinator.get_by_role("group", name=re.compile("How often do you feel")).first
    expect(baseline).to_be_hidden()  # revealed only under "They agreed to visits"
    coordinator.get_by_label("They agreed to visits").check()
    expect(baseline).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_role("button", name="Record the first contact").click()
    expect(coordinator.locator(".govuk-error-summary")).to_contain_text("Select an answer to")
    assert_accessible(coordinator)
    for legend in coordinator.locator("fieldset legend").all_inner_texts():
        if legend.startswith("How often do you feel"):
            coordinator.get_by_role("group", name=legend).get_by_label("Some of the time").check()
    coordinator.get_by_role("button", name="Record the first contact").click()
    expect(coordinator.locator(".govuk-notification-banner")).to_contain_text("join Walk 12")
    assert_accessible(coordinator)
    # The practice's address, checked with the practice itself: the only one a concern goes to.
    coordinator.goto(f"{base_url}/checkins/schemes/{scheme.pk}/practices/")
    expect(coordinator.get_by_text("G81001: 1 person on the scheme")).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_label("ODS code").fill("G81001")
    coordinator.get_by_label("Practice name").fill("Beacon Surgery")
    coordinator.get_by_label("Email address the practice confirmed").fill("beacon@nhs.net")
    coordinator.get_by_role("button", name="Record the verified address").click()
    expect(coordinator.locator(".govuk-notification-banner")).to_contain_text("verified")
    assert_accessible(coordinator)

    # 3. The postal worker, on a phone, records a concern while the connection is down.
    worker = page_factory(**PHONE)
    sign_in(worker, base_url, world["frontline"].email)
    worker.goto(f"{base_url}/checkins/rounds/{round_.pk}/today/")
    _set_up_two_factor(worker)
    expect(worker.get_by_role("heading", name="1. Edith Marsh")).to_be_visible()
    expect(worker.get_by_text("Have you checked your blood sugar today?")).to_be_hidden()
    assert_accessible(worker)
    assert_no_horizontal_scroll(worker, 320)
    assert_no_console_errors(worker)
    worker.context.set_offline(True)
    worker.get_by_text("Record the visit to Edith").click()
    worker.get_by_label("Seen, with a concern").check()
    worker.get_by_role("group", name="How are you today?").get_by_label("Unwell").check()
    worker.get_by_role("group", name="Have you checked your blood sugar today?").get_by_label(
        "No"
    ).check()
    worker.get_by_label("Note").fill("Seemed confused; had not eaten.")
    assert_no_horizontal_scroll(worker, 320)  # the open form reflows too
    worker.get_by_role("button", name="Save the visit to Edith").click()
    expect(worker.locator(f"#visit-{resident.pk}")).to_contain_text("Saved on this phone")
    expect(worker.locator("#checkins-sync")).to_contain_text("1 visit waits to send")
    visits = Visit.objects.exclude(outcome="first_contact")  # the baseline is not a visit
    assert visits.count() == 0
    assert _queued(worker) == 1
    assert_accessible(worker)
    worker.context.set_offline(False)  # the browser fires "online": the queue is sent
    expect(worker.locator(f"#visit-{resident.pk}")).to_contain_text("Recorded")
    expect(worker.locator("#checkins-sync")).to_contain_text("All visits are sent")
    assert _queued(worker) == 0
    worker.reload()  # after a reload the list shows the visit as done, and nothing is resent
    expect(worker.locator(f"#visit-{resident.pk}")).to_contain_text("Recorded")
    assert_no_horizontal_scroll(worker, 320)
    assert visits.count() == 1
    visit = visits.get()
    assert visit.outcome == "concern" and visit.answers.count() == 2

    # 4. The nominated contact's message is in the outbox; the coordinator's task is open.
    assert Message.objects.filter(channel="sms", recipient="+447912345678").exists()
    # To the verified address, naming no one; never to the one typed on the referral form.
    gp_email = Message.objects.get(template="checkins_gp")
    assert gp_email.recipient == "beacon@nhs.net"
    assert "Edith" not in str(gp_email.personalisation)
    assert not Message.objects.filter(recipient="beacon.surgery@example.nhs.uk").exists()
    escalation = Escalation.objects.get(status="open")

    # 5. The coordinator closes the task.
    coordinator.goto(f"{base_url}/checkins/schemes/{scheme.pk}/")
    expect(coordinator.locator("#count-open")).to_have_text("1")
    coordinator.get_by_role("link", name=escalation.summary).click()
    assert_accessible(coordinator)
    coordinator.get_by_role("button", name="Close the task").click()
    expect(coordinator.locator(".govuk-error-summary")).to_contain_text("Enter what was done")
    coordinator.get_by_label("What was done?").fill("Ruth visited; GP called back the same day.")
    coordinator.get_by_role("button", name="Close the task").click()
    expect(coordinator.locator("#count-open")).to_have_text("0")
    assert_accessible(coordinator)

    # 6. The outcome shows on the initiative, as aggregates only.
    coordinator.goto(f"{base_url}/initiatives/{initiative.pk}/")
    panel = coordinator.locator("section[aria-labelledby=checkins-outcomes]")
    expect(panel).to_contain_text("Visits delivered")
    expect(panel).to_contain_text("Concerns raised")
    expect(panel).not_to_contain_text("Edith")
    assert_accessible(coordinator)


def test_it_keeps_every_coordinator_page_accessible(
    page_factory: Any, base_url: str, world: Any
) -> None:
    import uuid as uuid_module

    from tests.checkins.conftest import make_resident, send_surveys
    from whatworks.checkins import services

    scheme = make_scheme(world)
    round_ = make_round(scheme, world["frontline"])
    resident = make_resident(round_)
    visit, _ = services.visit_record(
        round_=round_,
        worker=world["frontline"],
        client_uuid=uuid_module.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome="concern",
    )
    escalation = visit.escalation_set.get()
    question = scheme.modules.get(name="Every visit").questions.get(code="need_anything")
    module = scheme.modules.get(name="Diabetes")
    appointment = resident.appointments.create(
        on=timezone.localdate(), what="Diabetes clinic", where="Beacon Surgery"
    )
    scheme.signposts.create(name="Tuesday lunch club", kind="event", details="Church hall, 12")
    decline = scheme.training_modules.create(name="Spotting decline", renew_after_months=12)
    decline.records.create(user=world["frontline"], completed_on=timezone.localdate())
    survey = next(iter(send_surveys(scheme).values()))
    page = page_factory(width=320, height=640)
    sign_in(page, base_url, world["officer"].email)
    page.goto(f"{base_url}/checkins/")
    _set_up_two_factor(page)
    paths = [
        "/checkins/",
        f"/checkins/schemes/{scheme.pk}/",
        f"/checkins/schemes/{scheme.pk}/residents/",
        f"/checkins/schemes/{scheme.pk}/people/",
        f"/checkins/schemes/{scheme.pk}/rules/",
        f"/checkins/schemes/{scheme.pk}/rules/new/",
        f"/checkins/schemes/{scheme.pk}/questions/new/",
        f"/checkins/schemes/{scheme.pk}/retention/",
        f"/checkins/questions/{question.pk}/",
        f"/checkins/questions/{question.pk}/remove/",
        f"/checkins/question-sets/{module.pk}/",
        f"/checkins/question-sets/{module.pk}/remove/",
        f"/checkins/schemes/{scheme.pk}/rounds/new/",
        f"/checkins/schemes/{scheme.pk}/agreements/new/",
        f"/checkins/schemes/{scheme.pk}/signposts/",
        f"/checkins/schemes/{scheme.pk}/training/",
        f"/checkins/schemes/{scheme.pk}/funding/",
        f"/checkins/schemes/{scheme.pk}/peace-of-mind/",
        f"/checkins/residents/{resident.pk}/payer/",
        f"/checkins/residents/{resident.pk}/signposting/new/",
        f"/checkins/rounds/{round_.pk}/cover/new/",
        f"/checkins/rounds/{round_.pk}/visits/new/{resident.pk}/",
        f"/checkins/residents/{resident.pk}/",
        f"/checkins/residents/{resident.pk}/print/",
        f"/checkins/residents/{resident.pk}/pause/",
        f"/checkins/residents/{resident.pk}/round/",
        f"/checkins/residents/{resident.pk}/appointments/new/",
        f"/checkins/appointments/{appointment.pk}/attendance/",
        f"/checkins/residents/{resident.pk}/erase/",
        f"/checkins/escalations/{escalation.pk}/",
        *[
            f"/checkins/refer/{scheme.referral_token}/{step}"
            for step in ["", "referrer/", "person/", "consent/", "contact/", "health/"]
        ],
        # A nominated contact's survey.
        f"/checkins/peace-of-mind/{survey}/",
        f"/checkins/peace-of-mind/{survey}/stop/",
    ]
    for path in paths:
        page.goto(base_url + path)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
        assert_no_horizontal_scroll(page, 320)
    # Forms with errors: the summary names the field and links to it.
    page.goto(f"{base_url}/checkins/peace-of-mind/{survey}/")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select how much peace of mind the visits give you"
    )
    assert_accessible(page)
    page.goto(f"{base_url}/checkins/schemes/{scheme.pk}/agreements/new/")
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the lawful basis")
    assert_accessible(page)
    page.goto(f"{base_url}/checkins/schemes/{scheme.pk}/people/")
    page.get_by_role("button", name="Add the role").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their email address")
    assert_accessible(page)
    page.goto(f"{base_url}/checkins/residents/{resident.pk}/round/")
    for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]:
        page.get_by_label(day).check()
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select between 1 and 6")
    assert_accessible(page)
    page.goto(f"{base_url}/checkins/residents/{resident.pk}/appointments/new/")
    page.get_by_role("button", name="Add the appointment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what the appointment is")
    assert_accessible(page)
    page.goto(f"{base_url}/checkins/appointments/{appointment.pk}/attendance/")
    page.get_by_role("button", name="Record attendance").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether they went")
    assert_accessible(page)
    page.goto(f"{base_url}/checkins/questions/{question.pk}/")
    page.get_by_label("Question", exact=True).fill("")
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the question")
    assert_accessible(page)
    assert_no_console_errors(page)
    # Last, as its 404 is a console error: a survey link that no longer works says so.
    page.goto(f"{base_url}/checkins/peace-of-mind/an-old-link/")
    expect(page.locator("h1")).to_have_text("This link no longer works")
    assert_accessible(page)
    assert_no_horizontal_scroll(page, 320)


SAVED_LIST = """async (path) => {
  const cache = await caches.open("checkins-lists-v1");
  return !!(await cache.match(location.origin + path));
}"""


def _wait_until_saved(page: Any, path: str) -> None:
    """Until the service worker has kept the list (it fetches it once, in the background)."""
    for _ in range(100):
        if page.evaluate(SAVED_LIST, path):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the list was not kept on the phone")


def test_an_emergency_recorded_without_signal_reaches_the_coordinator(
    page_factory: Any, base_url: str, world: Any
) -> None:
    from tests.checkins.conftest import make_resident
    from whatworks.checkins.models import Scheme

    scheme = make_scheme(world)
    Scheme.objects.filter(pk=scheme.pk).update(alert_mobile="+447912345679")
    round_ = make_round(scheme, world["frontline"])
    resident = make_resident(round_)
    list_path = f"/checkins/rounds/{round_.pk}/today/"

    # The worker opens today's list once with signal: the phone keeps it.
    worker = page_factory(width=390, height=844)
    sign_in(worker, base_url, world["frontline"].email)
    worker.goto(base_url + list_path)
    _set_up_two_factor(worker)
    expect(worker.get_by_role("heading", name="1. Edith Marsh")).to_be_visible()
    _wait_until_saved(worker, list_path)

    # No signal: the list opens again after a reload, from the phone.
    worker.context.set_offline(True)
    response = worker.reload()
    assert response is not None and response.from_service_worker
    expect(worker.get_by_role("heading", name="1. Edith Marsh")).to_be_visible()
    expect(worker.locator("#checkins-sync")).to_contain_text("No connection")
    worker.get_by_text("Record the visit to Edith").click()
    expect(worker.get_by_label("Reason, if not visited")).to_be_hidden()
    worker.get_by_label("In danger now: an emergency").check()
    guidance = worker.locator(f"#visit-{resident.pk} [data-emergency-guidance]").first
    expect(guidance).to_be_visible()
    expect(guidance).to_contain_text("call 999")
    expect(guidance).to_contain_text("call 111")
    expect(guidance).to_contain_text("Ruth Marsh (daughter)")
    worker.screenshot(path="/work/notes/shots/i16/emergency-offline-390.png", full_page=True)
    assert_accessible(worker)
    assert_no_horizontal_scroll(worker, 390)
    worker.get_by_label("I called 999").check()
    worker.get_by_label("Note").fill("Fell yesterday, looks pale, daughter not answering.")
    worker.get_by_role("button", name="Save the visit to Edith").click()
    expect(worker.locator(f"#visit-{resident.pk}")).to_contain_text("Saved on this phone")
    expect(worker.locator(f"#visit-{resident.pk}")).to_contain_text("call 999")  # still shown
    expect(worker.locator("#checkins-sync")).to_contain_text("1 visit waits to send")
    assert _queued(worker) == 1 and Visit.objects.count() == 0

    # Signal again: the visit is sent, and the coordinator is texted.
    worker.context.set_offline(False)
    expect(worker.locator(f"#visit-{resident.pk}")).to_contain_text("Recorded")
    expect(worker.locator("#checkins-sync")).to_contain_text("All visits are sent")
    assert _queued(worker) == 0
    text = Message.objects.get(template="checkins_emergency")
    assert text.channel == "sms" and text.recipient == "+447912345679"
    task = Escalation.objects.get(urgency="emergency")
    assert task.worker_actions == ["called_999"]

    # The coordinator's task shows "Emergency".
    coordinator = page_factory(width=1280, height=900)
    sign_in(coordinator, base_url, world["officer"].email)
    coordinator.goto(f"{base_url}/checkins/schemes/{scheme.pk}/")
    _set_up_two_factor(coordinator)
    expect(coordinator.locator("#tasks + div")).to_contain_text("Emergency")
    coordinator.get_by_role("link", name=task.summary).click()
    expect(coordinator.locator("[data-urgency]")).to_have_text("Emergency")
    expect(coordinator.locator(".govuk-warning-text")).to_contain_text("I called 999")
    assert_accessible(coordinator)
    coordinator.screenshot(path="/work/notes/shots/i16/emergency-task-1280.png", full_page=True)

    # Signing out leaves nothing on the phone.
    menu = worker.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    worker.get_by_role("button", name="Sign out").click()
    worker.wait_for_function(
        "() => caches.keys().then((keys) => !keys.some((k) => k.startsWith('checkins')))"
    )


def test_a_coordinator_pauses_visits_typing_the_dates_into_three_boxes(
    page_factory: Any, base_url: str, world: Any
) -> None:
    import os
    from datetime import timedelta
    from pathlib import Path

    from tests.checkins.conftest import make_resident
    from whatworks.checkins.models import Pause

    from .browser import WIDTHS

    resident = make_resident(make_round(make_scheme(world), world["frontline"]))
    until = timezone.localdate() + timedelta(days=14)
    page = page_factory(width=WIDTHS[0], height=900)
    sign_in(page, base_url, world["officer"].email)
    page.goto(f"{base_url}/checkins/")
    _set_up_two_factor(page)
    for width in WIDTHS:
        Pause.objects.all().delete()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base_url}/checkins/residents/{resident.pk}/pause/")
        # A month left out is named, and the box it belongs to is linked.
        start = page.get_by_role("group", name=re.compile("Date to pause from"))
        start.get_by_label("Day").fill("3")
        start.get_by_label("Year").fill(str(until.year))
        page.get_by_label("Reason").fill("In hospital")
        page.get_by_role("button", name="Pause visits").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Date to pause from must include a month")
        assert_accessible(page)
        assert_no_horizontal_scroll(page, width)
        if shots := os.environ.get("SHOTS_DIR"):
            page.screenshot(path=str(Path(shots) / f"checkins-pause-error-{width}.png"),
                            full_page=True)  # fmt: skip
        # With the keyboard: each box, then the next.
        start = page.get_by_role("group", name=re.compile("Date to pause from"))
        start.get_by_label("Day").fill(str(timezone.localdate().day))
        start.get_by_label("Day").press("Tab")
        page.keyboard.type(str(timezone.localdate().month))
        page.keyboard.press("Tab")
        page.keyboard.press("Control+a")
        page.keyboard.type(str(timezone.localdate().year))
        end = page.get_by_role("group", name=re.compile("Date to pause until"))
        end.get_by_label("Day").fill(str(until.day))
        end.get_by_label("Month").fill(str(until.month))
        end.get_by_label("Year").fill(str(until.year))
        page.get_by_role("button", name="Pause visits").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Visits are paused")
        pause = Pause.objects.get()
        assert (pause.start_date, pause.end_date) == (timezone.localdate(), until)
