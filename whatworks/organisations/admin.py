from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import URLPattern

from whatworks.core import audit
from whatworks.organisations.forms import OutboxPasswordResetForm
from whatworks.organisations.models import (
    ApiKey,
    Invitation,
    LocalAuthority,
    Membership,
    Organisation,
    User,
)
from whatworks.organisations.names import clean_display_name


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


class UserCreationForm(forms.ModelForm):
    """A new account without a password: the person sets their own from a reset link."""

    class Meta:
        model = User
        fields = ["email", "full_name"]

    def clean_full_name(self) -> str:
        return clean_display_name(self.cleaned_data["full_name"])

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "job_title", "bio", "visibility", "is_active"]

    def clean_full_name(self) -> str:
        return clean_display_name(self.cleaned_data["full_name"], user=self.instance)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People's accounts. No staff path sets anyone's password: signing in as someone else
    would show their anonymous ideas as theirs (docs/anonymity.md). Staff send a reset link
    to the person's own address instead (the action "Send a password reset link")."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_staff", "is_moderator", "is_active"]
    list_filter = ["is_staff", "is_moderator", "is_active"]
    search_fields = ["full_name", "email"]
    fieldsets = [
        (None, {"fields": ["email"]}),
        ("Profile", {"fields": ["full_name", "job_title", "bio", "visibility"]}),
        ("Site roles", {"fields": ["is_active", "is_staff", "is_moderator", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = [(None, {"fields": ["email", "full_name"]})]
    filter_horizontal = []
    inlines = [MembershipInline]
    actions = ["send_password_reset"]

    def get_urls(self) -> list[URLPattern]:
        # Django's UserAdmin adds a page that sets a password for anyone: not here.
        return [
            url
            for url in super().get_urls()
            if not (
                isinstance(url, URLPattern) and url.name and url.name.endswith("_password_change")
            )
        ]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        raise PermissionDenied("No one sets another person's password.")

    @admin.action(description="Send a password reset link to the people selected")
    def send_password_reset(self, request: HttpRequest, queryset: Any) -> None:
        sent = 0
        for user in queryset.filter(is_active=True):
            form = OutboxPasswordResetForm({"email": user.email})
            if form.is_valid():
                form.save(request=request, domain_override=request.get_host())
                sent += 1
        audit.record("person.password_reset_sent", detail={"people": sent})
        self.message_user(
            request, f"Reset links sent to {sent} {'person' if sent == 1 else 'people'}."
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by", "revoked_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "scopes", "lookup", "last_used_at", "revoked_at"]
    exclude = ["secret_hash"]
    readonly_fields = ["lookup", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are made on the organisation's page, where the secret is shown once
