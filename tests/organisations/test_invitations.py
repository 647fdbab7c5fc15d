from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from whatworks.core.models import AuditEvent, Message
from whatworks.organisations import services
from whatworks.organisations.models import Invitation, Membership, Role, User


def _invite(world, email="new.person@example.org", role=Role.ANALYST):
    return services.invitation_create(
        organisation=world.org_a, email=email, role=role, invited_by=world["admin"]
    )


def _token_from_outbox() -> str:
    link = Message.objects.filter(template="invitation").latest("id").personalisation["link"]
    return link.rstrip("/").rsplit("/", 1)[1]


def test_it_sends_an_invitation_through_the_outbox(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world)
    message = Message.objects.get(template="invitation")
    assert message.recipient == "new.person@example.org"
    assert message.status == "sent"  # outbox-only backend, task run immediately
    assert Invitation.find_by_token(_token_from_outbox()) == invitation
    # Only a hash of the token is stored.
    assert _token_from_outbox() not in invitation.token_hash
    assert AuditEvent.objects.filter(action="invitation.sent", organisation=world.org_a).exists()


def test_it_creates_the_account_and_membership_on_accepting(world, client):
    _invite(world)
    token = _token_from_outbox()
    response = client.post(
        f"/invitations/{token}/",
        {"full_name": "New Person", "password": "a long unusual passphrase"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert Membership.objects.get(user=user, organisation=world.org_a).role == Role.ANALYST
    assert user.check_password("a long unusual passphrase")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_it_refuses_a_used_link(world, client):
    _invite(world)
    token = _token_from_outbox()
    client.post(
        f"/invitations/{token}/", {"full_name": "A", "password": "a long unusual passphrase"}
    )
    client.logout()
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_it_refuses_an_expired_link(world, client):
    invitation = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(f"/invitations/{_token_from_outbox()}/").status_code == 410
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, full_name="A", password="x" * 12)


def test_it_refuses_a_wrong_token(world, client):
    assert client.get("/invitations/not-a-real-token/").status_code == 404


def test_it_names_the_field_when_the_password_is_weak(world, client):
    _invite(world)
    response = client.post(
        f"/invitations/{_token_from_outbox()}/", {"full_name": "", "password": "password"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_full_name"' in body and 'href="#id_password"' in body
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_it_lets_a_signed_in_invitee_accept_but_not_someone_else(world, client_for):
    _invite(world, email=world["outsider"].email)
    token = _token_from_outbox()
    wrong = client_for(world["officer"]).post(f"/invitations/{token}/")
    assert wrong.status_code == 200 and "Sign in as that person" in wrong.content.decode()
    right = client_for(world["outsider"]).post(f"/invitations/{token}/")
    assert right.status_code == 302
    assert world["outsider"].memberships.filter(organisation=world.org_a).exists()


def test_it_refuses_to_invite_a_member_or_twice(world):
    with pytest.raises(ValidationError, match="already a member"):
        _invite(world, email=world["officer"].email.upper())
    _invite(world)
    with pytest.raises(ValidationError, match="already has an invitation"):
        _invite(world)


def test_it_revokes_an_invitation(world, client_for):
    invitation = _invite(world)
    client_for(world["admin"]).post(
        f"/organisations/wealden/manage/invitations/{invitation.pk}/revoke/"
    )
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_it_shows_errors_for_a_bad_invitation_form(world, client_for):
    response = client_for(world["admin"]).post(
        "/organisations/wealden/manage/invitations/new/", {"email": "not-an-email", "role": "king"}
    )
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert "Select a valid choice" in body
    assert not Invitation.objects.exists()


def test_it_cannot_revoke_another_organisations_invitation(world, client_for):
    invitation = services.invitation_create(
        organisation=world.org_b,
        email="x@example.org",
        role=Role.OFFICER,
        invited_by=world["outsider"],
    )
    response = client_for(world["admin"]).post(
        f"/organisations/wealden/manage/invitations/{invitation.pk}/revoke/"
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"
