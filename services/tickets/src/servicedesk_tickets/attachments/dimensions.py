"""An image's declared width x height, read from its header as the bytes stream past.

A few bytes can claim 50,000 x 50,000 pixels (a "decompression bomb" for whatever later
decodes it: a thumbnailer, the browser), so uploads are capped by pixel count too. Only
headers are read, never pixel data:

- PNG: the IHDR chunk, which must come first (bytes 16-24, big-endian).
- GIF: the logical screen (bytes 6-10, little-endian).
- WebP: the first chunk, `VP8X` (24-bit canvas size), `VP8L` (14-bit sizes) or `VP8 `
  (the key frame's 14-bit sizes); https://developers.google.com/speed/webp/docs/riff_container
- JPEG: the first SOFn frame header, reached by walking the marker segments and skipping
  each by its length (EXIF or ICC segments before it can be many KiB), so memory stays
  at one chunk. https://www.w3.org/Graphics/JPEG/itu-t81.pdf, B.1.1 and B.2.2.

A header that cannot be read gives no size: the type check (sniff.py) decides alone.
"""

from __future__ import annotations

HEAD = 30
# SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length: TEM, RST0-7, SOI.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


def head_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from the first 30 bytes of a PNG, GIF or WebP; else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and len(head) >= 24:
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and len(head) >= HEAD:
        return _webp_size(head[12:16], head)
    return None


def _webp_size(chunk: bytes, head: bytes) -> tuple[int, int] | None:
    if chunk == b"VP8X":
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    if chunk == b"VP8L":
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = int.from_bytes(head[26:28], "little"), int.from_bytes(head[28:30], "little")
        return width & 0x3FFF, height & 0x3FFF
    return None


class _JpegFrame:
    """Walks JPEG marker segments chunk by chunk up to the first frame header."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.skip = 0
        self.done = False
        self.size: tuple[int, int] | None = None

    def feed(self, chunk: bytes) -> None:
        if self.done:
            return
        self.buffer += chunk
        while not self.done and self._step():
            pass

    def _step(self) -> bool:
        """Consume one marker or skip; False when more bytes are needed."""
        if self.skip:
            taken = min(self.skip, len(self.buffer))
            del self.buffer[:taken]
            self.skip -= taken
            return not self.skip
        buffer = self.buffer
        if len(buffer) < 2:
            return False
        if buffer[0] != 0xFF or buffer[1] in (0xD9, 0xDA):  # not a marker, EOI, SOS
            self.done = True
        elif buffer[1] == 0xFF:  # fill byte before a marker
            del buffer[:1]
        elif buffer[1] in _STANDALONE:
            del buffer[:2]
        elif len(buffer) < 9:
            return False
        elif buffer[1] in _SOF:
            height, width = int.from_bytes(buffer[5:7], "big"), int.from_bytes(buffer[7:9], "big")
            self.size, self.done = (width, height), True
        else:
            self.skip = 2 + int.from_bytes(buffer[2:4], "big")
        return True


class ImageSize:
    """Feed it every chunk; `pixels` is the declared width x height once known, else 0."""

    def __init__(self) -> None:
        self.head = b""
        self._jpeg: _JpegFrame | None = _JpegFrame()

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD:
            self.head += chunk[: HEAD - len(self.head)]
            if len(self.head) >= 3 and not self.head.startswith(b"\xff\xd8\xff"):
                self._jpeg = None
        if self._jpeg is not None:
            self._jpeg.feed(chunk)

    @property
    def size(self) -> tuple[int, int] | None:
        return head_size(self.head) or (self._jpeg.size if self._jpeg else None)

    @property
    def pixels(self) -> int:
        size = self.size
        return size[0] * size[1] if size else 0
