"""Uploads: streamed to disk, typed by their bytes, capped, sanitised, safely downloaded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from .conftest import MAX_BYTES, QUOTA_BYTES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(50)
JPEG = b"\xff\xd8\xff\xe0" + bytes(40)
GIF = b"GIF89a" + bytes(30)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(30)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
PHP = b"<?php system($_GET['c']); ?>"


def stored_files(settings) -> set[Path]:
    directory = Path(settings.attachments_dir)
    return set(directory.iterdir()) if directory.exists() else set()


@pytest.mark.parametrize(
    ("content", "name", "claimed", "content_type", "filename"),
    [
        (PNG, "photo.png", "image/png", "image/png", "photo.png"),
        (JPEG, "pic.jpeg", "image/jpeg", "image/jpeg", "pic.jpg"),
        (GIF, "anim.gif", "image/gif", "image/gif", "anim.gif"),
        (WEBP, "x.webp", "image/webp", "image/webp", "x.webp"),
        (PDF, "report.pdf", "application/pdf", "application/pdf", "report.pdf"),
        ("Grüße, log\r\n\tline\n".encode(), "notes.log", "text/x-log", "text/plain", "notes.txt"),
        (PNG, "wrong.pdf", "application/pdf", "image/png", "wrong.png"),
        (PNG, "shell.php.png", "image/png", "image/png", "shell_php.png"),
        (b"hello\n", "../../etc/passwd", "text/plain", "text/plain", "passwd.txt"),
        (b"hello\n", "..\\..\\boot.ini", "text/plain", "text/plain", "boot.txt"),
        (b"hello\n", "re\u202eport\u200b.txt", "text/plain", "text/plain", "report.txt"),
        (b"hello\n", "\uff26\uff35\uff2c\uff2c.txt", "text/plain", "text/plain", "FULL.txt"),
        (b"hello\n", "..", "text/plain", "text/plain", "attachment.txt"),
        (b"hello\n", "a" * 300 + ".txt", "text/plain", "text/plain", "a" * 100 + ".txt"),
    ],
)
async def test_accepted_files_get_their_type_from_the_bytes_and_a_safe_name(
    api, content, name, claimed, content_type, filename
):
    ticket = await api.create("user_a")
    response = await api.upload("user_a", ticket["id"], content, name, claimed)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["content_type"], body["filename"]) == (content_type, filename)
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("content", "name", "claimed"),
    [
        (PHP, "avatar.png", "image/png"),
        (SVG, "logo.svg", "image/svg+xml"),
        (SVG, "logo.png", "image/png"),
        (b"<html><script>alert(1)</script></html>", "page.txt", "text/plain"),
        (b"  \n<script>alert(1)</script>", "notes.txt", "text/plain"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(100), "setup.exe", "application/octet-stream"),
        (b"PK\x03\x04" + bytes(100), "archive.zip", "application/zip"),
        (b"text with a \x00 NUL", "nul.txt", "text/plain"),
        (b"\xff\xfe not utf-8 \xc3\x28", "latin.txt", "text/plain"),
        (b"", "empty.txt", "text/plain"),
    ],
)
async def test_refused_types_are_415_and_leave_no_file(api, settings, content, name, claimed):
    ticket = await api.create("user_a")
    before = stored_files(settings)
    response = await api.upload("user_a", ticket["id"], content, name, claimed)
    assert response.status_code == 415, response.text
    assert stored_files(settings) == before


def raw_multipart(filename: bytes, content: bytes, boundary: str = "XyZb0undary") -> tuple:
    """A hand-made body, so the file name goes on the wire byte for byte (NUL included)."""
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + filename
        + b'"\r\n'
        + b"Content-Type: image/png\r\n\r\n"
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"evil\x00.php\x00.png", "evil_php.png"),
        (b"a\x01b\x1bc\x7f.png", "abc.png"),
        (b"/var/www/html/shell.php", "shell.png"),
        (b"C:\\temp\\..\\x.png", "x.png"),
    ],
)
async def test_nul_and_control_bytes_in_names_are_removed(api, raw, expected):
    ticket = await api.create("user_a")
    body, headers = raw_multipart(raw, PNG)
    url = f"/api/tickets/{ticket['id']}/attachments"
    response = await api.call("user_a", "POST", url, content=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == expected


async def test_a_binary_that_cannot_be_allowed_is_refused_before_it_is_all_read(api, settings):
    ticket = await api.create("user_a")
    content = b"\x7fELF" + bytes(MAX_BYTES - 10)
    response = await api.upload("user_a", ticket["id"], content, "a.out")
    assert response.status_code == 415


async def test_an_oversized_file_is_413_and_no_partial_file_is_left(api, settings):
    ticket = await api.create("user_a")
    before = stored_files(settings)
    response = await api.upload("user_a", ticket["id"], b"a" * (MAX_BYTES + 1), "big.txt")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert stored_files(settings) == before


async def test_the_size_limit_holds_even_when_content_length_is_absent(api, settings):
    ticket = await api.create("user_a")
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="x.txt"\r\nContent-Type: text/plain\r\n\r\n'
    ).encode()

    async def body():
        yield head
        for _ in range(MAX_BYTES // 4096 + 2):
            yield b"a" * 4096
        yield f"\r\n--{boundary}--\r\n".encode()

    before = stored_files(settings)
    response = await api.call(
        "user_a",
        "POST",
        f"/api/tickets/{ticket['id']}/attachments",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert stored_files(settings) == before


async def test_the_per_user_quota_is_enforced(api, settings):
    ticket = await api.create("user_a")
    chunk = b"q" * (MAX_BYTES - 100)
    uploads = QUOTA_BYTES // len(chunk)
    for _ in range(uploads):
        assert (await api.upload("user_a", ticket["id"], chunk, "q.txt")).status_code == 201
    before = stored_files(settings)
    response = await api.upload("user_a", ticket["id"], chunk, "q.txt")
    assert response.status_code == 413
    assert response.json()["code"] == "quota_exceeded"
    assert stored_files(settings) == before
    assert (
        await api.upload("user_b", (await api.create("user_b"))["id"], b"ok\n")
    ).status_code == 201


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": {"file": "not a file"}}, 422),
        ({"json": {"file": "x"}}, 422),
        ({"files": {"other": ("x.txt", b"x\n", "text/plain")}}, 422),
    ],
)
async def test_a_body_without_a_file_part_is_422(api, kwargs, status):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}/attachments"
    response = await api.call("user_a", "POST", url, **kwargs)
    assert response.status_code == status
    assert response.json()["code"] == "bad_upload"


async def test_downloads_are_attachments_with_nosniff_and_a_sandbox(api):
    ticket = await api.create("user_a")
    content = "Grüße\n".encode()
    uploaded = (await api.upload("user_a", ticket["id"], content, "Grüße «ok».txt")).json()
    url = f"/api/tickets/{ticket['id']}/attachments/{uploaded['id']}"
    response = await api.call("agent_tts", "GET", url)
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''Gr%C3%BC%C3%9Fe_%C2%ABok%C2%BB.txt" in disposition


async def test_files_are_stored_under_server_generated_names(api, settings):
    ticket = await api.create("user_a")
    before = stored_files(settings)
    await api.upload("user_a", ticket["id"], PNG, "../../../../tmp/owned.png")
    (new,) = stored_files(settings) - before
    assert new.parent == Path(settings.attachments_dir)
    assert len(new.name) == 32 and "." not in new.name
    assert new.read_bytes() == PNG
    assert oct(new.stat().st_mode & 0o777) == "0o600"


async def test_the_list_shows_the_tickets_attachments_and_the_upload_is_audited(api):
    ticket = await api.create("user_a")
    await api.upload("user_a", ticket["id"], PDF, "a.pdf")
    listing = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}/attachments")).json()
    assert [a["filename"] for a in listing] == ["a.pdf"]
    history = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}/history")).json()
    assert history[-1]["action"] == "attachment.added"
