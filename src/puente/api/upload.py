"""Receive a multipart upload as a stream, to disk, with a hard size limit.

Starlette's form parser spools every file part to disk before a route runs, so a 200 MB
body would be written in full before anyone could refuse it. This module reads the raw
body itself (``python_multipart``'s streaming parser) and keeps one invariant:

- no part is ever held or written beyond its limit: the ``file`` part goes to a
  temporary file and the upload is refused with ``PayloadTooLarge`` as soon as it
  passes ``max_bytes`` (or at once, without reading, when ``Content-Length`` already
  says so); the mapping part and plain fields are capped in memory;
- everything lands in a caller-owned temporary directory, which the caller removes:
  nothing reaches the node unless the whole body arrived and parsed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from puente.errors import InvalidInput, PayloadTooLarge

MAX_MAPPING = 1024 * 1024
MAX_FIELD = 64 * 1024
MAX_PARTS = 32
FILE_PARTS = {"file": "upload", "mapping": "mapping.yaml"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_name(filename: str, fallback: str) -> str:
    """A file name safe on disk that keeps the suffix (the format is detected from it)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._")[-120:]
    return cleaned or fallback


@dataclass
class Upload:
    directory: Path
    files: dict[str, Path] = field(default_factory=dict)
    filenames: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    size: int = 0

    @property
    def display_name(self) -> str:
        """The client's file name, printable and short, for reports and the audit log."""
        name = self.filenames.get("file", "") or "upload"
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        return _CONTROL.sub("", base)[:200] or "upload"


class _Receiver:
    """Callbacks of the streaming parser; each enforces its part's limit as bytes come."""

    def __init__(self, upload: Upload, max_bytes: int) -> None:
        self.upload = upload
        self.max_bytes = max_bytes
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.sink: IO[bytes] | None = None
        self.buffer = bytearray()
        self.part_size = 0
        self.ended = False

    def on_part_begin(self) -> None:
        self.disposition = b""
        self.name = ""
        self.sink = None
        self.buffer = bytearray()
        self.part_size = 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = b""
        self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if not name:
            raise InvalidInput("api.bad_multipart", reason="Content-Disposition without name")
        if len(self.upload.fields) + len(self.upload.files) >= MAX_PARTS:
            raise InvalidInput("api.bad_multipart", reason=f"more than {MAX_PARTS} parts")
        if name in self.upload.fields or name in self.upload.files:
            raise InvalidInput("api.duplicate_form_field", field=_CONTROL.sub("", name)[:80])
        self.name = name
        if name in FILE_PARTS:
            filename = options.get(b"filename", b"").decode("utf-8", "replace")
            self.upload.filenames[name] = filename
            path = self.upload.directory / safe_name(filename, FILE_PARTS[name])
            if name == "mapping" and path.name == self.upload.files.get("file", Path()).name:
                path = path.with_name("mapping-" + path.name)
            self.upload.files[name] = path
            self.sink = path.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.part_size += end - start
        if self.name == "file":
            self.upload.size = self.part_size
            if self.part_size > self.max_bytes:
                raise PayloadTooLarge(size=f">{self.max_bytes}", limit=self.max_bytes)
        else:
            limit = MAX_MAPPING if self.name == "mapping" else MAX_FIELD
            if self.part_size > limit:
                raise InvalidInput("api.field_too_large", field=self.name[:80], limit=limit)
        if self.sink is not None:
            self.sink.write(data[start:end])
        else:
            self.buffer += data[start:end]

    def on_part_end(self) -> None:
        if self.sink is not None:
            self.sink.close()
            self.sink = None
            return
        try:
            self.upload.fields[self.name] = self.buffer.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("api.bad_field_encoding", field=self.name[:80]) from exc

    def on_end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self.sink is not None:
            self.sink.close()


async def receive_upload(
    content_type: str,
    content_length: str | None,
    stream: AsyncIterator[bytes],
    directory: Path,
    max_bytes: int,
) -> Upload:
    """Parse a ``multipart/form-data`` body into ``directory``; see the module invariant."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidInput("api.not_multipart")
    if content_length and content_length.isdigit():
        declared = int(content_length)
        if declared > max_bytes + MAX_MAPPING + 16 * MAX_FIELD:
            raise PayloadTooLarge(size=declared, limit=max_bytes)
    upload = Upload(directory)
    receiver = _Receiver(upload, max_bytes)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": receiver.on_part_begin,
            "on_part_data": receiver.on_part_data,
            "on_part_end": receiver.on_part_end,
            "on_header_field": receiver.on_header_field,
            "on_header_value": receiver.on_header_value,
            "on_header_end": receiver.on_header_end,
            "on_headers_finished": receiver.on_headers_finished,
            "on_end": receiver.on_end,
        },
    )
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise InvalidInput("api.bad_multipart", reason=str(exc)[:200]) from exc
    finally:
        receiver.close()
    if not receiver.ended:
        raise InvalidInput("api.bad_multipart", reason="truncated body")
    if "file" not in upload.files:
        raise InvalidInput("api.no_upload_file", field="file")
    return upload
