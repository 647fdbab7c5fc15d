"""Councils, partner organisations, people, memberships, invitations and API keys."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from whatworks.core.visibility import Shareable, VisibleQuerySet


class LocalAuthority(models.Model):
    """A UK local authority from the mySociety register (reference data, CC-BY-4.0)."""

    code = models.CharField("register code", max_length=10, unique=True)
    # Null for the pre-2015 Northern Ireland councils, which never had a GSS code.
    gss_code = models.CharField("ONS GSS code", max_length=9, unique=True, null=True, blank=True)
    official_name = models.CharField(max_length=200)
    nice_name = models.CharField(max_length=200)
    authority_type = models.CharField(max_length=10)
    authority_type_name = models.CharField(max_length=100)
    nation = models.CharField(max_length=50)
    region = models.CharField(max_length=100, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    area_km2 = models.FloatField("area (km²)", null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["nice_name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return f"{self.official_name} ({self.gss_code or self.code})"


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    NHS = "nhs", "NHS body"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue"
    OPERATOR = "operator", "Postal, transport or retail operator"
    HOUSING = "housing", "Housing provider"
    CHARITY = "charity", "Charity or community group"
    BUSINESS = "business", "Business"
    JOINT_VENTURE = "joint_venture", "Joint venture"
    OTHER = "other", "Other"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    local_authority = models.ForeignKey(
        LocalAuthority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text="For a council: its entry in the register of UK local authorities.",
    )
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority"],
                condition=Q(local_authority__isnull=False),
                name="one_organisation_per_local_authority",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation-detail", kwargs={"slug": self.slug})


class Role(models.TextChoices):
    ADMIN = "admin", "Organisation admin"
    OFFICER = "officer", "Officer"
    ANALYST = "analyst", "Analyst"
    FRONTLINE = "frontline", "Frontline worker"
    VOLUNTEER = "volunteer", "Volunteer"


class PersonQuerySet(VisibleQuerySet):
    def owned_by(self, organisation_ids: frozenset[int]) -> Q:
        # A private profile is visible to the people who share an organisation with it.
        return Q(
            pk__in=Membership.objects.filter(organisation_id__in=organisation_ids).values("user_id")
        )


class UserManager(BaseUserManager.from_queryset(PersonQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A person needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class ContactPreference(models.TextChoices):
    """Whether members may message a person through the site (the email goes through the
    outbox; the person's address is never shown). By default only collaboration champions
    accept messages: an organisation names them so that others can reach them."""

    CHAMPION = "champion", "Only while I am a collaboration champion"
    YES = "yes", "Yes"
    NO = "no", "No"


class User(Shareable, AbstractBaseUser, PermissionsMixin):
    """A person. Signs in by email; the profile's visibility decides who sees it."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    bio = models.TextField("about me", blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "site staff", default=False, help_text="Can use the Django admin and see the outbox."
    )
    is_moderator = models.BooleanField("moderator", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    contact = models.CharField(
        "can other members contact you through What Works?",
        max_length=10,
        choices=ContactPreference.choices,
        default=ContactPreference.CHAMPION,
    )
    # Kept by the forum as notifications arrive and are read, so that the header shows the
    # count with the user it already loads: no query on any page.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def get_absolute_url(self) -> str:
        return reverse("person-detail", kwargs={"pk": self.pk})

    def owner_organisation_ids(self) -> frozenset[int]:
        return frozenset(self.memberships.values_list("organisation_id", flat=True))


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"


def _hash_secret(secret: str) -> str:
    # Tokens are 256-bit random values, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An emailed, expiring, single-use invitation to join an organisation in a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_secret(token)

    @classmethod
    def find_by_token(cls, token: str) -> Invitation | None:
        return (
            cls.objects.select_related("organisation")
            .filter(token_hash=_hash_secret(token))
            .first()
        )

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiScope(models.TextChoices):
    """What a key may do. A key holds one or more; every API operation needs one of them."""

    READ = "read", "Read: see what the organisation can see"
    MEASURES_WRITE = "measures:write", "Send figures for the organisation's own metrics"
    TRIALS_WRITE = "trials:write", "Upload outcomes to the organisation's trials"
    REGISTER_WRITE = (
        "register:write",
        "Create and update the organisation's draft initiatives and record results",
    )


#: Every scope that writes; the old "read and write" keys hold all of them.
WRITE_SCOPES = (ApiScope.MEASURES_WRITE, ApiScope.TRIALS_WRITE, ApiScope.REGISTER_WRITE)


def _read_only() -> list[str]:
    return [ApiScope.READ.value]


class ApiKey(models.Model):
    """A per-organisation key for machines. Only a SHA-256 hash of the secret is stored."""

    PREFIX = "ww_"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    scopes = models.JSONField(
        default=_read_only, help_text="What the key may do: a list of scopes, such as read."
    )
    lookup = models.CharField(max_length=12, unique=True, help_text="Shown to identify the key.")
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.PREFIX}{self.lookup}…)"

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """Return (full key to show once, lookup, hash of the secret)."""
        lookup = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return f"{cls.PREFIX}{lookup}_{secret}", lookup, _hash_secret(secret)

    @classmethod
    def authenticate(cls, raw_key: str) -> ApiKey | None:
        if not raw_key.startswith(cls.PREFIX) or raw_key.count("_") < 2:
            return None
        lookup, _, secret = raw_key[len(cls.PREFIX) :].partition("_")
        key = (
            cls.objects.select_related("organisation")
            .filter(lookup=lookup, revoked_at__isnull=True, organisation__is_active=True)
            .first()
        )
        if key is None or not secrets.compare_digest(key.secret_hash, _hash_secret(secret)):
            return None
        return key

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def scope_names(self) -> list[str]:
        """The key's scopes as people read them, in the order the form lists them."""
        held = set(self.scopes or [])
        return [choice.label for choice in ApiScope if choice.value in held]


class ApiIdempotency(models.Model):
    """The first answer to a write sent with an `Idempotency-Key` header, kept for a day so a
    retry of the same request gets it again instead of writing twice."""

    LIFETIME_HOURS = 24

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "idempotency_key"], name="one_answer_per_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key[:40]} ({self.status})"


def site_url(path: str) -> str:
    """`path` as a full address: whatworks.core.links, the one helper."""
    from whatworks.core.links import absolute_url

    return absolute_url(path)


class ContactMessage(models.Model):
    """A message one member sent another through the site, kept so that the recipient can
    report it and so that limits and blocks can be enforced. The text itself is delivered
    by email through the outbox."""

    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sender_organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contact_messages")
    body = models.TextField()
    about_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reported_at = models.DateTimeField(null=True, blank=True)
    report_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sender", "recipient"], name="contact_pair")]

    def __str__(self) -> str:
        return f"Message {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"message {self.pk}"
