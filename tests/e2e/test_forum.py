"""The forum in a real browser: a peer's question on another council's failed initiative,
answered by the owner and carried in the peer's digest; a private group's thread that a
non-member cannot reach. Every page visited is checked with axe-core."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.forum.helpers import failed_initiative, group_board, make_group, public_thread
from whatworks.core.models import Message
from whatworks.forum import notifications
from whatworks.forum.models import Thread

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll
from .test_journeys import sign_in


def test_it_answers_a_peers_question_and_the_digest_carries_it(
    page: Any, page_factory: Any, base_url: str, world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.FORUM_ATTACHMENTS_DIR = tmp_path
    initiative = failed_initiative(world)
    peer = world["outsider"]  # an admin of another council
    sign_in(page, base_url, peer.email)
    page.goto(f"{base_url}/initiatives/{initiative.pk}/")
    expect(page.get_by_role("heading", name="Questions on this record")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ask a question on this record").click()
    assert_accessible(page)
    page.get_by_role("button", name="Ask the question").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Which part of the record is your question about?").select_option(
        label="The baseline of “Tenants in arrears”"
    )
    page.get_by_label("Your question in one line").fill("How was the baseline measured?")
    page.get_by_label("More detail").fill("Was it **one month**, or a yearly average?")
    page.get_by_role("button", name="Ask the question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The owner has been told")
    expect(page.get_by_role("heading", name="How was the baseline measured?")).to_be_visible()
    assert_accessible(page)

    owner = page_factory()
    sign_in(owner, base_url, world["officer"].email)
    owner.goto(f"{base_url}/forum/notifications/")
    assert_accessible(owner)
    owner.get_by_role("link", name="asked about the baseline").click()
    assert_accessible(owner)
    owner.get_by_label("Your message").fill("A yearly average, from the rent system.")
    owner.get_by_role("button", name="Post the reply").click()
    expect(owner.locator(".govuk-notification-banner")).to_contain_text("Your reply is posted")
    expect(owner.get_by_text("Answer for Wealden District Council")).to_be_visible()
    assert_accessible(owner)

    page.reload()
    page.get_by_role("button", name="Accept this answer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("accepted")
    expect(page.get_by_text("Accepted answer")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base_url}/initiatives/{initiative.pk}/")
    expect(page.locator("#questions ~ p").first).to_contain_text("0 open questions")
    assert_no_console_errors(page)

    notifications.digests_send("daily")
    digest = Message.objects.get(template="forum_digest", recipient=peer.email)
    assert any(
        "Wealden District Council answered your question" in item["text"]
        for item in digest.personalisation["items"]
    )
    # The digest's one-click unsubscribe works without signing in.
    link = digest.personalisation["unsubscribe"]
    stranger = page_factory(width=320, height=640)
    stranger.goto(base_url + "/" + link.split("/", 3)[3])
    assert_accessible(stranger)
    stranger.get_by_role("button", name="Unsubscribe").click()
    expect(
        stranger.get_by_role("heading", name="You will get no more forum emails")
    ).to_be_visible()
    assert_no_horizontal_scroll(stranger, 320)
    assert_accessible(stranger)


def test_it_keeps_a_private_groups_thread_from_a_non_member(
    page: Any, page_factory: Any, base_url: str, world: Any
) -> None:
    group = make_group(world)
    public_thread(world, title="Discharge lounges that worked")
    member = world["outsider"]
    sign_in(page, base_url, member.email)
    page.goto(f"{base_url}/forum/boards/{group_board(group).slug}/")
    assert_accessible(page)
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("Discharge delays, honestly")
    page.get_by_label("Your message").fill(
        "The hospital discharge figures are worse than reported."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Only members of Wealden and Lambeth care partnership")).to_be_visible()
    assert_accessible(page)
    thread = Thread.objects.get(title="Discharge delays, honestly")

    outsider = page_factory(width=320, height=640)  # A's admin: not in the group
    sign_in(outsider, base_url, world["admin"].email)
    response = outsider.goto(f"{base_url}/forum/threads/{thread.pk}/")
    assert response is not None and response.status == 404
    assert_accessible(outsider)
    for path in (
        "/forum/",
        "/forum/groups/",
        "/forum/search/?q=discharge",
        "/forum/notifications/",
    ):
        outsider.goto(base_url + path)
        expect(outsider.locator("main")).not_to_contain_text("Discharge delays")
        expect(outsider.locator("main")).not_to_contain_text("Wealden and Lambeth care partnership")
        assert_accessible(outsider)
        assert_no_horizontal_scroll(outsider, 320)
    expect(outsider.locator("main")).to_contain_text("Nothing yet")
    outsider.goto(base_url + "/forum/search/?q=discharge")
    expect(outsider.get_by_role("link", name="Discharge lounges that worked")).to_be_visible()
    api = outsider.goto(f"{base_url}/api/forum/threads/{thread.pk}")
    assert api is not None and api.status == 404
    export = outsider.request.get(f"{base_url}/forum/threads/{thread.pk}/export.json")
    assert export.status == 404


def test_it_passes_axe_on_the_other_forum_pages_by_keyboard_and_at_320px(
    page: Any, page_factory: Any, base_url: str, world: Any
) -> None:
    from whatworks.forum import services

    group = make_group(world)
    thread = public_thread(world)
    services.post_report(post=thread.posts.get(), reporter=world["admin"], reason="Check")
    services.champion_name(
        organisation=world.org_a, actor=world["admin"], person=world["officer"],
        service_areas=["housing"], note="Welfare checks",
    )  # fmt: skip
    officer = page_factory(width=320, height=640)
    sign_in(officer, base_url, world["officer"].email)
    for path in (
        "/forum/",
        "/forum/boards/housing/",
        f"/forum/threads/{thread.pk}/",
        f"/forum/posts/{thread.posts.get().pk}/edit/",
        "/forum/watching/",
        "/forum/groups/",
        f"/forum/groups/{group.slug}/",
        f"/forum/groups/{group.slug}/members/",
        "/forum/champions/",
        "/forum/search/?q=letters",
    ):
        officer.goto(base_url + path)
        assert_accessible(officer)
        assert_no_horizontal_scroll(officer, 320)
    # The reply form works from the keyboard alone.
    officer.goto(f"{base_url}/forum/threads/{thread.pk}/")
    officer.get_by_label("Your message").focus()
    officer.keyboard.type("Typed without a mouse.")
    officer.keyboard.press("Tab")  # to the file input
    officer.keyboard.press("Tab")  # to the button
    officer.keyboard.press("Enter")
    expect(officer.locator(".govuk-notification-banner")).to_contain_text("Your reply is posted")
    sign_in(page, base_url, world["moderator"].email)
    page.goto(base_url + "/forum/moderation/")
    expect(page.get_by_text("Check", exact=False).first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Hide the post").click()
    page.get_by_role("button", name="Hide the post").click()  # no reason: an error first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)
