"""Attachments go through Django's storage API, so every app server can share one store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import InMemoryStorage

from whatworks.forum import attachments


def test_it_keeps_attachments_in_the_configured_store_and_reads_them_back(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    stored, digest = attachments.store(b"%PDF-1.4 shared")
    assert isinstance(attachments.storage(), InMemoryStorage)
    assert attachments.storage().exists(stored)
    with attachments.open_stored(stored) as handle:
        assert handle.read() == b"%PDF-1.4 shared"
    assert len(digest) == 64


def test_it_uses_the_attachments_directory_when_no_store_is_named(
    settings: Any, tmp_path: Path
) -> None:
    settings.FORUM_ATTACHMENTS_DIR = tmp_path
    stored, _ = attachments.store(b"plain bytes")
    assert (tmp_path / stored).read_bytes() == b"plain bytes"


@pytest.mark.parametrize("name", ["../settings.py", "a/b", ""])
def test_it_refuses_a_stored_name_that_could_leave_the_store(
    settings: Any, tmp_path: Path, name: str
) -> None:
    settings.FORUM_ATTACHMENTS_DIR = tmp_path
    with pytest.raises(ValueError):
        attachments.open_stored(name)
