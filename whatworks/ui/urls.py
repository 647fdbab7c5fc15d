"""Included at the site root: path("", include("whatworks.ui.urls"))."""

from django.urls import path

from whatworks.ui import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("about/data/", views.about_data, name="about-data"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("contact/", views.contact, name="contact"),
    path("feedback/", views.feedback, name="feedback"),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin, files).
    path("favicon.ico", views.favicon, name="favicon"),
    # Benchmark references (see DESIGN.md "Benchmarks"); harmless to expose.
    path("_floor/text", views.floor_text, name="floor-text"),
    path("_floor/layout", views.floor_layout, name="floor-layout"),
]
