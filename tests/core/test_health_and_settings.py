"""/healthz, settings that fail loudly on bad values, the deploy checks and the security headers."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from huey.contrib import djhuey

from config.env import ConfigurationError, env_bool, env_list, env_url, secret_key
from whatworks.core import views

BASE_DIR = Path(__file__).resolve().parents[2]


# --- /healthz


@pytest.mark.django_db
def test_it_reports_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["tasks"].startswith("ok")
    assert "no-cache" in response["Cache-Control"]


class BrokenConnection:
    def cursor(self):
        raise ConnectionRefusedError("database is down")


@pytest.mark.django_db
def test_it_reports_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error: ConnectionRefusedError"
    assert body["tasks"].startswith("ok")


@pytest.mark.django_db
def test_it_reports_503_when_the_task_queue_is_down(client, monkeypatch):
    def unreachable():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(djhuey.HUEY, "pending_count", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "tasks": "error: ConnectionError",
    }


# --- typed environment helpers


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please", "truee"])
def test_it_rejects_a_boolean_that_is_not_one(monkeypatch, raw):
    monkeypatch.setenv("DEBUG", raw)
    with pytest.raises(
        ConfigurationError, match=r"^DEBUG must be one of .*got " + re.escape(repr(raw))
    ):
        env_bool("DEBUG", False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG", not expected) is expected


def test_it_uses_the_default_when_a_variable_is_unset(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    assert env_bool("DEBUG", True) is True
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    assert env_list("ALLOWED_HOSTS", ["localhost"]) == ["localhost"]


def test_it_reads_lists(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example.org, ,b.example.org ")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example.org", "b.example.org"]


def test_it_rejects_a_database_url_with_an_unsupported_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://user@db/whatworks")
    with pytest.raises(
        ConfigurationError,
        match=r"^DATABASE_URL must start with one of: postgres, postgresql, sqlite; got 'mysql'",
    ):
        env_url("DATABASE_URL", {"postgres", "postgresql", "sqlite"})


def test_it_rejects_a_postgres_url_without_a_database_name(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db:5432/")
    with pytest.raises(ConfigurationError, match="^DATABASE_URL must name a database"):
        env_url("DATABASE_URL", {"postgres", "postgresql", "sqlite"})


def test_it_accepts_good_urls_and_treats_blank_as_unset(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert env_url("REDIS_URL", {"redis", "rediss", "unix"}) == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("REDIS_URL", "   ")
    assert env_url("REDIS_URL", {"redis"}) is None


def test_it_rejects_a_short_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 31)
    with pytest.raises(ConfigurationError, match="^SECRET_KEY must be at least 32 characters"):
        secret_key(tmp_path, debug=True)


def test_it_requires_a_secret_key_when_not_debugging(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="^SECRET_KEY is not set"):
        secret_key(tmp_path, debug=False)
    assert not (tmp_path / "secret_key").exists()


def test_it_generates_a_development_secret_key_once(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    var = tmp_path / "var"
    first = secret_key(var, debug=True)
    assert len(first) >= 50
    assert secret_key(var, debug=True) == first
    assert (var / "secret_key").stat().st_mode & 0o777 == 0o600


def test_it_prefers_the_secret_key_from_the_environment(monkeypatch, tmp_path):
    key = secrets.token_urlsafe(40)
    monkeypatch.setenv("SECRET_KEY", f"  {key}  ")
    assert secret_key(tmp_path, debug=False) == key


# --- starting Django with bad or production settings (subprocesses: settings load once)


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "PYTEST_VERSION",
            "DATABASE_URL",
            "REDIS_URL",
            "CACHE_URL",
            "NOTIFY_API_KEY",
            "EMAIL_HOST",
            "MESSAGE_BACKEND",
            "SECURE_SSL_REDIRECT",
            "HUEY_IMMEDIATE",
            "EMAIL_USE_TLS",
            # Set by the browser tests' conftest for Playwright's event loop; never in production.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40)[:50],
        ALLOWED_HOSTS="whatworks.example.org",
        SITE_URL="https://whatworks.example.org",
        WHATWORKS_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings",
        CACHE_URL="database",  # production needs a shared cache (see the tests below)
    )
    env.update(overrides)
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard, not a speed check
    )


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "SECRET_KEY"),
        ({"SECRET_KEY": "abcdefgh" * 6}, "SECRET_KEY"),
        ({"CACHE_URL": ""}, "CACHE_URL"),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8,not-a-network"}, "TRUSTED_PROXIES"),
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL"),
        ({"MESSAGE_BACKEND": "carrier-pigeon"}, "MESSAGE_BACKEND"),
        ({"MESSAGE_BACKEND": "notify"}, "NOTIFY_API_KEY"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"SITE_URL": ""}, "SITE_URL"),
        ({"SITE_URL": "http://whatworks.example.org"}, "SITE_URL"),
        ({"SITE_URL": "https://elsewhere.example.org"}, "ALLOWED_HOSTS"),
        ({"EMAIL_HOST": "smtp.example.org", "EMAIL_USE_TLS": "0"}, "EMAIL_USE_TLS"),
        ({"NOTIFY_BASE_URL": "http://notify.example.org"}, "NOTIFY_BASE_URL"),
        ({"OUTBOX_RETRY_BASE_SECONDS": "0"}, "OUTBOX_RETRY_BASE_SECONDS"),
        ({"ATTACHMENTS_STORAGE": "nowhere.at.all.Storage"}, "ATTACHMENTS_STORAGE"),
        ({"ATTACHMENTS_STORAGE": "django.core.files.storage."}, "ATTACHMENTS_STORAGE"),
        (
            {
                "ATTACHMENTS_STORAGE": "django.core.files.storage.FileSystemStorage",
                "ATTACHMENTS_STORAGE_OPTIONS": "[1, 2]",
            },
            "ATTACHMENTS_STORAGE_OPTIONS",
        ),
    ],
)
def test_it_refuses_to_start_with_a_bad_setting(tmp_path, overrides, variable):
    result = _manage(_production_env(tmp_path, **overrides), "check")
    assert result.returncode != 0
    # One clear line, no traceback.
    assert result.stderr.startswith("Configuration error: "), result.stderr
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert variable in last_line, result.stderr


def test_it_names_every_unsafe_production_setting_at_once(tmp_path):
    env = _production_env(
        tmp_path, ALLOWED_HOSTS="*", SITE_URL="http://x.example.org", EMAIL_HOST="smtp.example.org",
        EMAIL_USE_TLS="0",
    )  # fmt: skip
    result = _manage(env, "check")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    for variable in (
        "ALLOWED_HOSTS must list",
        "SITE_URL must start with https://",
        "EMAIL_USE_TLS",
    ):
        assert variable in message, result.stderr


def test_it_accepts_a_subdomain_pattern_and_a_local_address_without_tls():
    from config.production import problems

    ok = dict(email_host=None, email_use_tls=True)
    assert problems(allowed_hosts=[".example.org"], site_url="https://w.example.org", **ok) == []
    assert problems(allowed_hosts=["127.0.0.1"], site_url="http://127.0.0.1:8000", **ok) == []
    assert problems(
        allowed_hosts=["w.example.org"], site_url="https://w.example.org", email_host="localhost",
        email_use_tls=False,
    ) == []  # fmt: skip
    # A pattern must match the whole host: "example.org" does not allow "evil-example.org".
    assert problems(allowed_hosts=[".example.org"], site_url="https://evilexample.org", **ok)


def test_it_passes_the_deploy_checks_with_production_settings(tmp_path):
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_fails_the_deploy_checks_when_debugging(tmp_path):
    """The test above must be able to fail: DEBUG on is a deploy warning."""
    result = _manage(
        _production_env(tmp_path, DEBUG="1"), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


# --- security headers


@pytest.mark.django_db
def test_it_sends_the_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-Id"])

    directives = {
        name: values
        for name, *values in (
            part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()
        )
    }
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives.get("style-src", [])
    [nonce] = [v for v in directives["script-src"] if v.startswith("'nonce-")]
    # The one inline script carries the same nonce.
    assert f'<script nonce="{nonce[7:-1]}">' in response.content.decode()


@pytest.mark.django_db
def test_it_uses_a_fresh_nonce_for_every_response(client):
    def nonce() -> str:
        return re.search(r"'nonce-([^']+)'", client.get("/")["Content-Security-Policy"]).group(1)

    assert nonce() != nonce()


def test_it_reads_the_notify_settings_from_the_environment(tmp_path):
    env = _production_env(
        tmp_path,
        NOTIFY_API_KEY="test-key",
        NOTIFY_DEFAULT_TEMPLATE_ID="33333333-aaaa-bbbb-cccc-000000000003",
    )
    script = (
        "from django.conf import settings; "
        "print(settings.MESSAGE_BACKEND, settings.NOTIFY_DEFAULT_TEMPLATE_ID)"
    )
    result = _manage(env, "shell", "-v", "0", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["notify", "33333333-aaaa-bbbb-cccc-000000000003"]


def test_it_reads_notify_template_ids_as_a_json_object(monkeypatch):
    from config.env import ConfigurationError, env_json_object

    monkeypatch.setenv("NOTIFY_TEMPLATE_IDS", '{"invitation": "abc"}')
    assert env_json_object("NOTIFY_TEMPLATE_IDS") == {"invitation": "abc"}
    for bad in ["[1]", "{not json", '{"a": 1}']:
        monkeypatch.setenv("NOTIFY_TEMPLATE_IDS", bad)
        with pytest.raises(ConfigurationError, match="NOTIFY_TEMPLATE_IDS"):
            env_json_object("NOTIFY_TEMPLATE_IDS")


@pytest.mark.parametrize("raw", ["x", "0", "-3", "2.5"])
def test_it_refuses_a_bad_whole_number(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    from config.env import ConfigurationError, env_int

    monkeypatch.setenv("SOME_LIMIT", raw)
    with pytest.raises(ConfigurationError, match=r"^SOME_LIMIT must be a whole number"):
        env_int("SOME_LIMIT", 20, minimum=1)


def test_it_reads_a_whole_number_or_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.env import env_int

    monkeypatch.delenv("SOME_LIMIT", raising=False)
    assert env_int("SOME_LIMIT", 20) == 20
    monkeypatch.setenv("SOME_LIMIT", " 7 ")
    assert env_int("SOME_LIMIT", 20) == 7


# --- SECRET_KEY strength, shared cache in production


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("x" * 50, "different characters"),  # the reproduction: accepted before
        ("ab" * 25, "different characters"),
        ("abcdefgh" * 6, "repeats a pattern"),
        ("abcdefghijklmnop" * 3, "repeats a pattern"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefgh", "predictable"),
    ],
)
def test_it_refuses_a_long_but_weak_secret_key(monkeypatch, tmp_path, key, why):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigurationError, match=f"^SECRET_KEY .*{why}"):
        secret_key(tmp_path, debug=False)


def test_it_accepts_generated_secret_keys(monkeypatch, tmp_path):
    # Django's own generator, and the two the README suggests; each from many draws.
    from django.core.management.utils import get_random_secret_key

    for make in (get_random_secret_key, lambda: secrets.token_urlsafe(50)):
        for _ in range(200):
            key = make()
            monkeypatch.setenv("SECRET_KEY", key)
            assert secret_key(tmp_path, debug=False) == key


def test_it_uses_redis_or_the_database_as_the_shared_cache(tmp_path):
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    for url, backend in [
        ("database", "django.core.cache.backends.db.DatabaseCache"),
        ("redis://127.0.0.1:6379/12", "whatworks.core.cache_backends.TolerantRedisCache"),
    ]:
        result = _manage(_production_env(tmp_path, CACHE_URL=url), "shell", "-v", "0", "-c", script)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == backend
    # REDIS_URL alone is enough: the cache goes where the task queue goes.
    env = _production_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/12")
    env.pop("CACHE_URL")
    result = _manage(env, "shell", "-v", "0", "-c", script)
    expected = "whatworks.core.cache_backends.TolerantRedisCache"
    assert result.stdout.strip() == expected, result.stderr


def test_it_refuses_per_process_memory_as_the_cache_in_production(tmp_path):
    env = _production_env(tmp_path)
    env.pop("CACHE_URL")
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "CACHE_URL is not set" in result.stderr
    assert "every app server must share one cache" in result.stderr
    # Development keeps local memory.
    result = _manage({**env, "DEBUG": "1"}, "check")
    assert result.returncode == 0, result.stderr


def test_it_makes_the_database_cache_table_when_migrating(tmp_path):
    env = _production_env(tmp_path)
    assert _manage(env, "migrate", "--no-input", "-v", "0").returncode == 0
    script = (
        "from django.core.cache import cache; cache.set('k', 'shared', 60); print(cache.get('k'))"
    )
    result = _manage(env, "shell", "-v", "0", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "shared"
