"""A staff ideas campaign in real browsers, end to end.

An organiser sets up a campaign with a data pack, a join code and an independent
facilitator; a member of staff puts an idea forward anonymously; someone from the depot
with no account joins with the code, puts an idea forward and votes; the facilitator
watches the live view update, scores and decides; the adopted idea appears in the
register and on "You said, we did". Every page visited is checked with axe-core.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import UserFactory
from whatworks.ideas.models import Idea, IdeaStatus, JoinCode
from whatworks.measures import services as measures

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll
from .test_journeys import sign_in

SPEND = [81000, 79500, 80200, 78100, 77000, 79300, 84400, 92100, 97800, 95000, 88200, 83000]


def _spend_metric(world: Any) -> Any:
    metric = measures.metric_create(
        organisation=world.org_a,
        actor=world["analyst"],
        name="Waste collection spend by month",
        kind="count",
        unit="£",
        direction="lower",
        definition="Spend on refuse and recycling collection, booked by month.",
        visibility="private",
    )
    return metric


def _spend_csv() -> bytes:
    lines = ["period_start,label,value"]
    for month, value in enumerate(SPEND):
        year, number = 2016 + (month + 3) // 12, (month + 3) % 12 + 1
        lines.append(f"{year}-{number:02d}-01,{year}-{number:02d},{value}")
    return ("\n".join(lines) + "\n").encode()


def _visit(page: Any) -> None:
    assert_accessible(page)
    assert_no_console_errors(page)


def _advance(organiser: Any, phase: str) -> None:
    """Move the campaign on, through the confirmation page."""
    organiser.get_by_role("button", name="Move on to the next phase").click()
    expect(organiser.get_by_role("heading", level=1)).to_contain_text(f"'{phase}'?")
    _visit(organiser)
    organiser.get_by_role("button", name=f"Move on to '{phase}'").click()
    expect(organiser.locator(".govuk-notification-banner")).to_contain_text(phase)


def test_it_runs_a_campaign_from_data_pack_to_the_register(
    page_factory: Any, base_url: str, world: Any
) -> None:
    _spend_metric(world)
    facilitator = UserFactory(full_name="Fran Independent", email="fran@facilitate.example")
    today = timezone.localdate()

    # --- The organiser sets up the campaign ------------------------------------------------
    organiser = page_factory()
    sign_in(organiser, base_url, world["analyst"].email)
    organiser.goto(base_url + "/ideas/")
    _visit(organiser)
    organiser.get_by_role("link", name="Start a campaign").click()
    _visit(organiser)
    organiser.get_by_role("button", name="Start the campaign").click()  # empty: errors first
    expect(organiser.locator(".govuk-error-summary")).to_contain_text("Enter a title")
    _visit(organiser)
    organiser.get_by_label("Title").fill("Bins big idea day")
    organiser.get_by_label("Brief").fill("Fewer missed bins for the same money.")
    organiser.get_by_label("Problem areas").fill("Missed bins\nWinter rounds")
    for legend, day in (
        ("Opening date", today - timedelta(days=1)),
        ("Closing date", today + timedelta(days=10)),
    ):
        group = organiser.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    organiser.get_by_label("One vote per idea per person").check()
    organiser.get_by_label("How many staff are invited (optional)").fill("40")
    organiser.get_by_role("button", name="Start the campaign").click()
    expect(organiser.locator(".govuk-notification-banner")).to_contain_text("add its data pack")
    _visit(organiser)
    organiser.get_by_label("Metric", exact=True).select_option(
        label="Waste collection spend by month (£)"
    )
    organiser.get_by_label("Why it matters here (optional)").fill("Note the winter peak.")
    organiser.get_by_role("button", name="Add to the data pack").click()
    expect(organiser.locator(".govuk-notification-banner")).to_contain_text("is in the data pack")
    _visit(organiser)
    organiser.get_by_role("link", name="Upload figures for these metrics").click()
    _visit(organiser)
    organiser.get_by_label("Which metric are the figures for?").select_option(
        label="Waste collection spend by month (£)"
    )
    organiser.get_by_label("Upload a file").set_input_files(
        files=[{"name": "spend.csv", "mimeType": "text/csv", "buffer": _spend_csv()}]
    )
    organiser.get_by_label("Refuse the file").check()
    organiser.get_by_role("button", name="Check the file").click()
    expect(organiser.get_by_text("12 figures will be added")).to_be_visible()
    _visit(organiser)
    organiser.get_by_role("button", name="Save 12 figures").click()
    expect(organiser.locator(".govuk-notification-banner")).to_contain_text("12 figures saved")
    expect(organiser.get_by_role("heading", name="The numbers to start from")).to_be_visible()
    chart = organiser.get_by_role("img", name="Line chart of Waste collection spend by month")
    expect(chart).to_be_visible()
    # decode() rejects if the SVG could not be loaded or drawn.
    width = organiser.evaluate(
        "(async () => { const img = document.querySelector('img.app-chart');"
        " await img.decode(); return img.naturalWidth; })()"
    )
    assert width > 0
    expect(organiser.locator("table").first).to_contain_text("97,800")
    _visit(organiser)

    organiser.get_by_role("link", name="Review panel").click()
    _visit(organiser)
    organiser.get_by_label("Email address").fill(facilitator.email)
    organiser.get_by_label("Independent facilitator").check()
    organiser.get_by_role("button", name="Add to the panel").click()
    expect(organiser.get_by_role("cell", name="Fran Independent", exact=True)).to_be_visible()
    _visit(organiser)

    organiser.goto(base_url + "/ideas/")
    organiser.get_by_role("link", name="Bins big idea day").click()
    organiser.get_by_role("link", name="Join codes for staff without accounts").click()
    organiser.get_by_label("Where will you put it? (optional)").fill("Depot notice board")
    organiser.get_by_role("button", name="Make codes").click()
    expect(organiser.get_by_role("img", name="QR code that opens the join page")).to_be_visible()
    # The QR image loads and draws (a PNG the browser decodes, not a broken SVG).
    qr_width = organiser.evaluate(
        "(async () => { const img = document.querySelector('img.app-qr');"
        " await img.decode(); return img.naturalWidth; })()"
    )
    assert qr_width > 0
    _visit(organiser)
    code = JoinCode.objects.get()
    assert code.personal
    organiser.get_by_role("link", name="Back", exact=True).click()
    _advance(organiser, "Discuss and vote")
    campaign_url = organiser.url

    # --- A member of staff puts an idea forward anonymously ----------------------------------
    staff = page_factory()
    sign_in(staff, base_url, world["frontline"].email)
    staff.goto(campaign_url)
    _visit(staff)
    staff.get_by_role("link", name="Put forward an idea").click()
    _visit(staff)
    staff.get_by_label("Your idea in a few words").fill("Photograph bins that were not out")
    staff.get_by_label("Which process or task would it change?").fill("Missed collection reports")
    staff.get_by_label("What is the problem now?").fill("We go back for bins that were not out.")
    staff.get_by_label("What do you propose?").fill("A photo from the cab camera.")
    staff.get_by_label("Put this forward anonymously").check()
    staff.get_by_text("What “anonymous” means here").first.click()
    expect(staff.get_by_text("the key is destroyed and the codes replaced").first).to_be_visible()
    staff.get_by_role("button", name="Put it forward").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text("anonymously")
    expect(staff.get_by_text("Put forward by Anonymous (you)")).to_be_visible()
    _visit(staff)
    anonymous = Idea.objects.get(title="Photograph bins that were not out")
    assert anonymous.author_id is None and anonymous.author_name == ""

    # --- The facilitator opens the live view -------------------------------------------------
    facilitator_page = page_factory()
    sign_in(facilitator_page, base_url, facilitator.email)
    facilitator_page.goto(campaign_url + "live/")
    _visit(facilitator_page)
    expect(facilitator_page.locator("[data-live=ideas]")).to_have_text("1")

    # --- Someone from the depot joins with the code, on a phone ------------------------------
    depot = page_factory(width=320, height=640)
    depot.goto(base_url + f"/ideas/join/?code={code.code}")
    _visit(depot)
    assert_no_horizontal_scroll(depot, 320)
    depot.get_by_label("Your name (optional)").fill("Sam from the depot")
    depot.get_by_role("button", name="Join").click()
    expect(depot.locator(".govuk-notification-banner")).to_contain_text("You have joined")
    _visit(depot)
    assert_no_horizontal_scroll(depot, 320)
    depot.get_by_role("link", name="Put forward an idea").click()
    depot.get_by_label("Your idea in a few words").fill("Share gritting routes with planners")
    depot.get_by_label("Which process or task would it change?").fill("Winter round planning")
    depot.get_by_label("What is the problem now?").fill("Crews get stuck on icy side roads.")
    depot.get_by_label("What do you propose?").fill("Send the gritting plan each evening.")
    depot.get_by_role("button", name="Put it forward").click()
    expect(depot.get_by_text("Put forward by Sam from the depot (you)")).to_be_visible()
    _visit(depot)
    assert_no_horizontal_scroll(depot, 320)
    depot.get_by_role("link", name="Back to Bins big idea day").click()
    depot.get_by_role("button", name="Vote for Photograph bins that were not out").click()
    expect(depot.locator(".govuk-notification-banner")).to_contain_text("is counted")
    _visit(depot)

    # The live view has caught up without a reload.
    expect(facilitator_page.locator("[data-live=ideas]")).to_have_text("2")
    # Votes and people move in steps of five (a count that ticks could time a colleague).
    expect(facilitator_page.locator("[data-live=votes]")).to_have_text("fewer than 5")
    expect(facilitator_page.locator("#live-top")).to_contain_text("Share gritting routes")
    _visit(facilitator_page)

    # Voting twice is refused, with the reason.
    staff.goto(campaign_url)
    staff.get_by_role("button", name="Vote for Share gritting routes with planners").click()
    staff.goto(campaign_url)
    expect(staff.get_by_text("You voted for this.")).to_be_visible()

    # --- The panel decides ----------------------------------------------------------------------
    # --- The depot worker joins again in a fresh browser: the same person, no second vote ----
    again = page_factory(width=320, height=640)
    again.goto(base_url + f"/ideas/join/?code={code.code}")
    again.get_by_role("button", name="Join").click()
    expect(again.locator(".govuk-notification-banner")).to_contain_text("You have joined")
    expect(again.get_by_text("You voted for this.")).to_be_visible()
    target = Idea.objects.get(title="Photograph bins that were not out")
    assert target.votes.count() == 1
    _visit(again)

    organiser.goto(campaign_url)
    _advance(organiser, "Review")
    facilitator_page.goto(campaign_url)
    _visit(facilitator_page)
    facilitator_page.get_by_role("link", name="Photograph bins that were not out").click()
    _visit(facilitator_page)
    facilitator_page.get_by_role("link", name="Score this idea").click()
    for group, score in (("Impact", "5"), ("Effort", "2"), ("Cost", "1"), ("Risk", "2")):
        facilitator_page.get_by_role("group", name=group).get_by_label(score, exact=True).check()
    facilitator_page.get_by_label("Private note (optional)").fill("Cameras are already fitted.")
    facilitator_page.get_by_role("button", name="Save the scores").click()
    expect(facilitator_page.get_by_text("Cameras are already fitted.")).to_be_visible()
    _visit(facilitator_page)
    facilitator_page.get_by_role("link", name="Decide").click()
    facilitator_page.get_by_role("button", name="Publish the decision").click()  # no reason
    expect(facilitator_page.locator(".govuk-error-summary")).to_contain_text("Give the reason")
    _visit(facilitator_page)
    facilitator_page.get_by_label("Adopt it").check()
    facilitator_page.get_by_label("Reason").fill("Cheap to try: the cameras are already fitted.")
    facilitator_page.get_by_label("Service area of the initiative (when adopted)").select_option(
        label="Waste and recycling"
    )
    facilitator_page.get_by_role("button", name="Publish the decision").click()
    expect(facilitator_page.locator(".govuk-notification-banner")).to_contain_text("published")
    _visit(facilitator_page)
    other = Idea.objects.get(title="Share gritting routes with planners")
    facilitator_page.goto(f"{campaign_url}ideas/{other.pk}/decide/")
    facilitator_page.get_by_label("Do not take it forward").check()
    facilitator_page.get_by_label("Reason").fill("The gritting contract changes in April.")
    facilitator_page.get_by_role("button", name="Publish the decision").click()
    expect(facilitator_page.locator(".govuk-notification-banner")).to_contain_text("published")

    organiser.goto(campaign_url)
    _advance(organiser, "Decided")

    # --- You said, we did; and the register ----------------------------------------------------
    anonymous.refresh_from_db()
    assert anonymous.status == IdeaStatus.ADOPTED and anonymous.initiative is not None
    depot.goto(campaign_url + "you-said-we-did/")
    _visit(depot)
    assert_no_horizontal_scroll(depot, 320)
    expect(depot.get_by_role("table")).to_contain_text("Cheap to try")
    expect(depot.get_by_role("table")).to_contain_text("The gritting contract changes in April.")
    expect(depot.get_by_role("table")).to_contain_text("not started yet")

    organiser.goto(base_url + "/ideas/you-said-we-did/")  # every campaign of the organisation
    _visit(organiser)
    expect(organiser.get_by_role("table")).to_contain_text("Cheap to try")

    organiser.goto(base_url + anonymous.initiative.get_absolute_url())
    expect(organiser.get_by_role("heading", name="Came from a staff idea")).to_be_visible()
    _visit(organiser)
    organiser.get_by_role("link", name="“Photograph bins that were not out”").click()
    expect(organiser.get_by_text("Put forward by Anonymous")).to_be_visible()
    expect(organiser.get_by_text(world["frontline"].full_name)).to_have_count(0)
    _visit(organiser)
