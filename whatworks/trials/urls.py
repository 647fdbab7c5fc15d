"""Included at the site root."""

from django.urls import path

from whatworks.trials import views

urlpatterns = [
    path("initiatives/<int:pk>/trials/", views.trial_list, name="trial-list"),
    path("initiatives/<int:pk>/trials/new/", views.trial_new, name="trial-new"),
    path(
        "initiatives/<int:pk>/pooled-evidence.svg", views.pooled_forest, name="trial-pooled-forest"
    ),
    path("trials/<int:pk>/", views.trial_detail, name="trial-detail"),
    path("trials/<int:pk>/edit/", views.trial_edit, name="trial-edit"),
    path("trials/<int:pk>/power/", views.trial_power, name="trial-power"),
    path("trials/<int:pk>/plan/", views.trial_plan, name="trial-plan"),
    path("trials/<int:pk>/stop/", views.trial_stop, name="trial-stop"),
    path("trials/<int:pk>/units/", views.trial_units, name="trial-units"),
    path(
        "trials/<int:pk>/units/<int:upload_id>/",
        views.trial_units_confirm,
        name="trial-units-confirm",
    ),
    path("trials/<int:pk>/allocation/", views.trial_allocation, name="trial-allocation"),
    path(
        "trials/<int:pk>/allocation.<str:fmt>",
        views.trial_allocation_export,
        name="trial-allocation-export",
    ),
    path("trials/<int:pk>/outcomes/", views.trial_outcomes, name="trial-outcomes"),
    path(
        "trials/<int:pk>/outcomes/<int:upload_id>/",
        views.trial_outcomes_confirm,
        name="trial-outcomes-confirm",
    ),
    path("trials/<int:pk>/results/", views.trial_results, name="trial-results"),
    path("trials/<int:pk>/results.svg", views.trial_results_chart, name="trial-results-chart"),
    path(
        "trials/<int:pk>/results.<str:fmt>",
        views.trial_results_export,
        name="trial-results-export",
    ),
    path("trials/<int:pk>/verdict/", views.trial_verdict, name="trial-verdict"),
    path("trials/<int:pk>/series/", views.trial_series, name="trial-series"),
    path(
        "trials/<int:pk>/series/results/",
        views.trial_series_results,
        name="trial-series-results",
    ),
    path("trials/<int:pk>/series.svg", views.trial_series_chart, name="trial-series-chart"),
]
