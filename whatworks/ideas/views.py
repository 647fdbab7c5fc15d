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
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from whatworks.core.forms import Refusals, act, submit
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
    form = CampaignForm(
        request.POST or None, initial={"vote_mode": VoteMode.ONE_EACH}, organisation=organisation
    )
    if done := submit(
        request,
        form,
        lambda data: services.campaign_create(
            organisation=organisation, actor=request.user, **data
        ),
        then=lambda campaign: reverse("ideas-pack", kwargs={"pk": campaign.pk}),
        success="The campaign is set up. Now add its data pack.",
    ):
        return done
    return render(request, "ideas/campaign_form.html", {"form": form, "organisation": organisation})


def join(request: HttpRequest) -> HttpResponse:
    """Take part with a join code: no account, a signed cookie for this campaign only."""
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    refused = Refusals()
    if done := submit(
        request,
        form,
        lambda data: services.join_code_redeem(code=data["code"], address=client_address(request)),
        then=lambda code: _joined(code, form.cleaned_data["name"]),
        success=lambda code: f"You have joined '{code.campaign.title}'.",
        errors=refused,
    ):
        return done
    status = 429 if refused.coded("rate_limited") else 200
    return render(request, "ideas/join.html", {"form": form}, status=status)


def _joined(code: JoinCode, name: str) -> HttpResponse:
    """The campaign's page, with the signed cookie that lets its holder take part."""
    response = redirect(code.campaign)
    value = identity.participant_cookie_value(code.pk, name, personal=code.personal)
    identity.set_participant_cookie(response, code.campaign_id, value)
    return response


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
    if done := submit(
        request,
        form,
        lambda data: services.campaign_update(campaign=campaign, actor=request.user, **data),
        then=campaign,
        success="The campaign has been updated.",
    ):
        return done
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
        return act(
            request,
            lambda: services.campaign_advance(
                campaign=campaign, actor=request.user, expected=request.POST.get("from", "")
            ),
            then=campaign,
            success=lambda _: f"The campaign is now in '{campaign.get_phase_display()}'.",
        )
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
    if done := submit(
        request,
        form,
        lambda data: services.pack_add(
            campaign=campaign, metric=data["metric"], note=data["note"], actor=request.user
        ),
        then=reverse("ideas-pack", kwargs={"pk": pk}),
        success=lambda _: f"{form.cleaned_data['metric'].name} is in the data pack.",
    ):
        return done
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
    return act(
        request,
        lambda: services.pack_remove(item=item, actor=request.user),
        then=reverse("ideas-pack", kwargs={"pk": pk}),
        success="The metric is out of the data pack.",
    )


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
    if done := submit(
        request,
        form,
        lambda data: measures.import_stage(
            organisation=campaign.organisation,
            actor=request.user,
            content=data["file"].read(),
            filename=data["file"].name or "",
            metric=data["metric"],
            on_duplicate=data["on_duplicate"],
        ),
        then=lambda staged: reverse(
            "ideas-pack-upload-preview", kwargs={"pk": pk, "token": staged.pk}
        ),
    ):
        return done
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
    return act(
        request,
        lambda: measures.observations_import(staged=staged, actor=request.user),
        then=campaign,
        success=_figures_saved,
        # ImportRefused included: the preview lists the rows
        refused=reverse("ideas-pack-upload-preview", kwargs={"pk": pk, "token": token}),
    )


def _figures_saved(outcome: Any) -> str:
    saved = outcome.created + outcome.replaced
    return f"{saved:,} figure{'s' if saved != 1 else ''} saved for the data pack."


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
    if done := submit(
        request,
        form,
        lambda data: services.panel_add(campaign=campaign, actor=request.user, **data),
        then=reverse("ideas-panel", kwargs={"pk": pk}),
        success="They are on the panel for this campaign.",
    ):
        return done
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
    return act(
        request,
        lambda: services.panel_remove(member=member, actor=request.user),
        then=reverse("ideas-panel", kwargs={"pk": pk}),
        success="They are no longer on the panel.",
    )


def _join_url(code: JoinCode) -> str:
    return site_url(reverse("ideas-join") + f"?code={code.code}")


@login_required
def codes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, MANAGE)
    campaign = visit.campaign
    form = JoinCodeForm(request.POST if request.method == "POST" else None)
    if done := submit(
        request,
        form,
        lambda data: services.join_codes_create(
            campaign=campaign,
            label=data["label"],
            actor=request.user,
            personal=data["kind"] == "personal",
            count=data["count"],
        ),
        then=reverse("ideas-codes", kwargs={"pk": pk}),
        success=lambda made: (
            f"New join code: {made[0].formatted}"
            if len(made) == 1
            else f"{len(made)} new personal codes, from {made[-1].formatted}"
        ),
    ):
        return done
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
    return act(
        request,
        lambda: services.join_code_withdraw(code=code, actor=request.user),
        then=reverse("ideas-codes", kwargs={"pk": pk}),
        success=f"The code {code.formatted} no longer works.",
    )


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
    if done := submit(
        request,
        form,
        lambda data: services.idea_submit(campaign=campaign, who=who, **data),
        then=lambda idea: idea,
        success=lambda idea: (
            "Your idea is in, anonymously." if idea.is_anonymous else "Your idea is in."
        ),
    ):
        return done
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
    who = visit.identity
    if done := submit(
        request,
        form,
        lambda data: services.idea_update(idea=idea, who=who, **data),
        then=idea,
        success="Your idea has been updated.",
    ):
        return done
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
    who = visit.identity
    refused = Refusals()
    if done := submit(
        request,
        form,
        lambda data: services.vote_cast(idea=idea, who=who, dots=data["dots"]),
        then=(
            reverse("ideas-campaign", kwargs={"pk": pk}) + f"#idea-{idea.pk}"
            if request.POST.get("next", "") == "campaign"
            else idea
        ),
        success=f"Your vote for '{idea.title}' is counted.",
        errors=refused,
    ):
        return done
    # A refused vote (twice, outside the voting phase, no dots left) is a conflict with
    # the campaign's state: say why on the idea's page, with nothing changed. A number of
    # dots that is not a number is a bad request.
    status = 409 if refused else 400
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
    who = visit.identity
    if done := submit(
        request,
        form,
        lambda data: services.comment_add(
            idea=idea, who=who, anonymous=data.get("anonymous", False), body=data["body"]
        ),
        then=reverse("ideas-idea", kwargs={"pk": pk, "idea_pk": idea.pk}) + "#comments",
        success="Your comment is added.",
    ):
        return done
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
    if done := submit(
        request,
        form,
        lambda data: services.score_record(idea=idea, reviewer=request.user, **data),
        then=idea,
        success="Your scores are saved.",
    ):
        return done
    return render(
        request, "ideas/idea_score.html", {"form": form, "campaign": visit.campaign, "idea": idea}
    )


@login_required
@require_POST
def idea_shortlist(request: AuthenticatedRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    idea = selectors.access_idea(visit, idea_pk)
    return act(
        request,
        lambda: services.idea_shortlist(
            idea=idea, actor=request.user, shortlisted=idea.status != IdeaStatus.SHORTLISTED
        ),
        then=idea,
        success=lambda done: (
            "Shortlisted." if done.status == IdeaStatus.SHORTLISTED else "Taken off the shortlist."
        ),
    )


@login_required
def idea_decide(request: AuthenticatedRequest, pk: int, idea_pk: int) -> HttpResponse:
    visit = selectors.access_campaign(request, pk, REVIEW)
    idea = selectors.access_idea(visit, idea_pk)
    form = DecisionForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.idea_decide(idea=idea, actor=request.user, **data),
        then=idea,
        success="The decision and its reason are published.",
    ):
        return done
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
    if done := submit(
        request,
        form,
        lambda data: services.idea_merge(idea=idea, actor=request.user, **data),
        then=lambda _: form.cleaned_data["into"],
        success="Marked as a duplicate; its votes moved across.",
    ):
        return done
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
