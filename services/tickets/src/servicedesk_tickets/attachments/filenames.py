"""File names for display only (the bytes are stored under a server-generated name).

NFKC-normalised, base name only (no directories, so no `..`), no control or format
characters, no characters that are unsafe in a name on some system, dots inside the stem
turned into `_` (`shell.php.png` -> `shell_php.png`), length capped, and the extension
replaced by the one of the type decided from the bytes.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_STEM = 100
_UNSAFE = re.compile(r'[\\/:*?"<>|;\s.]+')


def display_name(raw: str | None, extension: str) -> str:
    name = unicodedata.normalize("NFKC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = _UNSAFE.sub("_", stem).strip("_-")[:MAX_STEM].strip("_-")
    return f"{stem or 'attachment'}.{extension}"


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
