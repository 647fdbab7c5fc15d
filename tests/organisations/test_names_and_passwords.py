"""Display names that cannot pass for someone else, and no staff path that sets another
person's password (signing in as them would show their anonymous ideas as theirs)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from whatworks.core.models import Message
from whatworks.organisations import services
from whatworks.organisations.names import clean_display_name, skeleton

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "Sam\u202effatS",  # right-to-left override: shows as "Sam Staff" reversed
        "Sam\u200b Staff",  # zero-width space
        "Sam\u2066Staff\u2069",  # directional isolates
        "Sam\u00adStaff",  # soft hyphen (a format character)
        "Sam\x00Staff",
    ],
)
def test_it_refuses_invisible_and_direction_characters(world: Any, name: str) -> None:
    with pytest.raises(ValidationError, match="invisible or text-direction character"):
        clean_display_name(name)


def test_it_refuses_a_name_mixing_latin_with_look_alike_letters(world: Any) -> None:
    with pytest.raises(ValidationError, match="mixes letters from different alphabets"):
        clean_display_name("Sаm Brown")  # a Cyrillic "а"


@pytest.mark.parametrize(
    "taken", ["Sam Staff", "sam staff", "SAM  STAFF", "Sám Stáff", "Ѕаm Ѕtаff", "Ｓａｍ Ｓｔａｆｆ"]
)
def test_it_refuses_another_persons_name_in_any_disguise(world: Any, taken: str) -> None:
    """The reproduction: anyone could take another person's display name."""
    assert world["staff"].full_name == "Sam Staff"
    # (A spoof mixing alphabets is refused for that before its look is compared.)
    with pytest.raises(ValidationError, match="Someone else on What Works|mixes letters"):
        clean_display_name(taken, user=world["officer"])


def test_it_lets_people_keep_and_tidy_their_own_name(world: Any) -> None:
    assert clean_display_name("  Sam   Staff ", user=world["staff"]) == "Sam Staff"
    assert clean_display_name("Sam B. Staff", user=world["officer"]) == "Sam B. Staff"
    assert clean_display_name("Zoë O'Brien-Ng") == "Zoë O'Brien-Ng"
    assert clean_display_name("Ολυμπία Παπαδοπούλου") == "Ολυμπία Παπαδοπούλου"  # all Greek


def test_the_skeleton_folds_case_accents_width_and_look_alikes() -> None:
    assert (
        skeleton("Ѕаm Ѕtаff")
        == skeleton("Sám  STAFF")
        == skeleton("Ｓａｍ Ｓｔａｆｆ")
        == "sam staff"
    )


def test_it_refuses_the_name_on_the_profile_page(world: Any, client_for: Any) -> None:
    client = client_for(world["officer"])
    data = {"full_name": "Sam\u200bStaff", "job_title": "", "bio": "", "visibility": "peers"}
    response = client.post(reverse("profile-edit"), data)
    assert response.status_code == 200
    assert "invisible or text-direction character" in response.content.decode()
    data["full_name"] = "sam  staff"
    assert (
        "Someone else on What Works" in client.post(reverse("profile-edit"), data).content.decode()
    )
    world["officer"].refresh_from_db()
    assert world["officer"].full_name == "Officer of A"


def test_the_services_refuse_it_too(world: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.profile_update(
            user=world["officer"], actor=world["officer"], full_name="Sam Staff"
        )
    assert "full_name" in refused.value.message_dict


# --- Passwords ---------------------------------------------------------------------------


def test_no_admin_page_sets_another_persons_password(world: Any, client_for: Any) -> None:
    """The reproduction: site staff set a user's password in the Django admin and signed
    in as them."""
    client = client_for(world["staff"])
    officer = world["officer"]
    change = client.get(f"/admin/organisations/user/{officer.pk}/change/").content.decode()
    assert "password/" not in change and 'name="password' not in change
    url = f"/admin/organisations/user/{officer.pk}/password/"
    response = client.post(url, {"password1": "Taken0ver!pass", "password2": "Taken0ver!pass"})
    assert response.status_code in (302, 403, 404)
    officer.refresh_from_db()
    assert not officer.check_password("Taken0ver!pass")
    assert officer.check_password("correct horse battery")
    # Nor through the change form itself.
    client.post(
        f"/admin/organisations/user/{officer.pk}/change/",
        {"email": officer.email, "full_name": officer.full_name, "visibility": "peers",
         "password": "Taken0ver!pass", "is_active": "on",
         "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )  # fmt: skip
    officer.refresh_from_db()
    assert not officer.check_password("Taken0ver!pass")


def test_staff_add_people_without_a_password_and_send_a_reset_link(
    world: Any, client_for: Any
) -> None:
    client = client_for(world["staff"])
    response = client.post(
        "/admin/organisations/user/add/",
        {"email": "new.person@example.org", "full_name": "New Person",
         "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    from whatworks.organisations.models import User

    person = User.objects.get(email="new.person@example.org")
    assert not person.has_usable_password()
    client.post(
        "/admin/organisations/user/",
        {"action": "send_password_reset", "_selected_action": [person.pk]},
    )
    reset = Message.objects.get(template="password_reset", recipient="new.person@example.org")
    assert "/password-reset/" in reset.personalisation["link"]
