import pytest
from django.core.exceptions import ValidationError

from whatworks.core.models import AuditEvent
from whatworks.organisations import services
from whatworks.organisations.models import ApiKey, Membership, Role


def test_it_changes_a_role_and_audits_it(world, client_for):
    membership = Membership.objects.get(user=world["officer"])
    response = client_for(world["admin"]).post(
        f"/organisations/wealden/manage/members/{membership.pk}/role/", {"role": Role.ANALYST}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ANALYST
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.detail == {"person": world["officer"].email, "from": "officer", "to": "analyst"}
    assert event.actor == world["admin"] and event.organisation == world.org_a


def test_it_keeps_at_least_one_admin(world, client_for):
    membership = Membership.objects.get(user=world["admin"])
    response = client_for(world["admin"]).post(
        f"/organisations/wealden/manage/members/{membership.pk}/role/", {"role": Role.OFFICER}
    )
    assert response.status_code == 200
    assert "only admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, actor=world["admin"])


def test_it_cannot_reach_another_organisations_member(world, client_for):
    theirs = Membership.objects.get(user=world["outsider"])
    response = client_for(world["admin"]).post(
        f"/organisations/wealden/manage/members/{theirs.pk}/role/", {"role": Role.VOLUNTEER}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.ADMIN


def test_it_removes_a_member(world, client_for):
    membership = Membership.objects.get(user=world["volunteer"])
    client_for(world["admin"]).post(
        f"/organisations/wealden/manage/members/{membership.pk}/remove/"
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.removed").exists()


def test_it_shows_an_api_key_once_and_stores_only_its_hash(world, client_for):
    client = client_for(world["admin"])
    response = client.post(
        "/organisations/wealden/manage/api-keys/new/", {"name": "Importer", "scope": "read"}
    )
    raw = response.context["raw_key"]
    assert raw in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    key = ApiKey.objects.get()
    assert raw.split("_", 2)[2] not in key.secret_hash
    assert raw not in client.get("/organisations/wealden/manage/").content.decode()
    assert ApiKey.authenticate(raw) == key
    assert ApiKey.authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None


def test_it_authenticates_the_api_with_a_key_and_records_last_use(world, client):
    key, raw = services.api_key_create(
        organisation=world.org_a, name="Importer", scope="read", actor=world["admin"]
    )
    world["volunteer"].visibility = "private"
    world["volunteer"].save()
    response = client.get(
        f"/api/people/{world['volunteer'].pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200  # the key acts as a member of its organisation
    key.refresh_from_db()
    assert key.last_used_at is not None
    services.api_key_revoke(key=key, actor=world["admin"])
    response = client.get("/api/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # A revoked key is not a credential; the request continues as anonymous.
    assert response.status_code == 200
    response = client.get(
        f"/api/people/{world['volunteer'].pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 404


def test_it_lets_an_admin_edit_the_organisation_details(world, client_for):
    response = client_for(world["admin"]).post(
        "/organisations/wealden/manage/details/",
        {"description": "Rent letters trial", "website": "javascript:alert(1)"},
    )
    assert "Enter a valid URL" in response.content.decode()
    response = client_for(world["admin"]).post(
        "/organisations/wealden/manage/details/",
        {"description": "Rent letters trial", "website": "https://www.wealden.gov.uk"},
    )
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.website == "https://www.wealden.gov.uk"
