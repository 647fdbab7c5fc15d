"""Included at the site root."""

urlpatterns: list = []
