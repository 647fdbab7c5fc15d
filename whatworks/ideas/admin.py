"""Site staff see campaigns and ideas here, but never who is behind an anonymous idea:
the author columns (person, key) are not shown, searchable or filterable, and ideas are
read-only (changes go through the campaign's own pages, with their rules)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from whatworks.ideas.models import Campaign, Idea


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "phase", "opens_on", "closes_on"]
    list_filter = ["phase"]
    search_fields = ["title"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "created_by"]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "status", "shown_author", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    list_select_related = ["campaign", "author"]
    fields = ("campaign", "title", "process", "problem", "proposal", "status", "shown_author")
    readonly_fields = fields

    @admin.display(description="author (as everyone sees it)")
    def shown_author(self, idea: Idea) -> str:
        return idea.author_label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)
