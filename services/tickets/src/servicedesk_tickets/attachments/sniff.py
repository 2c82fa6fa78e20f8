"""Decide a file's type from its bytes as they stream past, against an allow-list.

Never from the client's Content-Type or the file name. Binary types by magic number
(PNG, JPEG, GIF, WebP, PDF); anything else is plain text only if every byte is valid
UTF-8 without NUL or other control characters, and it does not open like markup (`<`):
SVG and HTML can carry script, and `<?php` in a ".png" is neither an image nor text.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

HEAD = 512
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class FileType(NamedTuple):
    content_type: str
    extension: str


PNG = FileType("image/png", "png")
JPEG = FileType("image/jpeg", "jpg")
GIF = FileType("image/gif", "gif")
WEBP = FileType("image/webp", "webp")
PDF = FileType("application/pdf", "pdf")
TEXT = FileType("text/plain", "txt")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"%PDF-", PDF),
)


def binary_type(head: bytes) -> FileType | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


class Sniffer:
    """Feed it every chunk; `result()` is the allowed type, or None (refuse with 415)."""

    def __init__(self) -> None:
        self.head = b""
        self.text_ok = True
        self._utf8 = codecs.getincrementaldecoder("utf-8")()

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD:
            self.head += chunk[: HEAD - len(self.head)]
        if self.text_ok:
            self.text_ok = self._text_chunk(chunk)

    def _text_chunk(self, chunk: bytes, final: bool = False) -> bool:
        if _CONTROL.search(chunk):
            return False
        try:
            self._utf8.decode(chunk, final)
        except UnicodeDecodeError:
            return False
        return True

    @property
    def hopeless(self) -> bool:
        """Already certain to be refused: no magic number and not text."""
        return len(self.head) >= 16 and not self.text_ok and binary_type(self.head) is None

    def result(self) -> FileType | None:
        kind = binary_type(self.head)
        if kind is not None:
            return kind
        if not self.head or not (self.text_ok and self._text_chunk(b"", final=True)):
            return None
        looks_like_markup = self.head.lstrip(b"\xef\xbb\xbf \t\r\n\x0c").startswith(b"<")
        return None if looks_like_markup else TEXT
