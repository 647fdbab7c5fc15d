"""Setting up a campaign: its form, its data pack (with uploads), its panel and codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from whatworks.ideas import services
from whatworks.ideas.models import Campaign, DataPackItem, JoinCode
from whatworks.measures import services as measures
from whatworks.measures.models import Observation, StagedImport

pytestmark = pytest.mark.django_db


def _metric(world, name="Collections spend", visibility="private"):
    return measures.metric_create(
        organisation=world.org_a,
        actor=world["analyst"],
        name=name,
        kind="count",
        unit="£",
        direction="lower",
        definition="Spend on waste collection, by month",
        visibility=visibility,
    )


def _date(name: str, day: int, month: int, year: int) -> dict[str, str]:
    """A date as the GOV.UK date input posts it: three boxes."""
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def test_it_starts_a_campaign_and_refuses_dates_in_the_wrong_order(world, client_for):
    client = client_for(world["officer"])
    url = reverse("ideas-campaign-new")
    data = {
        "title": "Bins day",
        "brief": "Fewer missed bins",
        **_date("opens_on", 10, 12, 2026),
        **_date("closes_on", 1, 12, 2026),
        "vote_mode": "one_each",
        "dot_budget": 5,
    }
    response = client.post(url, data)
    assert "The closing date must be on or after the opening date" in response.content.decode()
    assert not Campaign.objects.exists()
    response = client.post(url, {**data, **_date("closes_on", 20, 12, 2026)})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.organisation == world.org_a
    assert (campaign.opens_on.isoformat(), campaign.closes_on.isoformat()) == (
        "2026-12-10",
        "2026-12-20",
    )
    assert campaign.phase == "submit" and campaign.phase_changes.count() == 1


def test_it_shows_the_data_pack_as_charts_with_tables(world, client_for, campaign):
    metric = _metric(world)
    for month, value in ((4, 81000), (5, 79500), (6, 90250)):
        measures.observation_record(
            metric=metric,
            period_start=f"2016-{month:02d}-01",
            value=value,
            label=f"2016-{month:02d}",
        )
    item = services.pack_add(campaign=campaign, metric=metric, note="Spend", actor=world["analyst"])
    page = client_for(world["frontline"]).get(campaign.get_absolute_url()).content.decode()
    assert "The numbers to start from" in page
    assert "90,250" in page and "<caption" in page
    chart = reverse("ideas-pack-chart", kwargs={"pk": campaign.pk, "item_id": item.pk})
    assert chart in page
    # The frontline worker cannot open the private metric itself, but can see its chart here.
    assert client_for(world["frontline"]).get(chart)["Content-Type"] == "image/svg+xml"
    assert client_for(world["outsider"]).get(chart).status_code == 404


def test_it_refuses_adding_the_same_metric_twice(world, client_for, campaign):
    metric = _metric(world)
    url = reverse("ideas-pack", kwargs={"pk": campaign.pk})
    client = client_for(world["analyst"])
    assert client.post(url, {"metric": metric.pk}).status_code == 302
    response = client.post(url, {"metric": metric.pk})
    assert "govuk-error-summary" in response.content.decode()
    assert DataPackItem.objects.count() == 1


def test_it_uploads_spend_figures_for_the_pack_through_the_checked_import(
    world, client_for, campaign
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    metric = _metric(world)
    services.pack_add(campaign=campaign, metric=metric, note="", actor=world["analyst"])
    url = reverse("ideas-pack-upload", kwargs={"pk": campaign.pk})
    client = client_for(world["analyst"])
    bad = SimpleUploadedFile("spend.csv", b"\x00\x01not a table", content_type="text/csv")
    response = client.post(url, {"metric": metric.pk, "file": bad, "on_duplicate": "refuse"})
    assert "govuk-error-summary" in response.content.decode()
    assert not StagedImport.objects.exists()
    wrong = b"period_start,label,value\n2016-04-01,April,81000\n2016-05-01,May,forty\n"
    upload = SimpleUploadedFile("spend.csv", wrong)
    response = client.post(url, {"metric": metric.pk, "file": upload, "on_duplicate": "refuse"})
    staged = StagedImport.objects.get()
    preview_url = reverse(
        "ideas-pack-upload-preview", kwargs={"pk": campaign.pk, "token": staged.pk}
    )
    assert response.status_code == 302 and response["Location"] == preview_url
    preview = client.get(preview_url).content.decode()
    assert "Row 3, column &#x27;value&#x27;" in preview  # the problem, named by row and column
    save = reverse("ideas-pack-upload-confirm", kwargs={"pk": campaign.pk, "token": staged.pk})
    assert client.post(save).status_code == 302
    assert not Observation.objects.exists()  # refused: nothing half-written
    # Someone else on the campaign cannot see another person's upload.
    assert client_for(world["admin"]).get(preview_url).status_code == 404

    fixed = SimpleUploadedFile("spend.csv", wrong.replace(b"forty", b"40000"))
    client = client_for(world["analyst"])
    client.post(url, {"metric": metric.pk, "file": fixed, "on_duplicate": "refuse"})
    staged = StagedImport.objects.latest("created_at")
    save = reverse("ideas-pack-upload-confirm", kwargs={"pk": campaign.pk, "token": staged.pk})
    response = client.post(save)
    assert response["Location"] == campaign.get_absolute_url()
    assert Observation.objects.filter(metric=metric).count() == 2


def test_it_previews_a_pack_upload_like_any_import_with_the_duplicate_choice(
    world, client_for, campaign
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    metric = _metric(world)
    services.pack_add(campaign=campaign, metric=metric, note="", actor=world["analyst"])
    client = client_for(world["analyst"])
    upload = SimpleUploadedFile("spend.csv", b"period_start,value\n2016-04-01,81000\n")
    url = reverse("ideas-pack-upload", kwargs={"pk": campaign.pk})
    client.post(url, {"metric": metric.pk, "file": upload, "on_duplicate": "refuse"})
    staged = StagedImport.objects.get()
    preview_url = reverse(
        "ideas-pack-upload-preview", kwargs={"pk": campaign.pk, "token": staged.pk}
    )
    preview = client.get(preview_url).content.decode()
    for text in ("Numerator", "Denominator", "on_duplicate", "for the data pack of"):
        assert text in preview, text
    response = client.post(preview_url, {"on_duplicate": "replace"})
    assert response.status_code == 302 and response["Location"] == preview_url
    staged.refresh_from_db()
    assert staged.on_duplicate == "replace"


def test_it_adds_an_external_person_to_the_panel_by_email(world, client_for, campaign):
    from tests.factories import UserFactory

    outsider = UserFactory(email="fran@independent.example")
    url = reverse("ideas-panel", kwargs={"pk": campaign.pk})
    client = client_for(world["admin"])
    response = client.post(url, {"email": "nobody@example.org", "role": "facilitator"})
    assert "No one with that email address has an account" in response.content.decode()
    response = client.post(url, {"email": "FRAN@independent.example", "role": "facilitator"})
    assert response.status_code == 302
    assert campaign.panel.get().user == outsider


def test_it_makes_and_withdraws_join_codes_with_a_qr_code(world, client_for, campaign):
    client = client_for(world["officer"])
    url = reverse("ideas-codes", kwargs={"pk": campaign.pk})
    assert client.post(url, {"kind": "poster", "label": "Depot board"}).status_code == 302
    code = JoinCode.objects.get()
    assert not code.personal
    page = client.get(url).content.decode()
    assert code.formatted in page and f"?code={code.code}" in page
    qr = client.get(reverse("ideas-code-qr", kwargs={"pk": campaign.pk, "code_id": code.pk}))
    assert qr["Content-Type"] == "image/png" and qr.content.startswith(b"\x89PNG")
    withdraw = reverse("ideas-code-withdraw", kwargs={"pk": campaign.pk, "code_id": code.pk})
    assert client.post(withdraw).status_code == 302
    code.refresh_from_db()
    assert code.withdrawn_at is not None
    assert code.refusal() == "This code has been withdrawn."


def test_it_lists_my_organisations_campaigns_on_the_landing_page(world, client_for, campaign):
    page = client_for(world["volunteer"]).get(reverse("ideas-home")).content.decode()
    assert campaign.title in page and "Start a campaign" not in page
    page = client_for(world["outsider"]).get(reverse("ideas-home")).content.decode()
    assert campaign.title not in page and "Start a campaign" in page
    assert "Enter a join code" in client_for(None).get(reverse("ideas-home")).content.decode()
