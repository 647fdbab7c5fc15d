"""Pages for organisations, people, invitations and 'your organisation' administration.

Views stay thin: an access helper fetches and checks, a form validates, a service writes.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from whatworks.core import ratelimit
from whatworks.core import search as site_search
from whatworks.core.cache import address_key, cached
from whatworks.core.forms import act, submit
from whatworks.core.network import client_address
from whatworks.core.views import audit_page
from whatworks.organisations import contact, selectors, services
from whatworks.organisations.forms import (
    AcceptInvitationForm,
    ApiKeyForm,
    InvitationForm,
    OrganisationDetailsForm,
    OrganisationFilterForm,
    OutboxPasswordResetForm,
    ProfileForm,
    RoleForm,
    SearchForm,
)
from whatworks.organisations.http import AuthenticatedRequest
from whatworks.organisations.models import ContactMessage, Invitation, User
from whatworks.organisations.panels import panels_for

PAGE_SIZE = 25
# Reset requests per client address (any email addresses): enough for a person who mistypes.
RESET_PER_ADDRESS = ratelimit.Limit("password-reset-address", count=10, seconds=3600)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited per client address (the form limits per email too)."""

    template_name = "organisations/password_reset.html"
    form_class = OutboxPasswordResetForm
    success_url = "/password-reset/sent/"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if ratelimit.hit(RESET_PER_ADDRESS, client_address(request)):
            return ratelimit.too_many_requests(
                request,
                "Too many password resets from this connection",
                "To protect people's accounts we limit how many reset links can be asked for "
                "from one place in an hour. Try again in an hour.",
            )
        return super().post(request, *args, **kwargs)


def organisation_list(request: HttpRequest) -> HttpResponse:
    # The list is the same for everyone: its body is cached per address until an
    # organisation, membership or local authority changes (signals bump the version).
    body = cached("organisations", ("list", address_key(request)), lambda: _list_body(request))
    return render(
        request,
        "organisations/organisation_list.html",
        {"body": mark_safe(body)},  # noqa: S308
    )


def _list_body(request: HttpRequest) -> str:
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.organisation_page(
        kind=filters.get("kind", ""),
        query=filters.get("q", ""),
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    return render_to_string(
        "organisations/_organisation_list_body.html",
        {"form": form, "page": page, "rows": page.object_list},
        request=request,
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.access_organisation(request.user, slug)
    can_see_members = request.user.has_perm("organisations.view_members", organisation)
    members = selectors.organisation_members(organisation, request.user) if can_see_members else []
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "members": members,
            "can_see_members": can_see_members,
            "can_manage": request.user.has_perm("organisations.manage_members", organisation),
            "panels": panels_for(organisation, request.user),
        },
    )


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(request.user, pk)
    return render(
        request,
        "organisations/person_detail.html",
        {
            "person": person,
            "memberships": selectors.person_memberships(person),
            "can_contact": request.user.is_authenticated
            and person.pk != request.user.pk
            and contact.accepts_contact(person),
        },
    )


@login_required
def profile_edit(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if done := submit(
        request,
        form,
        lambda data: services.profile_update(user=request.user, actor=request.user, **data),
        then=request.user,
        success="Your profile has been updated.",
    ):
        return done
    return render(request, "organisations/profile_edit.html", {"form": form})


def search(request: HttpRequest) -> HttpResponse:
    """One search across everything the reader may see, grouped by kind with counts."""
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    kinds = {kind.slug: kind for kind in site_search.ordered_kinds()}
    only = request.GET.get("kind", "")
    only = only if only in kinds else ""
    results = site_search.everything(request.user, query) if query else []
    shown = [r for r in results if r.kind.slug == only] if only else results
    if only and query:
        shown = site_search.everything(request.user, query, only=only)
    return render(
        request,
        "organisations/search.html",
        {
            "form": form,
            "query": query,
            "results": results,
            "shown": shown,
            "only": kinds.get(only),
            "total": sum(r.count for r in results),
        },
    )


@login_required
def organisation_audit_log(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    organisation = selectors.access_organisation(request.user, slug, "organisations.view_audit_log")
    return audit_page(request, organisation, {"organisation": organisation})


@login_required
def my_organisation(request: AuthenticatedRequest) -> HttpResponse:
    organisations = list(selectors.member_organisations(request.user))
    if len(organisations) == 1:
        return redirect("organisation-manage", slug=organisations[0].slug)
    return render(request, "organisations/my_organisation.html", {"organisations": organisations})


@login_required
def organisation_manage(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = selectors.access_organisation(request.user, slug, "organisations.view_members")
    can_manage = request.user.has_perm("organisations.manage_members", organisation)
    return render(
        request,
        "organisations/manage.html",
        {
            "organisation": organisation,
            "members": organisation.memberships.select_related("user").order_by("user__full_name"),
            "invitations": organisation.invitations.select_related("invited_by")
            if can_manage
            else [],
            "api_keys": organisation.api_keys.all() if can_manage else [],
            "can_manage": can_manage,
        },
    )


@login_required
def organisation_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = selectors.access_organisation(
        request.user, slug, "organisations.edit_organisation"
    )
    form = OrganisationDetailsForm(request.POST or None, instance=organisation)
    if done := submit(
        request,
        form,
        lambda data: services.organisation_update(
            organisation=organisation, actor=request.user, **data
        ),
        then=reverse("organisation-manage", kwargs={"slug": slug}),
        success="The organisation's details have been updated.",
    ):
        return done
    return render(
        request,
        "organisations/organisation_edit.html",
        {"organisation": organisation, "form": form},
    )


@login_required
def membership_role(request: AuthenticatedRequest, slug: str, membership_id: int) -> HttpResponse:
    organisation = selectors.access_organisation(request.user, slug, "organisations.manage_members")
    membership = selectors.access_membership(organisation, membership_id)
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    if done := submit(
        request,
        form,
        lambda data: services.membership_change_role(
            membership=membership, role=data["role"], actor=request.user
        ),
        then=reverse("organisation-manage", kwargs={"slug": slug}),
        success=lambda _: f"{membership.user} is now {membership.get_role_display().lower()}.",
    ):
        return done
    return render(
        request,
        "organisations/membership_role.html",
        {"organisation": organisation, "membership": membership, "form": form},
    )


@login_required
def membership_remove(request: AuthenticatedRequest, slug: str, membership_id: int) -> HttpResponse:
    organisation = selectors.access_organisation(request.user, slug, "organisations.manage_members")
    membership = selectors.access_membership(organisation, membership_id)
    # A confirmation: a POST with no fields, so the form is bound on any POST.
    form = forms.Form(request.POST if request.method == "POST" else None)
    if done := submit(
        request,
        form,
        lambda _: services.membership_remove(membership=membership, actor=request.user),
        then=reverse("organisation-manage", kwargs={"slug": slug}),
        success=f"{membership.user} has been removed.",
    ):
        return done
    error = next(iter(form.non_field_errors()), None)
    return render(
        request,
        "organisations/membership_remove.html",
        {"organisation": organisation, "membership": membership, "error": error},
    )


@login_required
def invitation_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = selectors.access_organisation(
        request.user, slug, "organisations.manage_invitations"
    )
    form = InvitationForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.invitation_create(
            organisation=organisation, invited_by=request.user, **data
        ),
        then=reverse("organisation-manage", kwargs={"slug": slug}),
        success=lambda invitation: f"Invitation sent to {invitation.email}.",
    ):
        return done
    return render(
        request, "organisations/invitation_new.html", {"organisation": organisation, "form": form}
    )


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedRequest, slug: str, invitation_id: int) -> HttpResponse:
    organisation = selectors.access_organisation(
        request.user, slug, "organisations.manage_invitations"
    )
    invitation = selectors.access_invitation(organisation, invitation_id)
    return act(
        request,
        lambda: services.invitation_revoke(invitation=invitation, actor=request.user),
        then=reverse("organisation-manage", kwargs={"slug": slug}),
        success=f"The invitation to {invitation.email} has been withdrawn.",
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.find_by_token(token)
    if invitation is None or invitation.status != "pending":
        return render(
            request,
            "organisations/invitation_invalid.html",
            {"invitation": invitation},
            status=404 if invitation is None else 410,
        )
    signed_in = request.user.is_authenticated
    # Someone signed in only confirms (a POST with no fields, so bound on any POST); a
    # newcomer also makes an account.
    form = (
        forms.Form(request.POST if request.method == "POST" else None)
        if signed_in
        else AcceptInvitationForm(request.POST or None, email=invitation.email)
    )

    def accept(data: dict[str, Any]) -> Any:
        membership = services.invitation_accept(
            invitation=invitation, user=cast(User, request.user) if signed_in else None, **data
        )
        if not signed_in:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        return membership

    if done := submit(
        request,
        form,
        accept,
        then=lambda membership: membership.organisation,
        success=lambda membership: f"You have joined {membership.organisation}.",
    ):
        return done
    return render(
        request,
        "organisations/invitation_accept.html",
        {"invitation": invitation, "form": form},
    )


@login_required
def api_key_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = selectors.access_organisation(
        request.user, slug, "organisations.manage_api_keys"
    )
    form = ApiKeyForm(request.POST or None)

    def created(made: tuple[Any, str]) -> HttpResponse:
        # The secret is shown once, in this response, and never stored.
        key, raw = made
        response = render(
            request,
            "organisations/api_key_created.html",
            {"organisation": organisation, "key": key, "raw_key": raw},
        )
        response["Cache-Control"] = "no-store"
        return response

    if done := submit(
        request,
        form,
        lambda data: services.api_key_create(organisation=organisation, actor=request.user, **data),
        then=created,
    ):
        return done
    return render(
        request, "organisations/api_key_new.html", {"organisation": organisation, "form": form}
    )


@login_required
@require_POST
def api_key_revoke(request: AuthenticatedRequest, slug: str, key_id: int) -> HttpResponse:
    organisation = selectors.access_organisation(
        request.user, slug, "organisations.manage_api_keys"
    )
    key = selectors.access_api_key(organisation, key_id)
    return act(
        request,
        lambda: services.api_key_revoke(key=key, actor=request.user),
        then=reverse("organisation-manage", kwargs={"slug": slug}),
        success=f"The API key '{key.name}' has been revoked.",
    )


# --- Reaching people ---------------------------------------------------------------------


def _about_path(raw: str) -> str:
    """A page of this site the message is about (a record): a local path, or nothing."""
    raw = (raw or "").strip()
    if not raw.startswith("/") or raw.startswith("//") or len(raw) > 300:
        return ""
    return raw if url_has_allowed_host_and_scheme(raw, allowed_hosts=None) else ""


@login_required
def contact_person(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(request.user, pk)
    organisations = list(selectors.member_organisations(request.user))
    about = _about_path(request.POST.get("about") or request.GET.get("about", ""))
    refusal = ""
    if not organisations:
        refusal = "Only members of an organisation can send messages."
    elif person.pk == request.user.pk:
        refusal = "This is you."
    elif not contact.accepts_contact(person):
        refusal = f"{person.full_name} does not accept messages through What Works."
    elif contact.blocked(request.user, person):
        refusal = f"{person.full_name} does not accept messages from you."
    form = contact.ContactForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and not refusal:
        key = str(request.user.pk)
        if ratelimit.hit(contact.PER_SENDER, key) or ratelimit.hit(
            contact.PER_PAIR, f"{key}:{person.pk}"
        ):
            return ratelimit.too_many_requests(
                request,
                "You have sent too many messages",
                "You can send up to 10 messages a day, and 3 a day to one person. "
                "Try again tomorrow.",
                retry_after=24 * 3600,
            )
        if done := submit(
            request,
            form,
            lambda data: services.contact_send(
                sender=request.user,
                recipient=person,
                organisation=data["organisation"],
                body=data["body"],
                about_path=about,
            ),
            then=person,
            success=f"Your message has been sent to {person.full_name}. "
            "They can reply to your email address.",
        ):
            return done
    return render(
        request,
        "organisations/contact_person.html",
        {"person": person, "form": form, "about": about, "refusal": refusal},
        status=403 if refusal and request.method == "POST" else 200,
    )


@login_required
def contact_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    message = (
        ContactMessage.objects.filter(pk=pk, recipient=request.user)
        .select_related("sender", "sender_organisation")
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    form = contact.ReportForm(request.POST or None)
    if message.reported_at is None and (
        done := submit(
            request,
            form,
            lambda data: services.contact_report(
                message=message, actor=request.user, reason=data["reason"]
            ),
            then="home",
            success="Thank you. The message has been reported to the moderators, and its "
            "sender cannot write to you again.",
        )
    ):
        return done
    return render(request, "organisations/contact_report.html", {"message": message, "form": form})
