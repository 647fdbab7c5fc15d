"""Included at the site root."""

from django.urls import path

from whatworks.measures import views

urlpatterns = [
    path("measures/", views.metric_list, name="metric-list"),
    path("measures/new/", views.metric_new, name="metric-new"),
    path("measures/<int:pk>/", views.metric_detail, name="metric-detail"),
    path("measures/<int:pk>/edit/", views.metric_edit, name="metric-edit"),
    path("measures/<int:pk>/chart.svg", views.metric_chart, name="metric-chart"),
    path("measures/<int:pk>/figures/", views.metric_observations, name="metric-observations"),
    path("measures/upload/", views.observation_import, name="observation-import"),
    path(
        "measures/upload/<uuid:token>/",
        views.observation_import_preview,
        name="observation-import-preview",
    ),
    path(
        "measures/upload/<uuid:token>/confirm/",
        views.observation_import_confirm,
        name="observation-import-confirm",
    ),
]
