from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from whatworks.organisations.models import (
    ApiKey,
    Invitation,
    LocalAuthority,
    Membership,
    Organisation,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "local_authority", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "local_authority__gss_code"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["local_authority"]
    inlines = [MembershipInline]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["official_name", "gss_code", "authority_type_name", "region", "is_current"]
    list_filter = ["nation", "is_current", "authority_type_name"]
    search_fields = ["official_name", "nice_name", "gss_code", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_staff", "is_moderator", "is_active"]
    list_filter = ["is_staff", "is_moderator", "is_active"]
    search_fields = ["full_name", "email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "job_title", "bio", "visibility"]}),
        ("Site roles", {"fields": ["is_active", "is_staff", "is_moderator", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = []
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by", "revoked_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "scope", "lookup", "last_used_at", "revoked_at"]
    exclude = ["secret_hash"]
    readonly_fields = ["lookup", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are made on the organisation's page, where the secret is shown once
