"""Included at the site root."""

from django.urls import include, path

from whatworks.initiatives import views, views_evidence

urlpatterns = [
    path("", include("whatworks.initiatives.urls_browse")),
    path("initiatives/new/", views.initiative_new, name="initiative-new"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative-detail"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative-edit"),
    path("initiatives/<int:pk>/status/", views.initiative_status, name="initiative-status"),
    path("initiatives/<int:pk>/lessons/", views.initiative_lessons, name="initiative-lessons"),
    path(
        "initiatives/<int:pk>/replicate/", views.initiative_replicate, name="initiative-replicate"
    ),
    path("initiatives/<int:pk>/goals/new/", views.goal_edit, name="goal-new"),
    path("initiatives/<int:pk>/goals/<int:goal_id>/", views.goal_edit, name="goal-edit"),
    path("initiatives/<int:pk>/goals/<int:goal_id>/remove/", views.goal_remove, name="goal-remove"),
    path("initiatives/<int:pk>/goals/<int:goal_id>/result/", views.goal_result, name="goal-result"),
    path(
        "initiatives/<int:pk>/goals/<int:goal_id>/results/<int:result_id>/primary/",
        views.result_primary,
        name="result-primary",
    ),
    path(
        "initiatives/<int:pk>/goals/<int:goal_id>/computed/<int:draft_id>/",
        views_evidence.draft_confirm,
        name="draft-confirm",
    ),
    path("initiatives/results-due/", views_evidence.results_due, name="results-due"),
    path(
        "organisations/<slug:slug>/results-due/",
        views_evidence.results_due_organisation,
        name="results-due-organisation",
    ),
    path("initiatives/<int:pk>/ledger/new/", views.ledger_line_new, name="ledger-line-new"),
    path(
        "initiatives/<int:pk>/ledger/<int:line_id>/remove/",
        views.ledger_line_remove,
        name="ledger-line-remove",
    ),
    path("initiatives/<int:pk>/partners/new/", views.partner_new, name="partner-new"),
    path(
        "initiatives/<int:pk>/partners/<int:partner_id>/remove/",
        views.partner_remove,
        name="partner-remove",
    ),
    path(
        "initiatives/follow-up/<int:pk>/",
        views.sustainability_answer,
        name="sustainability-answer",
    ),
    path("organisations/<slug:slug>/decisions/", views.decision_list, name="decision-list"),
    path("organisations/<slug:slug>/decisions/new/", views.decision_new, name="decision-new"),
]
