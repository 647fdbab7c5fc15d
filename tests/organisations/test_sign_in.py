from tests.conftest import PASSWORD
from whatworks.core.models import Message


def test_it_signs_in_by_email(world, client):
    response = client.post("/sign-in/", {"username": world["officer"].email, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world["officer"].pk


def test_it_names_each_missing_field(world, client):
    body = client.post("/sign-in/", {"username": "", "password": ""}).content.decode()
    assert "Enter your email address" in body and "Enter your password" in body


def test_it_locks_an_account_out_after_five_wrong_passwords(world, client):
    email = world["officer"].email
    for _ in range(5):
        client.post("/sign-in/", {"username": email, "password": "wrong"})
    response = client.post("/sign-in/", {"username": email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_a_password_reset_link_through_the_outbox(world, client):
    client.post("/password-reset/", {"email": world["officer"].email})
    message = Message.objects.get(template="password_reset")
    assert message.recipient == world["officer"].email
    path = "/" + message.personalisation["link"].split("/", 3)[3]
    response = client.get(path, follow=True)
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "another long passphrase", "new_password2": "another long passphrase"},
    )
    assert response.status_code == 302
    world["officer"].refresh_from_db()
    assert world["officer"].check_password("another long passphrase")


def test_it_says_the_same_for_an_unknown_address(world, client):
    response = client.post("/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert not Message.objects.exists()


def test_it_expires_sessions(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.PASSWORD_HASHERS[-2].endswith("Argon2PasswordHasher")
