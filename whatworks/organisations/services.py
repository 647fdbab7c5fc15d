"""Writes for organisations and people. Each is atomic, audited, and raises on failure."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from whatworks.core import audit
from whatworks.core.messaging import message_queue
from whatworks.core.models import Channel
from whatworks.organisations.models import (
    WRITE_SCOPES,
    ApiKey,
    ApiScope,
    ContactMessage,
    Invitation,
    LocalAuthority,
    Membership,
    Organisation,
    Role,
    User,
    site_url,
)
from whatworks.organisations.names import clean_display_name


def unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    local_authority: LocalAuthority | None = None,
    description: str = "",
    website: str = "",
    actor: User | None = None,
) -> Organisation:
    organisation = Organisation.objects.create(
        name=name,
        slug=unique_slug(name),
        kind=kind,
        local_authority=local_authority,
        description=description,
        website=website,
    )
    audit.record("organisation.created", actor=actor, obj=organisation, organisation=organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: User, **fields: str) -> Organisation:
    stored = Organisation.objects.get(pk=organisation.pk)  # a ModelForm may have set them already
    changed = {k: v for k, v in fields.items() if getattr(stored, k) != v}
    for name, value in changed.items():
        setattr(organisation, name, value)
    organisation.save()
    audit.record(
        "organisation.updated",
        actor=actor,
        obj=organisation,
        organisation=organisation,
        detail={"fields": sorted(changed)},
    )
    return organisation


def _admin_count(organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, role=Role.ADMIN).count()


@transaction.atomic
def membership_add(
    *, user: User, organisation: Organisation, role: str, actor: User | None = None
) -> Membership:
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(f"{user} is already a member of {organisation}.")
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit.record(
        "membership.added",
        actor=actor,
        obj=membership,
        organisation=organisation,
        detail={"person": user.email, "role": role},
    )
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list."})
    old = membership.role
    if old == role:
        return membership
    if old == Role.ADMIN and _admin_count(membership.organisation) == 1:
        raise ValidationError(
            {"role": "This is the organisation's only admin. Make someone else an admin first."}
        )
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        "membership.role_changed",
        actor=actor,
        obj=membership,
        organisation=membership.organisation,
        detail={"person": membership.user.email, "from": old, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    if membership.role == Role.ADMIN and _admin_count(membership.organisation) == 1:
        raise ValidationError("This is the organisation's only admin and cannot be removed.")
    audit.record(
        "membership.removed",
        actor=actor,
        obj=membership,
        organisation=membership.organisation,
        detail={"person": membership.user.email, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by: User
) -> Invitation:
    """Invite someone by email: a single-use link that expires, sent through the outbox."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {organisation}."})
    if organisation.invitations.pending().filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": f"{email} already has an invitation waiting. Revoke it to send a new one."}
        )
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=invited_by,
        expires_at=timezone.now() + settings.INVITATION_VALID_FOR,
    )
    message_queue(
        channel=Channel.EMAIL,
        recipient=email,
        template="invitation",
        personalisation={
            "organisation": organisation.name,
            "role": invitation.get_role_display(),
            "invited_by": invited_by.full_name,
            "link": site_url(reverse("invitation-accept", kwargs={"token": token})),
            "expires": f"{invitation.expires_at:%d %B %Y}",
        },
    )
    audit.record(
        "invitation.sent",
        actor=invited_by,
        obj=invitation,
        organisation=organisation,
        detail={"email": email, "role": role},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    if invitation.status != "pending":
        raise ValidationError(f"This invitation is {invitation.status} and cannot be revoked.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        "invitation.revoked", actor=actor, obj=invitation, organisation=invitation.organisation
    )
    return invitation


_INVITATION_ENDED = {
    "accepted": "already been used",
    "revoked": "been withdrawn",
    "expired": "expired: ask for a new one",
}


def _display_name(name: str, user: User | None = None) -> str:
    try:
        return clean_display_name(name, user=user)
    except ValidationError as error:
        raise ValidationError({"full_name": error.messages}) from None


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
) -> Membership:
    """Accept as the signed-in `user`, or create the invited person's account."""
    # Re-read under lock so a link clicked twice cannot be used twice.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ValidationError(f"This invitation has {_INVITATION_ENDED[invitation.status]}.")
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError("You already have an account: sign in to accept the invitation.")
        user = User.objects.create_user(
            invitation.email, password, full_name=_display_name(full_name)
        )
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation is for {invitation.email}. Sign in as that person to accept it."
        )
    membership = membership_add(
        user=user, organisation=invitation.organisation, role=invitation.role, actor=user
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        "invitation.accepted", actor=user, obj=invitation, organisation=invitation.organisation
    )
    return membership


def key_scopes(scope: str | Iterable[str]) -> list[str]:
    """The scopes to store, in the order of `ApiScope`; refuses an unknown or empty choice."""
    wanted = {scope} if isinstance(scope, str) else set(scope)
    if "write" in wanted:
        wanted = (wanted - {"write"}) | {ApiScope.READ.value, *WRITE_SCOPES}
    unknown = wanted - set(ApiScope.values)
    if unknown or not wanted:
        raise ValidationError({"scope": "Select what the key can do"})
    return [value for value in ApiScope.values if value in wanted]


@transaction.atomic
def api_key_create(
    *, organisation: Organisation, name: str, scope: str | Iterable[str], actor: User
) -> tuple[ApiKey, str]:
    """Create a key holding `scope` (one scope, or several); the full secret is returned once
    and never stored. The old single choice "write" means every write scope, with read."""
    scopes = key_scopes(scope)
    raw, lookup, secret_hash = ApiKey.generate()
    key = ApiKey.objects.create(
        organisation=organisation,
        name=name,
        scopes=scopes,
        lookup=lookup,
        secret_hash=secret_hash,
        created_by=actor,
    )
    audit.record(
        "api_key.created",
        actor=actor,
        obj=key,
        organisation=organisation,
        detail={"name": name, "scopes": scopes},
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User) -> ApiKey:
    if key.revoked_at is not None:
        raise ValidationError("This key is already revoked.")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit.record("api_key.revoked", actor=actor, obj=key, organisation=key.organisation)
    return key


@transaction.atomic
def profile_update(*, user: User, actor: User, **fields: str) -> User:
    if "full_name" in fields:
        fields["full_name"] = _display_name(fields["full_name"], user=user)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    audit.record("person.profile_updated", actor=actor, obj=user, detail={"fields": sorted(fields)})
    return user


# --- Reaching people ---------------------------------------------------------------------


@transaction.atomic
def contact_send(
    *, sender: User, recipient: User, organisation: Organisation, body: str, about_path: str = ""
) -> ContactMessage:
    """Send `recipient` a message from `sender`, by email through the outbox, with the
    sender's organisation, a reply-to address and a link to report it."""
    from whatworks.organisations.contact import accepts_contact, blocked

    if recipient.pk == sender.pk:
        raise ValidationError("You cannot send a message to yourself.")
    if not accepts_contact(recipient):
        raise ValidationError(f"{recipient.full_name} does not accept messages.")
    if blocked(sender, recipient):
        raise ValidationError(f"{recipient.full_name} does not accept messages from you.")
    if not Membership.objects.filter(user=sender, organisation=organisation).exists():
        raise ValidationError({"organisation": "Choose an organisation you belong to"})
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Enter your message"})
    message = ContactMessage.objects.create(
        sender=sender,
        sender_organisation=organisation,
        recipient=recipient,
        body=body,
        about_path=about_path,
    )
    message_queue(
        channel=Channel.EMAIL,
        recipient=recipient.email,
        template="contact_message",
        personalisation={
            "sender": sender.full_name,
            "sender_job_title": sender.job_title,
            "organisation": organisation.name,
            "body": body,
            "reply_to": sender.email,
            "about": site_url(about_path) if about_path else "",
            "report": site_url(reverse("contact-report", kwargs={"pk": message.pk})),
            "settings": site_url(reverse("profile-edit")),
        },
        about=f"organisations.user:{recipient.pk}",
        personal=True,
    )
    audit.record(
        "person.contacted",
        actor=sender,
        obj=message,
        organisation=organisation,
        detail={"recipient": recipient.pk},
    )
    return message


@transaction.atomic
def contact_report(*, message: ContactMessage, actor: User, reason: str) -> ContactMessage:
    """The recipient reports a message: moderators are told, and the sender can no longer
    write to them."""
    if message.recipient_id != actor.pk:
        raise ValidationError("Only the person a message was sent to can report it.")
    if message.reported_at is not None:
        raise ValidationError("You have already reported this message.")
    message.reported_at = timezone.now()
    message.report_reason = reason.strip()
    message.save(update_fields=["reported_at", "report_reason"])
    for moderator in User.objects.filter(is_moderator=True, is_active=True):
        message_queue(
            channel=Channel.EMAIL,
            recipient=moderator.email,
            template="contact_reported",
            personalisation={
                "reference": f"message {message.pk}",
                "sender": message.sender.full_name,
                "sender_link": site_url(message.sender.get_absolute_url()),
                "reason": message.report_reason,
                "body": message.body,
            },
            personal=True,
        )
    audit.record("person.contact_reported", actor=actor, obj=message)
    return message
