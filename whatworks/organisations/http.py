"""Request types for views: after @login_required, request.user is a real person."""

from django.http import HttpRequest

from whatworks.organisations.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
