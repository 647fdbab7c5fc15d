"""Pages for workforce ideas campaigns.

Thin views: `selectors.access_campaign` fetches and checks (members and the panel by the
rules, join-code participants by their signed cookie), a form validates, a service writes.
"""

from __future__ import annotations

import io
from typing import Any
from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from whatworks.core.forms import add_service_errors
from whatworks.core.network import client_address
from whatworks.ideas import exports, identity, selectors, services
from whatworks.ideas.forms import (
    CampaignForm,
    CommentForm,
    DecisionForm,
    IdeaForm,
    JoinCodeForm,
    JoinForm,
    MergeForm,
    PackForm,
    PackUploadForm,
    PanelForm,
    ScoreForm,
    VoteForm,
)
from whatworks.ideas.models import (
    PHASE_ACTIONS,
    PHASE_ORDER,
    Action,
    Campaign,
    DataPackItem,
    Idea,
    IdeaStatus,
    JoinCode,
    PanelMember,
    Phase,
    Score,
    VoteMode,
)
from whatworks.ideas.rules import allowed
from whatworks.ideas.selectors import Visit
from whatworks.organisations.http import AuthenticatedRequest
from whatworks.organisations.models import Organisation, site_url

MANAGE = "ideas.manage_campaign"
REVIEW = "ideas.review_campaign"
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _svg(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CSP
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- Home, new campaign, joining ---------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    organisations = (
        [
            o
            for o in Organisation.objects.filter(memberships__user_id=request.user.pk)
            if allowed("ideas.add_campaign", request.user, o)
        ]
        if request.user.is_authenticated
        else []
    )
    campaigns = (
        list(selectors.campaigns_visible_to(request.user)) if request.user.is_authenticated else []
    )
    joined = [c for c in selectors.joined_campaigns(request) if c not in campaigns]
    return render(
        request,
        "ideas/home.html",
        {"campaigns": campaigns, "joined": joined, "organisations": organisations},
    )


@login_required
def campaign_new(request: AuthenticatedRequest) -> HttpResponse:
    mine = [
        o
        for o in Organisation.objects.filter(memberships__user=request.user)
        if allowed("ideas.add_campaign", request.user, o)
    ]
    slug = request.GET.get("organisation") or request.POST.get("organisation")
    organisation = (
        next((o for o in mine if o.slug == slug), None) if slug else (mine[0] if mine else None)
    )
    if organisation is None:
        raise PermissionDenied
    form = CampaignForm(request.POST or None, initial={"vote_mode": VoteMode.ONE_EACH})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The campaign is set up. Now add its data pack.")
            return redirect("ideas-pack", pk=campaign.pk)
    return render(request, "ideas/campaign_form.html", {"form": form, "organisation": organisation})


def join(request: HttpRequest) -> HttpResponse:
    """Take part with a join code: no account, a signed cookie for this campaign only."""
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            code = services.join_code_redeem(
                code=form.cleaned_data["code"],
                address=client_address(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if any(e.code == "rate_limited" for e in error.error_dict.get("code", [])):
                status = 429
        else:
            response = redirect(code.campaign)
            value = identity.participant_cookie_value(
                code.pk, form.cleaned_data["name"], personal=code.personal
            )
            identity.set_participant_cookie(response, code.campaign_id, value)
            messages.success(request, f"You have joined '{code.campaign.title}'.")
            return response
    return render(request, "ideas/join.html", {"form": form}, status=status)


# --- Campaign ---------------------------------------------------------------------------


def _pack(campaign: Campaign) -> list[dict[str, Any]]:
    from whatworks.measures.selectors import metric_series

    items = campaign.pack_items.select_related("metric", "metric__organisation")
    return [{"item": item, "series": metric_series(item.metric)} for item in items]


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk)
    campaign = visit.campaign
    order = "votes" if request.GET.get("order") == "votes" and visit.sees_results else "new"
    return render(
        request,
        "ideas/campaign_detail.html",
        {
            "visit": visit,
            "campaign": campaign,
            "pack": _pack(campaign),
            "ideas": list(selectors.campaign_ideas(campaign, order=order)),
            "order": order,
            "my_ideas": list(selectors.my_ideas(visit)),
            "my_votes": selectors.my_votes(visit),
            "dots_left": selectors.dots_left(visit),
            "phases": [
                (p, p.label, ", ".join(a.label for a in Action if a in PHASE_ACTIONS[p]))
                for p in PHASE_ORDER
            ],
        },
    )


@login_required
def campaign_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    campaign = visit.campaign
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The campaign has been updated.")
            return redirect(campaign)
    return render(
        request,
        "ideas/campaign_form.html",
        {"form": form, "organisation": campaign.organisation, "campaign": campaign},
    )


@login_required
def campaign_advance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask first, then move the campaign on: a GET says what the next phase changes (and
    that moving to the review ends taking part for good); the POST carries the phase it
    was confirmed from, so a second click or a colleague's change moves nothing."""
    visit = selectors.access_campaign(request, pk, MANAGE)
    campaign = visit.campaign
    following = campaign.next_phase
    if following is None:
        messages.error(request, "The campaign is decided: there is no later phase.")
        return redirect(campaign)
    if request.method == "POST":
        try:
            services.campaign_advance(
                campaign=campaign, actor=request.user, expected=request.POST.get("from", "")
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"The campaign is now in '{campaign.get_phase_display()}'.")
        return redirect(campaign)
    now_allowed = PHASE_ACTIONS[Phase(following)]
    return render(
        request,
        "ideas/campaign_advance.html",
        {
            "campaign": campaign,
            "following": Phase(following),
            "allowed": ", ".join(a.label for a in Action if a in now_allowed),
            "ends_taking_part": not now_allowed and bool(PHASE_ACTIONS[Phase(campaign.phase)]),
        },
    )


# --- Data pack ----------------------------------------------------------------------------


def _pack_metrics(request: AuthenticatedRequest, campaign: Campaign) -> Any:
    from whatworks.measures.models import Metric

    return (
        Metric.objects.visible_to(request.user)
        .select_related("organisation")
        .exclude(pk__in=campaign.pack_items.values("metric_id"))
        .order_by("name")
    )


@login_required
def pack(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    campaign = visit.campaign
    form = PackForm(request.POST or None, metrics=_pack_metrics(request, campaign))
    if request.method == "POST" and form.is_valid():
        try:
            services.pack_add(
                campaign=campaign,
                metric=form.cleaned_data["metric"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['metric'].name} is in the data pack.")
            return redirect("ideas-pack", pk=pk)
    return render(
        request,
        "ideas/pack.html",
        {"campaign": campaign, "form": form, "items": campaign.pack_items.select_related("metric")},
    )


@login_required
@require_POST
def pack_remove(request: AuthenticatedRequest, pk: int, item_id: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    item = DataPackItem.objects.filter(pk=item_id, campaign=visit.campaign).first()
    if item is None:
        raise Http404("No such item.")
    services.pack_remove(item=item, actor=request.user)
    messages.success(request, "The metric is out of the data pack.")
    return redirect("ideas-pack", pk=pk)


@login_required
def pack_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Upload spend or activity figures for a pack metric: checked and previewed by the
    measures import (every row, before anything is written), then back to the campaign."""
    from whatworks.measures import services as measures
    from whatworks.measures.selectors import recordable_metrics

    visit = selectors.access_campaign(request, pk, MANAGE)
    campaign = visit.campaign
    metrics = recordable_metrics([campaign.organisation]).filter(
        pk__in=campaign.pack_items.values("metric_id")
    )
    form = PackUploadForm(request.POST or None, request.FILES or None, metrics=metrics)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            staged = measures.import_stage(
                organisation=campaign.organisation,
                actor=request.user,
                content=upload.read(),
                filename=upload.name or "",
                metric=form.cleaned_data["metric"],
                on_duplicate=form.cleaned_data["on_duplicate"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("ideas-pack-upload-preview", pk=pk, token=staged.pk)
    return render(request, "ideas/pack_upload.html", {"campaign": campaign, "form": form})


def _staged(request: AuthenticatedRequest, pk: int, token: UUID) -> tuple[Campaign, Any]:
    from whatworks.measures.selectors import access_staged_import

    visit = selectors.access_campaign(request, pk, MANAGE)
    staged = access_staged_import(request.user, token)  # only the person who uploaded it
    if staged.organisation_id != visit.campaign.organisation_id:
        raise Http404("No such upload.")
    return visit.campaign, staged


@login_required
def pack_upload_preview(request: AuthenticatedRequest, pk: int, token: UUID) -> HttpResponse:
    from whatworks.measures.views import import_preview

    campaign, staged = _staged(request, pk, token)
    if staged.is_expired:
        messages.error(request, "That upload has expired: upload the file again.")
        return redirect("ideas-pack-upload", pk=pk)
    return import_preview(
        request,
        staged,
        caption=f"{staged.filename}, for the data pack of {campaign.title}",
        upload_again=reverse("ideas-pack-upload", kwargs={"pk": pk}),
        confirm_url=reverse("ideas-pack-upload-confirm", kwargs={"pk": pk, "token": staged.pk}),
    )


@login_required
@require_POST
def pack_upload_confirm(request: AuthenticatedRequest, pk: int, token: UUID) -> HttpResponse:
    from whatworks.measures import services as measures

    campaign, staged = _staged(request, pk, token)
    if staged.is_expired:
        messages.error(request, "That upload has expired: upload the file again.")
        return redirect("ideas-pack-upload", pk=pk)
    try:
        outcome = measures.observations_import(staged=staged, actor=request.user)
    except ValidationError as error:  # ImportRefused included: the preview lists the rows
        messages.error(request, error.messages[0])
        return redirect("ideas-pack-upload-preview", pk=pk, token=token)
    saved = outcome.created + outcome.replaced
    messages.success(
        request, f"{saved:,} figure{'s' if saved != 1 else ''} saved for the data pack."
    )
    return redirect(campaign)


@require_GET
def pack_chart(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    from whatworks.measures.charts import series_svg
    from whatworks.measures.selectors import metric_series

    visit = selectors.access_campaign(request, pk)
    item = (
        DataPackItem.objects.select_related("metric")
        .filter(pk=item_id, campaign=visit.campaign)
        .first()
    )
    if item is None:
        raise Http404("No such chart.")
    return _svg(series_svg(metric_series(item.metric)))


# --- Panel and join codes -------------------------------------------------------------------


@login_required
def panel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    campaign = visit.campaign
    form = PanelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_add(campaign=campaign, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "They are on the panel for this campaign.")
            return redirect("ideas-panel", pk=pk)
    return render(
        request,
        "ideas/panel.html",
        {"campaign": campaign, "form": form, "members": campaign.panel.select_related("user")},
    )


@login_required
@require_POST
def panel_remove(request: AuthenticatedRequest, pk: int, member_id: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    member = PanelMember.objects.filter(pk=member_id, campaign=visit.campaign).first()
    if member is None:
        raise Http404("No such panel member.")
    services.panel_remove(member=member, actor=request.user)
    messages.success(request, "They are no longer on the panel.")
    return redirect("ideas-panel", pk=pk)


def _join_url(code: JoinCode) -> str:
    return site_url(reverse("ideas-join") + f"?code={code.code}")


@login_required
def codes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    campaign = visit.campaign
    form = JoinCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.join_codes_create(
                campaign=campaign,
                label=form.cleaned_data["label"],
                actor=request.user,
                personal=form.cleaned_data["kind"] == "personal",
                count=form.cleaned_data["count"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = (
                f"New join code: {made[0].formatted}"
                if len(made) == 1
                else f"{len(made)} new personal codes, from {made[-1].formatted}"
            )
            messages.success(request, text)
            return redirect("ideas-codes", pk=pk)
    join_codes = [(c, _join_url(c)) for c in campaign.join_codes.all()]
    return render(
        request, "ideas/codes.html", {"campaign": campaign, "form": form, "codes": join_codes}
    )


@login_required
@require_POST
def code_withdraw(request: AuthenticatedRequest, pk: int, code_id: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    code = JoinCode.objects.filter(pk=code_id, campaign=visit.campaign).first()
    if code is None:
        raise Http404("No such code.")
    try:
        services.join_code_withdraw(code=code, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"The code {code.formatted} no longer works.")
    return redirect("ideas-codes", pk=pk)


@login_required
@require_GET
def code_qr(request: AuthenticatedRequest, pk: int, code_id: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    code = JoinCode.objects.filter(pk=code_id, campaign=visit.campaign).first()
    if code is None:
        raise Http404("No such code.")
    # A PNG: every phone camera and scanner app reads it, and an <img> shows it as it is.
    buffer = io.BytesIO()
    segno.make(_join_url(code), error="m").save(buffer, kind="png", scale=8, border=4)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- Ideas ---------------------------------------------------------------------------------


def _takes_part(visit: Visit) -> Any:
    """The reader's identity in the campaign; panel members and organisers from outside
    the organisation see the campaign but do not take part (403)."""
    if visit.identity is None:
        raise PermissionDenied
    return visit.identity


def idea_new(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk)
    who = _takes_part(visit)
    campaign = visit.campaign
    form = IdeaForm(request.POST or None, allow_anonymous=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        anonymous = bool(data.pop("anonymous", False))
        try:
            idea = services.idea_submit(campaign=campaign, who=who, anonymous=anonymous, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Your idea is in, anonymously." if idea.is_anonymous else "Your idea is in.",
            )
            return redirect(idea)
    return render(
        request,
        "ideas/idea_form.html",
        {
            "form": form,
            "campaign": campaign,
            "visit": visit,
            "open": campaign.allows(Action.SUBMIT),
        },
    )


def _idea_context(request: HttpRequest, visit: Visit, idea: Idea) -> dict[str, Any]:
    campaign = visit.campaign
    context: dict[str, Any] = {
        "visit": visit,
        "campaign": campaign,
        "idea": idea,
        "comments": list(idea.comments.select_related("author")),
        "decisions": list(idea.decisions.all()),
        "initiative_status": selectors.initiative_status_text(idea),
        "is_author": selectors.is_author(visit, idea),
        "my_dots": selectors.my_votes(visit).get(idea.pk, 0),
        "dots_left": selectors.dots_left(visit),
        "tally": idea.votes.aggregate(n=Sum("dots"))["n"] or 0,
        "vote_form": VoteForm(),
        "comment_form": CommentForm(),
        "form": None,  # the form whose errors the summary lists, if any
    }
    if visit.can_review:
        context["scores"] = list(idea.scores.select_related("reviewer"))
    return context


def idea_detail(request: HttpRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk)
    idea = selectors.access_idea(visit, idea_pk)
    return render(request, "ideas/idea_detail.html", _idea_context(request, visit, idea))


def idea_edit(request: HttpRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk)
    idea = selectors.access_idea(visit, idea_pk)
    if not selectors.is_author(visit, idea):
        raise PermissionDenied
    assert visit.identity is not None
    form = IdeaForm(request.POST or None, instance=idea, allow_anonymous=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(idea=idea, who=visit.identity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your idea has been updated.")
            return redirect(idea)
    return render(
        request,
        "ideas/idea_form.html",
        {"form": form, "campaign": visit.campaign, "visit": visit, "idea": idea, "open": True},
    )


@require_POST
def idea_vote(request: HttpRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk)
    idea = selectors.access_idea(visit, idea_pk)
    if visit.identity is None:
        raise PermissionDenied
    form = VoteForm(request.POST if visit.campaign.vote_mode == VoteMode.DOTS else {"dots": 1})
    status = 400  # a number of dots that is not a number
    if form.is_valid():
        try:
            services.vote_cast(idea=idea, who=visit.identity, dots=form.cleaned_data["dots"])
        except ValidationError as error:
            add_service_errors(form, error)
            status = 409
        else:
            messages.success(request, f"Your vote for '{idea.title}' is counted.")
            target = request.POST.get("next", "")
            if target == "campaign":
                return redirect(reverse("ideas-campaign", kwargs={"pk": pk}) + f"#idea-{idea.pk}")
            return redirect(idea, permanent=False)
    # A refused vote (twice, outside the voting phase, no dots left) is a conflict with
    # the campaign's state: say why on the idea's page, with nothing changed.
    context = _idea_context(request, visit, idea)
    context["vote_form"] = form
    context["form"] = form
    return render(request, "ideas/idea_detail.html", context, status=status)


@require_POST
def idea_comment(request: HttpRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk)
    idea = selectors.access_idea(visit, idea_pk)
    if visit.identity is None:
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                idea=idea,
                who=visit.identity,
                anonymous=form.cleaned_data.get("anonymous", False),
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your comment is added.")
            return redirect(
                reverse("ideas-idea", kwargs={"pk": pk, "idea_pk": idea.pk}) + "#comments"
            )
    context = _idea_context(request, visit, idea)
    context["comment_form"] = form
    context["form"] = form
    return render(request, "ideas/idea_detail.html", context, status=400)


# --- Review -----------------------------------------------------------------------------


@login_required
def idea_score(request: AuthenticatedRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    idea = selectors.access_idea(visit, idea_pk)
    mine = Score.objects.filter(idea=idea, reviewer=request.user).first()
    initial = (
        {k: getattr(mine, k) for k in ("impact", "effort", "cost", "risk", "note")} if mine else {}
    )
    form = ScoreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.score_record(idea=idea, reviewer=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your scores are saved.")
            return redirect(idea)
    return render(
        request, "ideas/idea_score.html", {"form": form, "campaign": visit.campaign, "idea": idea}
    )


@login_required
@require_POST
def idea_shortlist(request: AuthenticatedRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    idea = selectors.access_idea(visit, idea_pk)
    try:
        services.idea_shortlist(
            idea=idea, actor=request.user, shortlisted=idea.status != IdeaStatus.SHORTLISTED
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            "Shortlisted." if idea.status == IdeaStatus.SHORTLISTED else "Taken off the shortlist.",
        )
    return redirect(idea)


@login_required
def idea_decide(request: AuthenticatedRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    idea = selectors.access_idea(visit, idea_pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_decide(idea=idea, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The decision and its reason are published.")
            return redirect(idea)
    return render(
        request, "ideas/idea_decide.html", {"form": form, "campaign": visit.campaign, "idea": idea}
    )


@login_required
def idea_merge(request: AuthenticatedRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    idea = selectors.access_idea(visit, idea_pk)
    others = (
        Idea.objects.filter(campaign=visit.campaign)
        .exclude(pk=idea.pk)
        .exclude(status=IdeaStatus.MERGED)
        .order_by("title")
    )
    form = MergeForm(request.POST or None, ideas=others)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_merge(idea=idea, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Marked as a duplicate; its votes moved across.")
            return redirect(form.cleaned_data["into"])
    return render(
        request, "ideas/idea_merge.html", {"form": form, "campaign": visit.campaign, "idea": idea}
    )


# --- You said, we did; live view; exports -------------------------------------------------


def outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk)
    ideas = selectors.outcomes(visit.campaign)
    rows = [(idea, selectors.initiative_status_text(idea)) for idea in ideas]
    return render(
        request,
        "ideas/outcomes.html",
        {"visit": visit, "campaign": visit.campaign, "rows": rows, "statuses": IdeaStatus},
    )


@login_required
def outcomes_all(request: AuthenticatedRequest) -> HttpResponse:
    sections = [
        (campaign, [(idea, selectors.initiative_status_text(idea)) for idea in ideas])
        for campaign, ideas in selectors.outcomes_across(request.user)
    ]
    return render(request, "ideas/outcomes_all.html", {"sections": sections})


@login_required
def live(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    return render(
        request,
        "ideas/live.html",
        {"campaign": visit.campaign, "summary": selectors.live_summary(visit.campaign)},
    )


@login_required
@require_GET
def live_data(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    response = JsonResponse(selectors.live_summary(visit.campaign))
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def export(request: AuthenticatedRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise Http404("No such export.")
    return exports.response(visit.campaign, kind, fmt)
