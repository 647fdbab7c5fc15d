"""Register pages cached for signed-in readers: one copy per set of memberships, never another
reader's records, names, forms or watch state."""

from django.urls import reverse

from tests.factories import MembershipFactory
from tests.initiatives.factories import Register
from whatworks.forum import services as forum
from whatworks.organisations.models import Role

LIST = "/initiatives/"


def _titles(client, url=LIST):
    return {row.initiative.title for row in client.get(url).context["rows"]}


def test_it_never_serves_one_organisations_list_to_another(client_for, world):
    register = Register(world)
    assert Register.TITLES["private"] in _titles(client_for(world["officer"]))  # cached for A
    seen_by_b = _titles(client_for(world["outsider"]))  # the same address, another organisation
    assert Register.TITLES["private"] not in seen_by_b
    assert Register.TITLES["peers"] in seen_by_b
    # The pseudonymous record's owner is named to its own people only, whatever was cached.
    insider = client_for(register.insider).get(LIST).content.decode()
    outsider = client_for(world["outsider"]).get(LIST).content.decode()
    assert Register.HIDDEN_NAME in insider and Register.HIDDEN_NAME not in outsider


def test_it_shares_a_page_between_readers_with_the_same_memberships_but_not_their_watching(
    client_for, world, django_assert_max_num_queries
):
    record = Register(world).records["peers"]
    url = record.get_absolute_url()
    second = MembershipFactory(organisation=world.org_b, role=Role.ADMIN).user
    forum.watch_set(user=world["outsider"], kind="initiative", on=True, initiative=record)
    first_page = client_for(world["outsider"]).get(url).content.decode()
    assert ">Stop watching this record<" in first_page
    client = client_for(second)
    # The cached body: the session, the person, memberships, the record, roles, watch state.
    with django_assert_max_num_queries(8):
        second_page = client.get(url).content.decode()
    assert ">Watch this record<" in second_page and "Stop watching" not in second_page
    assert Register.TITLES["peers"] in second_page


def test_it_shows_a_records_own_people_its_forms_and_never_caches_them(client_for, world):
    record = Register(world).records["private"]
    url = record.get_absolute_url()
    officer = client_for(world["officer"]).get(url).content.decode()
    assert "Change the record" in officer
    # A volunteer of the same council may see the record but not change it.
    volunteer = client_for(world["volunteer"]).get(url).content.decode()
    assert Register.TITLES["private"] in volunteer and "Change the record" not in volunteer
    assert "Change the record" in client_for(world["officer"]).get(url).content.decode()


def test_it_drops_a_cached_page_when_the_record_turns_private(
    client_for, world, django_capture_on_commit_callbacks
):
    from whatworks.initiatives.services import initiative_update

    record = Register(world).records["peers"]
    type(record).objects.filter(pk=record.pk).update(created_by=world["admin"])
    record.refresh_from_db()
    url = record.get_absolute_url()
    assert client_for(world["outsider"]).get(url).status_code == 200
    assert Register.TITLES["peers"] in _titles(client_for(world["outsider"]))
    with django_capture_on_commit_callbacks(execute=True):  # versions are bumped on commit
        initiative_update(initiative=record, actor=world["admin"], visibility="private")
    assert client_for(world["outsider"]).get(url).status_code == 404
    assert Register.TITLES["peers"] not in _titles(client_for(world["outsider"]))
    assert reverse("initiative-list") == LIST
