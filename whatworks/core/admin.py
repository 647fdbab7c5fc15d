"""Staff read the audit log and the outbox here, never edit or delete them, and never see
a message's body or full recipient: those can hold residents' personal data, which no one
reaches through the admin (the checkins app registers no model here at all)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from whatworks.core.messaging import mask_recipient
from whatworks.core.models import AuditEvent, Message


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit events and messages are evidence: staff may read them, never edit or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_repr", "organisation", "personal_data"]
    list_filter = ["personal_data", "action"]
    search_fields = ["actor_label", "action", "object_repr"]
    date_hierarchy = "at"


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "template", "shown_recipient", "status", "attempts"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["template"]
    # Metadata only: no body (personalisation), no full address, no provider error text.
    fields = (
        "channel",
        "template",
        "shown_recipient",
        "status",
        "attempts",
        "backend",
        "created_at",
        "sent_at",
        "redacted_at",
    )
    readonly_fields = fields

    @admin.display(description="recipient")
    def shown_recipient(self, message: Message) -> str:
        return mask_recipient(message.recipient) if message.recipient else "(removed)"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)
