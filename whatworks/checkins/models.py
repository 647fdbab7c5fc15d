"""Welfare checks on existing rounds (Call & Check).

A scheme is run by one organisation with named partners under a data-sharing agreement.
People hold roles in a scheme (coordinator, worker, partner viewer), not in an organisation:
a postal worker is a member of the postal operator, yet works a round of the council's scheme.
Residents are referred, accepted onto a round with set visit days, and visited; visits are
deduplicated on a UUID the worker's browser makes, so a visit sent twice is stored once.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from whatworks.core.visibility import Visibility

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def day_bit(day: date) -> int:
    """The bit of `Resident.visit_days` for this date's weekday (Monday is bit 0)."""
    return 1 << day.weekday()


def days_from_mask(mask: int) -> list[int]:
    return [i for i in range(7) if mask & (1 << i)]


def mask_from_days(days: list[int]) -> int:
    return sum(1 << int(d) for d in set(days))


def new_referral_token() -> str:
    return secrets.token_urlsafe(18)


class HealthIdentifier(models.TextChoices):
    NHS = "nhs", "NHS number"
    LOCAL = "local", "A local health identifier (such as Jersey's)"
    NONE = "none", "None"


class PracticeNaming(models.TextChoices):
    ODS = "ods", "By NHS practice code"
    OWN = "own", "From the scheme's own list (where practices have no NHS code, as in Jersey)"


class Scheme(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="checkin_schemes"
    )
    name = models.CharField(max_length=200)
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkin_schemes",
        help_text="The register record whose evidence the scheme's outcomes become.",
    )
    cost_per_visit = models.DecimalField(
        "cost per visit (£)", max_digits=8, decimal_places=2, default=Decimal("6.75")
    )
    coordinator_phone = models.CharField(max_length=30, blank=True)
    # The mobile that is texted at once when a visit is an emergency (the coordinator on
    # duty); the coordinator's phone when that is a mobile and this is empty.
    alert_mobile = models.CharField("mobile for emergency alerts", max_length=30, blank=True)
    # Which health identifier the referral asks for: a scheme outside England's NHS (Jersey,
    # Guernsey) uses its own, or none; a referral carrying another is refused.
    health_identifier = models.CharField(
        max_length=10, choices=HealthIdentifier.choices, default=HealthIdentifier.NHS
    )
    local_identifier_label = models.CharField(max_length=60, blank=True)
    gp_practices = models.CharField(
        "how GP practices are named",
        max_length=3,
        choices=PracticeNaming.choices,
        default=PracticeNaming.ODS,
    )
    referral_token = models.CharField(max_length=40, unique=True, default=new_referral_token)
    evidence_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PEERS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the coordinator started the peace-of-mind surveys of nominated contacts (None: not
    # sent). Off until chosen: the contacts did not sign up to anything themselves.
    surveys_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("checkins-scheme", kwargs={"pk": self.pk})

    @property
    def local_identifier_name(self) -> str:
        return self.local_identifier_label or "Local health identifier"


class AgreementScope(models.TextChoices):
    RECORDS = "records", "Residents' records (contact details, visits and concerns)"
    CONCERNS = "concerns", "Only residents with a concern, and the concern"


class DataSharingAgreement(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="agreements")
    parties = models.ManyToManyField("organisations.Organisation", related_name="+")
    purpose = models.TextField()
    lawful_basis = models.CharField(max_length=300)
    partner_scope = models.CharField(
        max_length=10, choices=AgreementScope.choices, default=AgreementScope.CONCERNS
    )
    start_date = models.DateField()
    review_date = models.DateField()

    class Meta:
        ordering = ["-start_date", "id"]

    def __str__(self) -> str:
        return f"Agreement for {self.scheme} from {self.start_date}"


class SchemeRoleKind(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    WORKER = "worker", "Worker (visits a round)"
    PARTNER = "partner", "Partner viewer"


class SchemeRole(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_roles"
    )
    role = models.CharField(max_length=20, choices=SchemeRoleKind.choices)
    # A partner viewer sees on behalf of one party to the agreement.
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "user", "role"], name="one_scheme_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.scheme}"


class TotpDevice(models.Model):
    """A person's authenticator app. Confirmed once they have typed a first valid code."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_totp"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last time step accepted: a code cannot be replayed within its window.
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Authenticator of {self.user}"


class RecoveryCode(models.Model):
    """A one-time code for signing in without the authenticator app (a lost phone). Only a
    keyed hash is kept; a code works once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_recovery_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Recovery code {self.pk} of {self.user_id}"


class PracticeAddress(models.Model):
    """A GP practice's email address as the coordinator checked it. Concerns are emailed
    only to these addresses, never to one a referrer typed on the public form, and the
    email names no one: it gives a reference to quote when the practice calls."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="practices")
    # Blank on a scheme whose practices come from its own list: there the name is the key.
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "ods_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "ods_code"],
                condition=~Q(ods_code=""),
                name="one_address_per_practice",
            ),
            models.UniqueConstraint(
                fields=["scheme", "name"],
                condition=Q(ods_code=""),
                name="one_listed_practice_per_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})" if self.ods_code else self.name


class RoundKind(models.TextChoices):
    POSTAL = "postal", "Postal walk"
    BUS = "bus", "Bus route"
    PHARMACY = "pharmacy", "Pharmacy delivery"
    VOLUNTEER = "volunteer", "Volunteer's area"


class Round(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RoundKind.choices, default=RoundKind.POSTAL)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkin_rounds",
    )
    work_days = models.PositiveSmallIntegerField(default=0b0111111, help_text="Weekday bits")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("checkins-round-today", kwargs={"pk": self.pk})


class Cover(models.Model):
    """A holiday or absence on a round: someone covers it, or (no one) visits are off."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="covers")
    start_date = models.DateField()
    end_date = models.DateField()
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="cover_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"Cover of {self.round_id} from {self.start_date} to {self.end_date}"


class Payer(models.TextChoices):
    """Who pays for a person's visits (the report's scheme: the States, and relatives
    privately)."""

    COUNCIL = "council", "The council or States"
    HEALTH = "health", "The health service"
    RELATIVE = "relative", "A relative or the person, privately"


class PayerRate(models.Model):
    """What one visit costs the payer, when it differs from the scheme's rate."""

    scheme = models.ForeignKey("Scheme", on_delete=models.CASCADE, related_name="rates")
    payer = models.CharField(max_length=10, choices=Payer.choices)
    cost_per_visit = models.DecimalField("cost per visit (£)", max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["payer"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "payer"], name="one_rate_per_payer")
        ]

    def __str__(self) -> str:
        return f"{self.get_payer_display()}: £{self.cost_per_visit}"


class ResidentStatus(models.TextChoices):
    REFERRED = "referred", "Referral waiting"
    CONTACTING = "contacting", "Accepted: waiting for first contact"
    ACTIVE = "active", "Visited"
    DECLINED = "declined", "Referral declined"
    CLOSED = "closed", "Visits ended"
    ERASED = "erased", "Erased on request"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "In writing"
    VERBAL = "verbal", "Spoken, to the referrer"
    PHONE = "phone", "On the phone, to the scheme"


class Resident(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="residents")
    status = models.CharField(
        max_length=20, choices=ResidentStatus.choices, default=ResidentStatus.REFERRED
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10)
    phone = models.CharField(max_length=20, blank=True)  # E.164
    nhs_number = models.CharField(max_length=10, blank=True)
    local_identifier = models.CharField(max_length=30, blank=True)
    gp_practice_ods = models.CharField("GP practice ODS code", max_length=10, blank=True)
    gp_practice_name = models.CharField(max_length=200, blank=True)
    gp_practice_email = models.EmailField(blank=True)
    # Only what today's questions need (such as "takes insulin"): never a medical history.
    health_notes = models.TextField(blank=True)
    consent_given_on = models.DateField(null=True, blank=True)
    consent_method = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)
    consent_withdrawn_on = models.DateField(null=True, blank=True)
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    visit_days = models.PositiveSmallIntegerField(default=0)  # weekday bits, Monday = 1
    visit_order = models.PositiveIntegerField(default=0)
    payer = models.CharField("who pays", max_length=10, choices=Payer.choices, blank=True)
    modules: models.ManyToManyField = models.ManyToManyField(
        "QuestionModule", blank=True, related_name="residents"
    )
    periodic_last_asked = models.DateField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["round", "status", "visit_order"]),
            models.Index(fields=["scheme", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_days__gte=0) & Q(visit_days__lt=128), name="visit_days_bits"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("checkins-resident", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        """How the audit log, tasks and messages name the person: never by name."""
        return f"resident {self.pk}"

    audit_label = reference

    @property
    def message_subject(self) -> str:
        """The outbox's `about` for messages concerning this person (erasure finds them)."""
        return f"checkins.resident:{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    @property
    def visit_day_names(self) -> list[str]:
        return [WEEKDAYS[i] for i in days_from_mask(self.visit_days)]

    @property
    def has_consent(self) -> bool:
        return self.consent_given_on is not None and self.consent_withdrawn_on is None


class RoundChange(models.Model):
    """A move to another round or other visit days, decided by the coordinator and applied
    from the next list: today's list (perhaps already on a phone, offline) stays as it was.
    Append-only: applying a change stamps `applied_at`, and the rows are the history."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="round_changes")
    from_round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_days = models.PositiveSmallIntegerField(default=0)
    to_round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    to_days = models.PositiveSmallIntegerField()
    to_order = models.PositiveIntegerField(default=0)
    effective_on = models.DateField()
    applied_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["applied_at", "effective_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_days__gt=0) & Q(to_days__lt=128), name="round_change_days_bits"
            )
        ]

    def __str__(self) -> str:
        return f"Move of {self.resident_id} to round {self.to_round_id} from {self.effective_on}"

    @property
    def to_day_names(self) -> list[str]:
        return [WEEKDAYS[i] for i in days_from_mask(self.to_days)]


class Referral(models.Model):
    class Kind(models.TextChoices):
        GP = "gp", "GP"
        NURSE = "nurse", "Nurse or health professional"
        SOCIAL_WORKER = "social_worker", "Social worker"
        CARER = "carer", "Carer"
        FAMILY = "family", "Family member or friend"
        SELF = "self", "The person themselves"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="referrals")
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="referral")
    referrer_kind = models.CharField(max_length=20, choices=Kind.choices)
    referrer_name = models.CharField(max_length=200)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=20, blank=True)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    possible_duplicate_of = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"referral {self.pk} (resident {self.resident_id})"


class NominatedContact(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    lives_locally = models.BooleanField(default=False)
    # They asked for no more peace-of-mind surveys (the link in each one).
    surveys_stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class FirstContactStatus(models.TextChoices):
    WAITING = "waiting", "Not contacted yet"
    CONTACTED = "contacted", "Contacted: not decided yet"
    AGREED = "agreed", "Agreed to visits"
    DECLINED = "declined", "Declined visits"


class FirstContact(models.Model):
    """The coordinator's task once a referral is accepted: contact the person (as the
    referrer was told), who joins the planned round only after agreeing; the baseline
    loneliness score is taken then. The placement waits here until they agree."""

    resident = models.OneToOneField(
        Resident, on_delete=models.CASCADE, related_name="first_contact"
    )
    status = models.CharField(
        max_length=10, choices=FirstContactStatus.choices, default=FirstContactStatus.WAITING
    )
    round = models.ForeignKey(Round, null=True, on_delete=models.SET_NULL, related_name="+")
    visit_days = models.PositiveSmallIntegerField(default=0)
    visit_order = models.PositiveIntegerField(default=0)
    contacted_on = models.DateField(null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"First contact with {self.resident_id}"

    @property
    def audit_label(self) -> str:
        return f"first contact (resident {self.resident_id})"

    @property
    def is_open(self) -> bool:
        return self.status in (FirstContactStatus.WAITING, FirstContactStatus.CONTACTED)


class Appointment(models.Model):
    """An appointment the worker reminds the person of (on their list from three days before),
    and afterwards whether it was attended: the scheme's own count of missed appointments."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="appointments")
    on = models.DateField()
    time = models.TimeField(null=True, blank=True)
    what = models.CharField(max_length=200)
    where = models.CharField(max_length=200, blank=True)
    # None until the coordinator records it: unknown is not the same as attended.
    attended = models.BooleanField(null=True, blank=True)
    attended_recorded_at = models.DateTimeField(null=True, blank=True)
    attended_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "time", "id"]
        indexes = [models.Index(fields=["resident", "on"])]

    def __str__(self) -> str:
        return f"{self.what} on {self.on}"

    @property
    def attendance(self) -> str:
        return {True: "Attended", False: "Missed"}.get(self.attended, "Not recorded")  # type: ignore[arg-type]


class Pause(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="pauses")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # open: until someone resumes visits
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-start_date", "id"]

    def __str__(self) -> str:
        return f"Pause from {self.start_date}: {self.reason}"


class SignpostKind(models.TextChoices):
    EVENT = "event", "A social event or group"
    SERVICE = "service", "A local service or support"


class Signpost(models.Model):
    """An event or service the coordinator keeps on the scheme's list, for workers and
    coordinators to tell people about (the report's scheme also "tells people about social
    events and local support"). Retired, not deleted: people were told about it."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="signposts")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=SignpostKind.choices)
    details = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="one_signpost_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class Signposting(models.Model):
    """That a person was told about an event or service, when, and by whom."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="signpostings")
    signpost = models.ForeignKey(Signpost, on_delete=models.PROTECT, related_name="+")
    told_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-told_on", "-id"]
        indexes = [models.Index(fields=["told_on"], name="signposting_told_on")]

    def __str__(self) -> str:
        return f"Told about {self.signpost_id} on {self.told_on}"


class PeaceOfMind(models.TextChoices):
    A_LOT = "a_lot", "A lot"
    SOME = "some", "Some"
    A_LITTLE = "a_little", "A little"
    NONE = "none", "None"


#: The answers that count as having peace of mind in the scheme's figure.
AT_EASE = [PeaceOfMind.A_LOT, PeaceOfMind.SOME]


class ContactSurvey(models.Model):
    """One peace-of-mind survey sent to a nominated contact (peace_of_mind.py). The link holds
    a random token; only its hash is kept. The contact is unlinked when they are deleted (the
    person's record erased), and the answer then says only which scheme and when."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="contact_surveys")
    contact = models.ForeignKey(
        NominatedContact, null=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_on = models.DateField()
    answer = models.CharField(max_length=10, choices=PeaceOfMind.choices, blank=True)
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["scheme", "answered_on"], name="survey_by_scheme_answered")]

    def __str__(self) -> str:
        return f"Survey {self.pk} sent on {self.sent_on}"


class TrainingModule(models.Model):
    """Training the scheme's workers must have done, such as spotting decline: a worker
    without a current record of each cannot be given a round or cover (training.py)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="training_modules")
    name = models.CharField(max_length=150)
    renew_after_months = models.PositiveSmallIntegerField(null=True, blank=True)  # None: never
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="one_training_module_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class TrainingRecord(models.Model):
    """A worker completed a module on a date; it is current until `expires_on` (if any)."""

    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # "it runs out soon", sent once
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["module", "user"], name="training_by_module_user")]

    def __str__(self) -> str:
        return f"Training {self.module_id} by {self.user_id} on {self.completed_on}"


class QuestionModule(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="modules")
    name = models.CharField(max_length=100)
    # Generic modules are asked of everyone; the others only of residents given them.
    generic = models.BooleanField(default=False)
    # 0: at every visit; otherwise at the first visit and then every this many weeks.
    every_weeks = models.PositiveSmallIntegerField(default=0)
    order = models.PositiveSmallIntegerField(default=0)
    # A set removed after its questions were answered is retired, not deleted: new visits no
    # longer ask it, and past answers keep their question.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class AnswerKind(models.TextChoices):
    YES_NO = "yes_no", "Yes or no"
    CHOICE = "choice", "One of a list"
    TEXT = "text", "Free text"


class Question(models.Model):
    module = models.ForeignKey(QuestionModule, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40, help_text="A short name rules and outcomes refer to.")
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=AnswerKind.choices)
    choices = models.JSONField(default=list, blank=True)  # for CHOICE: the options in order
    order = models.PositiveSmallIntegerField(default=0)
    # Retired rather than deleted once answered (see QuestionModule.retired_at).
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text

    def options(self) -> list[str]:
        if self.kind == AnswerKind.YES_NO:
            return ["Yes", "No"]
        return [str(c) for c in self.choices]


class Outcome(models.TextChoices):
    WELL = "well", "Seen and well"
    CONCERN = "concern", "Seen, with a concern"
    EMERGENCY = "emergency", "In danger now: an emergency"
    NO_ANSWER = "no_answer", "No answer"
    DECLINED = "declined", "Declined the visit"
    NOT_VISITED = "not_visited", "Not visited"
    # The coordinator's first contact, where the baseline (UCLA-3) is taken: not a visit on
    # a round, never on the worker's form.
    FIRST_CONTACT = "first_contact", "First contact (baseline)"


WORKER_OUTCOMES = [(v, label) for v, label in Outcome.choices if v != Outcome.FIRST_CONTACT]
# Visits where the worker saw the person: the ones delivered and paid for.
SEEN = [Outcome.WELL, Outcome.CONCERN, Outcome.EMERGENCY]  # i16: an emergency is a visit too


class Visit(models.Model):
    # Made by the worker's browser before the first attempt to send: resending is harmless.
    client_uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="visits")
    round = models.ForeignKey(Round, null=True, on_delete=models.SET_NULL, related_name="visits")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True)  # why not visited
    note = models.TextField(blank=True)
    answer_count = models.PositiveSmallIntegerField(default=0)
    # Who paid for this visit: the person's payer when it was recorded, so a later change
    # of payer does not move past visits' costs.
    payer = models.CharField(max_length=10, choices=Payer.choices, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["resident", "visited_on"]),
            models.Index(fields=["round", "visited_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.visited_on}"

    @property
    def audit_label(self) -> str:
        return f"visit {self.pk} (resident {self.resident_id})"


class Answer(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return self.value


class PlannedVisit(models.Model):
    """A visit on a day's list, generated the evening before: 'planned' for the dashboard."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resident", "on"], name="one_planned_visit_a_day")
        ]
        indexes = [models.Index(fields=["on", "round"])]

    def __str__(self) -> str:
        return f"Visit {self.position} on round {self.round_id} on {self.on}"


class Trigger(models.TextChoices):
    OUTCOME = "outcome", "A visit's outcome is"
    ANSWER = "answer", "An answer is"
    NO_ANSWER_STREAK = "no_answer_streak", "No answer on visits in a row"
    MISSED = "missed", "A planned visit was missed"


class Urgency(models.TextChoices):
    """How fast a concern needs someone: the escalation ladder (see escalations.LADDER)."""

    EMERGENCY = "emergency", "Emergency: the worker calls 999 or 111 at once"
    SAME_DAY = "same_day", "The same day"
    WITHIN_DAYS = "within_days", "Within days"


class EmergencyAction(models.TextChoices):
    """What the worker did when a visit was an emergency (recorded on the task)."""

    CALLED_999 = "called_999", "I called 999"
    CALLED_111 = "called_111", "I called 111"
    CALLED_CONTACT = "called_contact", "I called their nominated contact"


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"


class EscalationRule(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=200)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    question_code = models.SlugField(max_length=40, blank=True)
    answer_value = models.CharField(max_length=100, blank=True)
    streak = models.PositiveSmallIntegerField(default=2)
    notify_contact = models.BooleanField(default=False)
    notify_gp = models.BooleanField(default=False)
    notify_coordinator = models.BooleanField(default=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    deadline_hours = models.PositiveSmallIntegerField(default=24)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.WITHIN_DAYS)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Escalation(models.Model):
    """A coordinator's task raised by a rule; tracked until someone closes it."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="escalations")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="escalations")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL)
    rule = models.ForeignKey(EscalationRule, null=True, blank=True, on_delete=models.SET_NULL)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.WITHIN_DAYS)
    summary = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_chased_at = models.DateTimeField(null=True, blank=True)
    # When the coordinators are next reminded while the task is open (the urgency's ladder).
    next_chase_at = models.DateTimeField(null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)
    # What the worker did at an emergency (EmergencyAction values), as they recorded it.
    worker_actions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["scheme", "status", "due_at"]),
            models.Index(fields=["status", "next_chase_at"]),
        ]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return reverse("checkins-escalation", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        """What a GP practice quotes when it calls about the task."""
        return f"T-{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"task {self.pk} (resident {self.resident_id})"

    @property
    def is_overdue(self) -> bool:
        return self.status == EscalationStatus.OPEN and self.due_at < timezone.now()

    @property
    def is_emergency(self) -> bool:
        return self.urgency == Urgency.EMERGENCY

    @property
    def urgency_label(self) -> str:
        return {
            Urgency.EMERGENCY: "Emergency",
            Urgency.SAME_DAY: "Same day",
            Urgency.WITHIN_DAYS: "Within days",
        }.get(self.urgency, "")  # type: ignore[call-overload]

    @property
    def worker_action_labels(self) -> list[str]:
        labels = dict(EmergencyAction.choices)
        return [str(labels[a]) for a in self.worker_actions if a in labels]

    @property
    def age(self) -> timedelta:
        return (self.closed_at or timezone.now()) - self.created_at


class EscalationStatusChange(models.Model):
    """Append-only history of an escalation: opened, chased, closed (with a note)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=10, choices=EscalationStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.status} at {self.at}"


class RecordType(models.TextChoices):
    CLOSED_RESIDENT = "closed_resident", "Residents whose visits ended"
    DECLINED_REFERRAL = "declined_referral", "Declined referrals"
    VISIT_NOTE = "visit_note", "Visit notes and answers"


class RetentionPolicy(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="retention")
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    keep_days = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "record_type"], name="one_policy_per_type")
        ]

    def __str__(self) -> str:
        return f"Keep {self.record_type} for {self.keep_days} days"


class DisposalReview(models.Model):
    """A record past its retention period, waiting for the coordinator to confirm disposal."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="disposals")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    due_on = models.DateField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, blank=True)  # "disposed" or "kept"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "record_type"],
                condition=Q(decided_at__isnull=True),
                name="one_open_review_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.record_type} due {self.due_on}"
