"""Attachments: the type comes from the bytes, never from the name or the browser's claim.

A file is accepted only when its bytes are one of the allowed kinds AND its name ends in an
extension of that kind, so an HTML page renamed to `report.pdf`, or a PDF renamed to
`data.csv`, is refused. Files live in the attachments storage (FORUM_ATTACHMENTS_DIR,
outside the web root, unless STORAGES["attachments"] names another store) with random
names and are served only by a view that checks the reader may see the thread.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

MAX_BYTES_DEFAULT = 5 * 1024 * 1024
MAX_FILES = 3


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = Kind("application/pdf", (".pdf",), "PDF")
PNG = Kind("image/png", (".png",), "PNG image")
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), "JPEG image")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
    "Word document",
)
XLSX = Kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
    "Excel spreadsheet",
)
CSV = Kind("text/csv", (".csv",), "CSV file")
TEXT = Kind("text/plain", (".txt",), "text file")
ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX, CSV, TEXT)
ALLOWED_LABEL = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV or plain text"

# Text that a browser could take for markup or script, whatever its name says.
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<head")


def max_bytes() -> int:
    return int(getattr(settings, "FORUM_ATTACHMENT_MAX_BYTES", MAX_BYTES_DEFAULT))


def _office_kind(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def _is_plain_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = text.lstrip().lower().encode()[:64]
    return not head.startswith(_MARKUP_STARTS)


def sniff(data: bytes) -> tuple[Kind, ...]:
    """The kinds these bytes can honestly be (text can be CSV or plain text)."""
    if data.startswith(b"%PDF-"):
        return (PDF,)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return (PNG,)
    if data.startswith(b"\xff\xd8\xff"):
        return (JPEG,)
    if data.startswith(b"PK\x03\x04"):
        kind = _office_kind(data)
        return (kind,) if kind else ()
    if _is_plain_text(data):
        return (CSV, TEXT)
    return ()


def check(filename: str, data: bytes) -> Kind:
    """The file's kind, or a ValidationError saying plainly why it is refused."""
    name = Path(filename).name
    if not data:
        raise ValidationError({"attachment": f"{name} is empty."})
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationError(
            {"attachment": f"{name} is larger than {limit // (1024 * 1024)} MB: make it smaller."}
        )
    extension = Path(name).suffix.lower()
    kinds = sniff(data)
    if not kinds:
        raise ValidationError(
            {"attachment": f"{name} is not a type we accept. Attach a {ALLOWED_LABEL}."}
        )
    for kind in kinds:
        if extension in kind.extensions:
            return kind
    raise ValidationError(
        {
            "attachment": f"{name} is a {kinds[0].label}, not what its name says: "
            "rename it or attach the file you meant."
        }
    )


def safe_filename(filename: str) -> str:
    name = Path(filename).name.replace("\x00", "")
    keep = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip(" .")
    return (keep or "attachment")[:150]


def storage() -> Storage:
    """Where attachments are kept, through Django's storage API, so that every app server
    reads and writes one store: STORAGES["attachments"] when it is configured (an object
    store, say), otherwise FORUM_ATTACHMENTS_DIR (a directory every server mounts)."""
    if "attachments" in settings.STORAGES:
        return storages["attachments"]
    return FileSystemStorage(location=settings.FORUM_ATTACHMENTS_DIR)


def store(data: bytes) -> tuple[str, str]:
    """Write the bytes under a random name; return (stored name, sha256)."""
    stored = storage().save(secrets.token_hex(20), ContentFile(data))
    return stored, hashlib.sha256(data).hexdigest()


def open_stored(stored_name: str) -> IO[bytes]:
    if not stored_name.isalnum():  # our own hex names only: no path can escape the store
        raise ValueError("Bad stored attachment name.")
    return storage().open(stored_name, "rb")
