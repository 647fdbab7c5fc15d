"""Each campaign's own key, kept outside the database and destroyed when taking part ends.

While a campaign runs, the keyed hashes that stand in for anonymous authors and voters
(identity.py) must be recomputable: an author edits their idea, a second vote is refused.
So a key exists, but it is the campaign's own: 32 random bytes in a file under
IDEAS_KEY_DIR, never in the database (whose readers and backups see only the hashes and the
key's fingerprint, which reveals nothing of it). When the campaign closes (it moves to its
review, or a day passes after its closing date) `keys_destroy`:

1. replaces every stored hash with a fresh random value: a vote's keeps matching the same
   person's other votes in this campaign (a merge must not count anyone twice), an idea's,
   a comment's and a participation's become unrelated to anything;
2. overwrites the key file and removes it.

After that nobody, holding the database and every key and setting that still exists, can
recompute a hash and name its author or voter. The limits (a backup of the key directory
made while the campaign ran, someone watching the pages during it) are in docs/anonymity.md.

Campaigns created before per-campaign keys (no fingerprint) use the old site-wide key
derived from SECRET_KEY until they close; step 1 then unlinks them just the same.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from whatworks.core import audit
from whatworks.ideas.models import Ballot, Campaign, Comment, Idea, Participation, Vote

log = logging.getLogger(__name__)
KEY_BYTES = 32


class TakingPartClosed(Exception):
    """The campaign's key is destroyed: nobody takes part any more."""


class KeyMissing(RuntimeError):
    """The key file of a running campaign is gone (a lost volume, servers not sharing the
    directory). Never replaced silently: a new key would let everyone vote again."""


def _path(campaign_id: int) -> Path:
    return Path(settings.IDEAS_KEY_DIR) / f"campaign-{campaign_id}.key"


def fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"whatworks.ideas.key-fingerprint|" + key).hexdigest()


def key_create(campaign: Campaign) -> None:
    """Make the campaign's key (when the campaign is created) and note its fingerprint."""
    key = secrets.token_bytes(KEY_BYTES)
    path = _path(campaign.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_TRUNC, not O_EXCL: a file left by a rolled-back creation with the same id belongs
    # to no campaign (the id is this new campaign's), and is replaced.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    Campaign.objects.filter(pk=campaign.pk).update(key_fingerprint=fingerprint(key))
    campaign.key_fingerprint = fingerprint(key)


def campaign_key(campaign_id: int) -> bytes:
    campaign = (
        Campaign.objects.filter(pk=campaign_id)
        .only("pk", "key_fingerprint", "keys_destroyed_at")
        .first()
    )
    if campaign is None:
        raise TakingPartClosed
    return key_of(campaign)


def key_of(campaign: Campaign) -> bytes:
    """The campaign's key; TakingPartClosed once destroyed, KeyMissing if the file is gone."""
    if campaign.keys_destroyed_at is not None:
        raise TakingPartClosed
    if not campaign.key_fingerprint:
        return str(settings.IDEAS_AUTHOR_KEY).encode()  # a campaign from before: see above
    try:
        key = _path(campaign.pk).read_bytes()
    except FileNotFoundError:
        raise KeyMissing(
            f"The key of campaign {campaign.pk} is missing from IDEAS_KEY_DIR "
            f"({settings.IDEAS_KEY_DIR}): restore it from where it was kept, or close the "
            "campaign."
        ) from None
    if fingerprint(key) != campaign.key_fingerprint:
        raise KeyMissing(f"The key file of campaign {campaign.pk} is not the campaign's key.")
    return key


def _rekey(model: Any, field: str, campaign_field: str, campaign: Campaign, *, keep: bool) -> None:
    """Replace each stored hash with a random value; `keep`: equal hashes stay equal."""
    rows = model.objects.filter(**{campaign_field: campaign}).exclude(**{field: ""})
    if keep:
        for old in set(rows.values_list(field, flat=True)):
            rows.filter(**{field: old}).update(**{field: secrets.token_hex(32)})
        return
    for pk in list(rows.values_list("pk", flat=True)):
        model.objects.filter(pk=pk).update(**{field: secrets.token_hex(32)})


def _shred(campaign_id: int) -> None:
    """Overwrite the key file, then remove it (after the commit that closes the campaign)."""
    path = _path(campaign_id)
    try:
        with path.open("r+b") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    except FileNotFoundError:
        return
    except OSError:
        log.exception("Could not remove the key file of campaign %s", campaign_id)


@transaction.atomic
def keys_destroy(*, campaign: Campaign, actor: Any = None) -> bool:
    """Close taking part for good: unlink every stored hash and destroy the key. Returns
    False if it was done already."""
    stored = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if stored.keys_destroyed_at is not None:
        return False
    # Votes and ballots keep matching each other (the panel may still merge ideas); the
    # rest need not match anything any more.
    mapping: dict[str, str] = {}
    for model in (Vote, Ballot):
        for old in set(model.objects.filter(campaign=stored).values_list("voter_key", flat=True)):
            mapping.setdefault(old, secrets.token_hex(32))
    for old, new in mapping.items():
        Vote.objects.filter(campaign=stored, voter_key=old).update(voter_key=new)
        Ballot.objects.filter(campaign=stored, voter_key=old).update(voter_key=new)
    _rekey(Idea, "author_key", "campaign", stored, keep=False)
    _rekey(Comment, "author_key", "idea__campaign", stored, keep=False)
    _rekey(Participation, "person_key", "campaign", stored, keep=False)
    stored.keys_destroyed_at = timezone.now()
    stored.save(update_fields=["keys_destroyed_at"])
    campaign.keys_destroyed_at = stored.keys_destroyed_at
    audit.record("ideas.keys_destroyed", actor=actor, obj=stored, organisation=stored.organisation)
    campaign_id = stored.pk
    transaction.on_commit(lambda: _shred(campaign_id))
    return True


def keys_destroy_due(today: Any = None) -> int:
    """Close the keys of campaigns whose closing date has passed (a day's grace for people
    finishing on the last evening), and remove any key file a failed shred left behind."""
    today = today or timezone.localdate()
    count = 0
    for campaign in Campaign.objects.filter(
        keys_destroyed_at__isnull=True, closes_on__lt=today - timedelta(days=1)
    ):
        count += keys_destroy(campaign=campaign)
    for campaign_id in Campaign.objects.filter(keys_destroyed_at__isnull=False).values_list(
        "pk", flat=True
    ):
        if _path(campaign_id).exists():
            _shred(campaign_id)
    return count
