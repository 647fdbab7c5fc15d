"""API endpoints for organisations and people, using the same selectors as the pages."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from whatworks.core.api import Pages, with_problems
from whatworks.organisations import selectors
from whatworks.organisations.models import OrganisationKind

router = Router(tags=["Organisations and people"])


class LocalAuthorityOut(Schema):
    gss_code: str = Field(description="ONS GSS code, e.g. E07000065")
    official_name: str
    authority_type_name: str
    region: str
    nation: str
    population: int | None


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: OrganisationKind
    kind_label: str = Field(alias="get_kind_display")
    description: str
    website: str
    local_authority: LocalAuthorityOut | None


class OrganisationFilter(Schema):
    kind: OrganisationKind | None = None
    q: str = Field("", max_length=100, description="Part of the name, or an ONS GSS code")


class MembershipOut(Schema):
    organisation: str = Field(alias="organisation.slug")
    role: str


class PersonOut(Schema):
    id: int
    full_name: str
    job_title: str
    bio: str
    url: str = Field(alias="get_absolute_url")


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut]


class MeOut(PersonOut):
    email: str
    memberships: list[MembershipOut]
    joined: datetime = Field(alias="date_joined")


@router.get("/organisations", response=with_problems(list[OrganisationOut]))
@paginate(Pages)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]):
    return selectors.organisation_list(kind=filters.kind or "", query=filters.q)


@router.get("/organisations/{slug}", response=with_problems(OrganisationOut, 404))
def get_organisation(request: HttpRequest, slug: str):
    return selectors.access_organisation(request.user, slug)


@router.get("/people", response=with_problems(list[PersonOut]))
@paginate(Pages)
def list_people(request: HttpRequest):
    return selectors.people_visible_to(request.user).order_by("full_name", "pk")


@router.get("/people/{person_id}", response=with_problems(PersonDetailOut, 404))
def get_person(request: HttpRequest, person_id: int):
    return selectors.access_person(request.user, person_id)


@router.get("/me", response=with_problems(MeOut, 401))
def me(request: HttpRequest):
    if not getattr(request.user, "pk", None):
        raise HttpError(401, "Sign in to see your own record")
    return request.user
