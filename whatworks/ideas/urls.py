from django.urls import URLPattern, path, re_path

from whatworks.ideas import views

C = "ideas/<int:pk>/"
I = C + "ideas/<int:idea_pk>/"  # noqa: E741

urlpatterns: list[URLPattern] = [
    path("ideas/", views.home, name="ideas-home"),
    path("ideas/new/", views.campaign_new, name="ideas-campaign-new"),
    path("ideas/join/", views.join, name="ideas-join"),
    path("ideas/you-said-we-did/", views.outcomes_all, name="ideas-outcomes-all"),
    path(C, views.campaign_detail, name="ideas-campaign"),
    path(C + "edit/", views.campaign_edit, name="ideas-campaign-edit"),
    path(C + "advance/", views.campaign_advance, name="ideas-campaign-advance"),
    path(C + "data/", views.pack, name="ideas-pack"),
    path(C + "data/upload/", views.pack_upload, name="ideas-pack-upload"),
    path(
        C + "data/upload/<uuid:token>/",
        views.pack_upload_preview,
        name="ideas-pack-upload-preview",
    ),
    path(
        C + "data/upload/<uuid:token>/save/",
        views.pack_upload_confirm,
        name="ideas-pack-upload-confirm",
    ),
    path(C + "data/<int:item_id>/remove/", views.pack_remove, name="ideas-pack-remove"),
    path(C + "data/<int:item_id>/chart.svg", views.pack_chart, name="ideas-pack-chart"),
    path(C + "panel/", views.panel, name="ideas-panel"),
    path(C + "panel/<int:member_id>/remove/", views.panel_remove, name="ideas-panel-remove"),
    path(C + "codes/", views.codes, name="ideas-codes"),
    path(C + "codes/<int:code_id>/withdraw/", views.code_withdraw, name="ideas-code-withdraw"),
    path(C + "codes/<int:code_id>/qr.png", views.code_qr, name="ideas-code-qr"),
    path(C + "ideas/new/", views.idea_new, name="ideas-idea-new"),
    path(I, views.idea_detail, name="ideas-idea"),
    path(I + "edit/", views.idea_edit, name="ideas-idea-edit"),
    path(I + "vote/", views.idea_vote, name="ideas-idea-vote"),
    path(I + "comment/", views.idea_comment, name="ideas-idea-comment"),
    path(I + "score/", views.idea_score, name="ideas-idea-score"),
    path(I + "shortlist/", views.idea_shortlist, name="ideas-idea-shortlist"),
    path(I + "decide/", views.idea_decide, name="ideas-idea-decide"),
    path(I + "duplicate/", views.idea_merge, name="ideas-idea-merge"),
    path(C + "you-said-we-did/", views.outcomes, name="ideas-outcomes"),
    path(C + "live/", views.live, name="ideas-live"),
    path(C + "live.json", views.live_data, name="ideas-live-data"),
    re_path(
        r"^ideas/(?P<pk>[0-9]+)/export/(?P<kind>ideas|votes|decisions)\.(?P<fmt>csv|xlsx)$",
        views.export,
        name="ideas-export",
    ),
]
