"""Audit log, outbox messages and the search index: machinery every app shares."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone


class AppendOnlyError(ValueError):
    pass


class AppendOnlyModel(models.Model):
    """A row written once and never changed: a status history, a decision, an upload."""

    append_only_message: ClassVar[str] = "This record is append-only."

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")

    def redact(self, *, label: str) -> int:
        """Erasure's one exception to append-only: the events stay (who, when, what action,
        on which record by id) but lose any description and detail text about the person
        (entries from before the log held references only). Returns the number redacted."""
        changed = 0
        for event in self.only("pk", "detail"):
            detail = {
                key: value
                for key, value in (event.detail or {}).items()
                if value is None or isinstance(value, bool | int | float)
            }
            changed += models.QuerySet.update(
                AuditEvent.objects.filter(pk=event.pk), object_repr=label, detail=detail
            )
        return changed


class AuditEvent(models.Model):
    """Who did what to which object, when, from which request. Never changed or deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Kept if the person is erased.")
    api_key_label = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organisation whose log this entry belongs to.",
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    personal_data = models.BooleanField(
        default=False, help_text="A view or change of a resident's personal data."
    )
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    path = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"
    CANCELLED = "cancelled", "Cancelled (the record was erased)"


class MessageQuerySet(models.QuerySet["Message"]):
    def due(self) -> MessageQuerySet:
        return self.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=timezone.now())


class Message(models.Model):
    """A message in the outbox. A backend failure leaves it queued with its error."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text="Email address, phone number or name")
    template = models.CharField(max_length=80)
    personalisation = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    backend = models.CharField(max_length=20, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    # The reference the provider is given, so that a retry can ask whether an earlier attempt
    # got through (a send whose outcome was cut off). Random, not the id: ids start again in a
    # restored or new database that may share the provider's account.
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Who the message is about ("checkins.resident:12"), so that erasing the person reaches
    # it; and whether its body holds personal data, which then goes once it is delivered.
    about = models.CharField(max_length=80, blank=True, db_index=True)
    personal = models.BooleanField(default=False)
    redacted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        # No recipient: this string appears in lists and logs.
        return f"{self.get_channel_display()} '{self.template}' ({self.get_status_display()})"


class SearchDocument(models.Model):
    """One searchable record: the text kept in step with the record on save and delete.

    On SQLite the text is also in the FTS5 table `core_search_fts` (rowid = this id);
    on PostgreSQL `vector` holds the weighted tsvector behind a GIN index.
    """

    model = models.CharField(max_length=80)  # "app_label.modelname"
    object_id = models.CharField(max_length=64)
    title = models.TextField()
    body = models.TextField(blank=True)
    # Only filled on PostgreSQL (the GIN index is created there by migration 0002).
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="one_document_per_object")
        ]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Finished"
    FAILED = "failed", "Stopped with problems"


class JobQuerySet(models.QuerySet["Job"]):
    def stalled(self, now: Any, lease: Any) -> JobQuerySet:
        """Jobs a consumer should be running but has not touched within the lease (it died,
        or the queue lost the task): the sweep starts them again."""
        return self.filter(
            models.Q(status=JobStatus.QUEUED, created_at__lt=now - lease)
            | models.Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - lease)
        )


class Job(models.Model):
    """Long work (a large import) done by a task consumer, not inside a web request.

    The person who started it follows its progress on its page and can leave and come back.
    ``arguments`` hold ids only, never anyone's details. The work itself is all or nothing:
    a job that dies part way wrote nothing and is started again by the sweep.
    """

    kind = models.CharField(max_length=64)  # a handler registered in whatworks.core.jobs
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    arguments = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_total = models.PositiveBigIntegerField(default=0)  # expected; 0 when unknown
    rows_checked = models.PositiveBigIntegerField(default=0)
    rows_written = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)  # the outcome, in words
    errors = models.JSONField(default=list)  # [{"row": n, "field": name, "message": text}]
    next_url = models.CharField(max_length=300, blank=True)  # where to go when finished
    back_url = models.CharField(max_length=300, blank=True)  # where to go to try again
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}: {self.status}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("job-detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
