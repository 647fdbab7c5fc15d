"""Attachments: size and type limits, the type read from the bytes, stored outside the web
root, and served only through a permission check with safe headers."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.forum.helpers import group_board
from whatworks.forum import attachments, services
from whatworks.forum.models import Attachment, Post, Thread
from whatworks.forum.services import Upload

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _start(world: Any, board: Any, *files: Upload) -> Thread:
    return services.thread_start(
        board=board, author=world["officer"], title="Evaluation report", body="Attached.",
        uploads=list(files),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("chart.png", PNG, "image/png"),
        ("notes.docx", _docx(), attachments.DOCX.content_type),
        ("figures.csv", b"month,calls\n2017-01,340\n", "text/csv"),
    ],
)  # fmt: skip
def test_it_accepts_allowed_files_by_their_bytes(
    world: Any, board: Any, name: str, data: bytes, content_type: str, _attachments_dir: Any
) -> None:
    thread = _start(world, board, Upload(name, data))
    attachment = Attachment.objects.get(post__thread=thread)
    assert attachment.content_type == content_type
    stored = _attachments_dir / attachment.stored_name
    assert stored.read_bytes() == data
    assert attachment.filename == name


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "not a type we accept"),
        ("report.pdf", b"month,calls\n2017-01,340\n", "not what its name says"),
        ("report.pdf", b"<!DOCTYPE html><p>hi</p>", "not a type we accept"),
        ("photo.png", PDF, "not what its name says"),
        ("run.exe", b"MZ\x90\x00\x03" + b"\x00" * 60, "not a type we accept"),
        ("data.csv", b"<svg onload=alert(1)>", "not a type we accept"),
        ("sheet.xlsx", b"PK\x03\x04not really a zip", "not a type we accept"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_it_refuses_disguised_or_unknown_files_and_saves_nothing(
    world: Any, board: Any, name: str, data: bytes, says: str, _attachments_dir: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        _start(world, board, Upload(name, data))
    assert says in error.value.message_dict["attachment"][0]
    assert not Thread.objects.exists() and not Post.objects.exists()
    assert not Attachment.objects.exists()
    assert not _attachments_dir.exists() or not any(_attachments_dir.iterdir())


def test_it_refuses_an_oversized_file(world: Any, board: Any, settings: Any) -> None:
    settings.FORUM_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        _start(world, board, Upload("big.pdf", PDF + b"0" * 2000))
    assert "larger than" in error.value.message_dict["attachment"][0]
    assert not Thread.objects.exists()


def test_it_shows_the_refusal_on_the_page(client_for: Any, world: Any, board: Any) -> None:
    response = client_for(world["officer"]).post(
        reverse("forum-thread-new", kwargs={"slug": board.slug}),
        {
            "title": "Report",
            "body": "See attached",
            "attachment": SimpleUploadedFile("report.pdf", b"<html>x</html>", "application/pdf"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "not a type we accept" in html
    assert "#id_attachment" in html
    assert not Thread.objects.exists()


def test_it_serves_a_file_as_a_download_with_safe_headers(
    client_for: Any, world: Any, board: Any
) -> None:
    thread = _start(world, board, Upload("report.pdf", PDF))
    attachment = Attachment.objects.get(post__thread=thread)
    response = client_for(None).get(reverse("forum-attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_it_serves_a_group_file_only_to_members(client_for: Any, world: Any, group: Any) -> None:
    thread = _start(world, group_board(group), Upload("minutes.pdf", PDF))
    attachment = Attachment.objects.get(post__thread=thread)
    url = reverse("forum-attachment", kwargs={"pk": attachment.pk})
    for persona in ("anonymous", "admin", "moderator", "staff"):
        assert client_for(world[persona]).get(url).status_code == 404
    assert client_for(world["outsider"]).get(url).status_code == 200
