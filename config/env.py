"""Typed readers for environment variables that fail loudly on bad values.

Settings are read once at start; a wrong value must stop the process with a message
that names the variable, not surface later as a confusing error deep in a request.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlparse


class ConfigurationError(RuntimeError):
    pass


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConfigurationError(
            f"{name} must be a whole number of at least {minimum}; got {raw!r}."
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_json_object(name: str) -> dict[str, str]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigurationError(f"{name} must be a JSON object: {error}.") from error
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigurationError(f'{name} must be a JSON object of strings, like {{"a": "b"}}.')
    return value


def env_url(name: str, schemes: set[str]) -> str | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ConfigurationError(
            f"{name} must start with one of: {allowed}; got {parsed.scheme!r}."
        )
    if parsed.scheme.startswith("postgres") and not parsed.path.strip("/"):
        raise ConfigurationError(f"{name} must name a database, e.g. postgres://user@host/dbname.")
    return raw


def secret_key(var_dir: Path, debug: bool) -> str:
    """SECRET_KEY from the environment; in development, one generated once into var/."""
    raw = os.environ.get("SECRET_KEY", "").strip()
    if raw:
        if len(raw) < 32:
            raise ConfigurationError("SECRET_KEY must be at least 32 characters long.")
        return raw
    if not debug:
        raise ConfigurationError(
            "SECRET_KEY is not set. Set it (50+ random characters) or set DEBUG=1 for development."
        )
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
