"""Image uploads: the pixel count declared in the header is capped (decompression bombs)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from servicedesk_tickets.attachments.dimensions import ImageSize
from servicedesk_tickets.config import Settings

LIMIT = 50_000_000  # the default TICKETS_ATTACHMENT_MAX_PIXELS the test settings keep


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    head = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return b"\x89PNG\r\n\x1a\n" + head + bytes(40)


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + bytes(30)


def jpeg(width: int, height: int, app_bytes: int = 14) -> bytes:
    """SOI, an APP1 segment of `app_bytes` (EXIF, ICC … may be large), then SOF0."""
    app = b"\xff\xe1" + struct.pack(">H", app_bytes + 2) + b"E" * app_bytes
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app + b"\xff\xff" + sof + b"\xff\xda" + bytes(40)


def webp_vp8x(width: int, height: int) -> bytes:
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + struct.pack("<I", 10) + bytes(4) + canvas
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk + bytes(20)


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | (height - 1) << 14
    chunk = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk + bytes(20)


def webp_vp8(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", width, height)
    chunk = b"VP8 " + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk + bytes(20)


def stored_files(settings) -> set[Path]:
    directory = Path(settings.attachments_dir)
    return set(directory.iterdir()) if directory.exists() else set()


BOMBS = [
    pytest.param(png(50_000, 50_000), "bomb.png", id="png"),
    pytest.param(gif(65_535, 65_535), "bomb.gif", id="gif"),
    pytest.param(jpeg(60_000, 60_000), "bomb.jpg", id="jpeg"),
    pytest.param(jpeg(60_000, 60_000, app_bytes=20_000), "late-sof.jpg", id="jpeg-big-exif"),
    pytest.param(webp_vp8x(16_000, 16_000), "bomb.webp", id="webp-vp8x"),
    pytest.param(webp_vp8l(16_000, 16_000), "lossless.webp", id="webp-vp8l"),
    pytest.param(webp_vp8(16_000, 16_000), "lossy.webp", id="webp-vp8"),
    pytest.param(png(LIMIT // 5000 + 1, 5000), "just-over.png", id="png-just-over"),
]


@pytest.mark.parametrize(("content", "name"), BOMBS)
async def test_an_image_declaring_too_many_pixels_is_422_and_leaves_no_file(
    api, settings, content, name
):
    ticket = await api.create("user_a")
    before = stored_files(settings)
    response = await api.upload("user_a", ticket["id"], content, name)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "image_too_large"
    assert "pixels" in response.json()["detail"]
    assert stored_files(settings) == before


SMALL = [
    pytest.param(png(640, 480), "image/png", id="png"),
    pytest.param(png(LIMIT // 5000, 5000), "image/png", id="png-at-the-limit"),
    pytest.param(gif(16, 16), "image/gif", id="gif"),
    pytest.param(jpeg(1920, 1080, app_bytes=3000), "image/jpeg", id="jpeg"),
    pytest.param(webp_vp8x(800, 600), "image/webp", id="webp-vp8x"),
    pytest.param(webp_vp8l(800, 600), "image/webp", id="webp-vp8l"),
    pytest.param(webp_vp8(800, 600), "image/webp", id="webp-vp8"),
]


@pytest.mark.parametrize(("content", "content_type"), SMALL)
async def test_ordinary_images_are_still_accepted(api, content, content_type):
    ticket = await api.create("user_a")
    response = await api.upload("user_a", ticket["id"], content, "picture")
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == content_type


async def test_the_refusal_is_documented_in_the_openapi(client):
    spec = (await client.get("/openapi.json")).json()
    responses = spec["paths"]["/api/tickets/{ticket_id}/attachments"]["post"]["responses"]
    assert "image_too_large" in responses["422"]["description"]


def test_the_pixel_limit_is_a_setting(monkeypatch):
    assert Settings().attachment_max_pixels == LIMIT
    monkeypatch.setenv("TICKETS_ATTACHMENT_MAX_PIXELS", "1000")
    assert Settings().attachment_max_pixels == 1000


@pytest.mark.parametrize(
    ("content", "size"),
    [
        (png(7, 9), (7, 9)),
        (gif(7, 9), (7, 9)),
        (jpeg(7, 9, app_bytes=700), (7, 9)),
        (webp_vp8x(7, 9), (7, 9)),
        (webp_vp8l(7, 9), (7, 9)),
        (webp_vp8(7, 9), (7, 9)),
        (b"\xff\xd8\xff\xda" + bytes(40), None),
        (b"%PDF-1.7", None),
        (b"plain text", None),
    ],
)
def test_the_size_is_read_whatever_the_chunking(content, size):
    for step in (1, 3, len(content)):
        image = ImageSize()
        for start in range(0, len(content), step):
            image.feed(content[start : start + step])
        assert image.size == size
