from typing import Any

from django.contrib import admin
from django.http import HttpRequest

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
    list_display = ["created_at", "channel", "template", "recipient", "status", "attempts"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["recipient", "template"]
