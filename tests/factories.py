"""factory_boy factories shared by the tests."""

import factory
from django.utils import timezone

from whatworks.core.visibility import Visibility
from whatworks.organisations.models import (
    LocalAuthority,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    code = factory.Sequence(lambda n: f"T{n:03d}")
    gss_code = factory.Sequence(lambda n: f"E07{n:06d}")
    official_name = factory.Sequence(lambda n: f"Testshire District Council {n}")
    nice_name = factory.Sequence(lambda n: f"Testshire {n}")
    authority_type = "NMD"
    authority_type_name = "Non-metropolitan district"
    nation = "England"
    region = "South East"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.COUNCIL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    visibility = Visibility.PEERS
    date_joined = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OFFICER
