"""Typed readers for environment variables that fail loudly on bad values.

Settings are read once at start; a wrong value must stop the process with a message
that names the variable, not surface later as a confusing error deep in a request.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import math
import os
import secrets
from collections import Counter
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


def env_networks(name: str) -> list[str]:
    """A comma-separated list of IP networks in CIDR form (a bare address is one host)."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigurationError(
                f"{name} must list IP addresses or networks like 10.0.0.0/8; got {item!r}."
            ) from None
    return networks


def env_import_path(name: str) -> str:
    """A dotted path to a class, whose module must be importable (checked without importing)."""
    raw = os.environ.get(name, "").strip()
    module, _, attribute = raw.rpartition(".")
    try:
        found = bool(module) and importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found or not attribute.isidentifier():
        raise ConfigurationError(
            f"{name} must be a dotted path to a class in an installed module; got {raw!r}."
        )
    return raw


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


# A key must be long and look random: 50 times "x" is 50 characters and no secret at all.
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_DISTINCT = 8
SECRET_KEY_MIN_BITS = 90


def secret_key_weakness(key: str) -> str:
    """Why `key` is too weak to sign sessions and tokens, or "" when it will do.

    Cheap tests against keys a person typed rather than generated: too short; too few
    different characters; too little information by the empirical Shannon entropy of its
    characters times its length (a generated 32-character hex key has about 110 bits,
    "abab..." 1 bit a character); or a repeated pattern (at some shift of up to half its
    length, most characters equal the one that far ahead, as in "abcdefgh" * 6).
    """
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"must be at least {SECRET_KEY_MIN_LENGTH} characters long"
    counts = Counter(key)
    if len(counts) < SECRET_KEY_MIN_DISTINCT:
        return (
            f"must use at least {SECRET_KEY_MIN_DISTINCT} different characters "
            f"(it uses {len(counts)}): generate it, e.g. with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    if bits < SECRET_KEY_MIN_BITS:
        return (
            f"looks too predictable (about {bits:.0f} bits of entropy, at least "
            f"{SECRET_KEY_MIN_BITS} needed): generate a random one"
        )
    if _periodic(key):
        return "repeats a pattern: generate a random one"
    return ""


def _periodic(key: str) -> bool:
    for shift in range(1, len(key) // 2 + 1):
        overlap = len(key) - shift
        if sum(a == b for a, b in zip(key, key[shift:], strict=False)) * 2 >= overlap:
            return True
    return False


def secret_key(var_dir: Path, debug: bool) -> str:
    """SECRET_KEY from the environment; in development, one generated once into var/."""
    raw = os.environ.get("SECRET_KEY", "").strip()
    if raw:
        weakness = secret_key_weakness(raw)
        if weakness:
            raise ConfigurationError(f"SECRET_KEY {weakness}.")
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
