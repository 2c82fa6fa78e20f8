"""Receive a multipart upload straight to disk, one chunk at a time.

The body is read with `request.stream()` and fed to python-multipart's push parser, so
memory stays at one chunk whatever the file size. The `file` part is written to a new
file with a random name (`O_EXCL`, mode 0600) while its size, SHA-256 and type are
computed; past the limit, once the bytes cannot be an allowed type, or once an image's
header declares more pixels than allowed (dimensions.py), the upload stops and the
partial file is removed.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from servicedesk_tickets.attachments.dimensions import ImageSize
from servicedesk_tickets.attachments.sniff import FileType, Sniffer
from servicedesk_tickets.errors import (
    AttachmentTooLarge,
    BadUpload,
    FileTypeRefused,
    ImageTooLarge,
    QuotaExceeded,
)

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file itself


@dataclass
class StoredFile:
    path: Path
    raw_filename: str | None = None
    size: int = 0
    type: FileType | None = None
    sha256: str = ""

    @property
    def storage_name(self) -> str:
        return self.path.name

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class _FilePart:
    """Collects the `file` part's bytes from the parser's callbacks between writes."""

    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: bytes = b""
    value: bytes = b""
    in_file: bool = False
    seen_file: bool = False
    filename: str | None = None
    pending: list[bytes] = field(default_factory=list)

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._field,
            "on_header_value": self._value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
        }

    def _begin(self) -> None:
        self.headers, self.in_file = {}, False

    def _field(self, data: bytes, start: int, end: int) -> None:
        self.name += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def _header_end(self) -> None:
        self.headers[self.name.lower()] = self.value
        self.name = self.value = b""

    def _headers_done(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        if params.get(b"name") == b"file" and not self.seen_file:
            self.in_file = self.seen_file = True
            raw = params.get(b"filename")
            self.filename = raw.decode("utf-8", "replace") if raw is not None else None

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(data[start:end])


def _boundary(request: Request) -> bytes:
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadUpload()
    return boundary


def _check_size(size: int, *, max_bytes: int, budget: int) -> None:
    if size > max_bytes:
        raise AttachmentTooLarge()
    if size > budget:
        raise QuotaExceeded()


async def receive_file(
    request: Request, *, directory: Path, max_bytes: int, budget: int, max_pixels: int
) -> StoredFile:
    """Stream the `file` part to `directory`; 413/415/422 leave no file behind."""
    declared = int(request.headers.get("content-length") or 0)
    if declared > max_bytes + MULTIPART_SLACK:
        raise AttachmentTooLarge()
    stored = StoredFile(directory / uuid.uuid4().hex)
    boundary = _boundary(request)
    try:
        await _stream_to(stored, request, boundary, max_pixels, max_bytes=max_bytes, budget=budget)
    except BaseException:
        stored.remove()
        raise
    return stored


async def _stream_to(
    stored: StoredFile, request: Request, boundary: bytes, max_pixels: int, **limits
) -> None:
    part, sniffer, digest, image = _FilePart(), Sniffer(), hashlib.sha256(), ImageSize()
    parser = MultipartParser(boundary, part.callbacks())
    async with await anyio.open_file(_create(stored.path), "wb", closefd=True) as out:
        async for chunk in request.stream():
            _parse(parser, chunk)
            for data in part.pending:
                stored.size += len(data)
                _check_size(stored.size, **limits)
                sniffer.feed(data)
                image.feed(data)
                digest.update(data)
                await out.write(data)
            part.pending.clear()
            if sniffer.hopeless:
                raise FileTypeRefused()
            if image.pixels > max_pixels:
                raise ImageTooLarge()
    _finish(stored, part, sniffer, digest)


def _create(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


def _parse(parser: MultipartParser, chunk: bytes) -> None:
    try:
        parser.write(chunk) if chunk else parser.finalize()
    except MultipartParseError:
        raise BadUpload("Malformed multipart body") from None


def _finish(stored: StoredFile, part: _FilePart, sniffer: Sniffer, digest) -> None:
    if not part.seen_file:
        raise BadUpload()
    stored.type = sniffer.result()
    if stored.type is None:
        raise FileTypeRefused()
    stored.raw_filename, stored.sha256 = part.filename, digest.hexdigest()
