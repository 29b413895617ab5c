"""Uploads: content sniffing, generated storage names, display names that are never paths."""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from .errors import AppError

SNIFF_BYTES = 8192
#: longest display name in bytes: room left for a " (n)" suffix under the usual 255-byte file name limit
MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r"[^\w.\- ()+,]", re.UNICODE)


@dataclass
class StoredFile:
    display_name: str
    storage_name: str
    media_type: str  # pdf | text
    size: int
    sha256: str


def display_name(original: str | None, taken: set[str]) -> str:
    """A name to show: the last path component, without control or odd characters, unique in its case.

    It is only ever shown (and used as the document's name in the review), never joined to a path
    that the server opens: files are stored under generated names."""
    base = re.split(r"[\\/]", original or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _shorten(_UNSAFE.sub("_", base).strip(" .") or "document")
    name, n = base, 2
    while name in taken:
        stem, dot, ext = base.rpartition(".")
        name = f"{stem} ({n}).{ext}" if dot and stem else f"{base} ({n})"
        n += 1
    taken.add(name)
    return name


def _shorten(base: str) -> str:
    """At most 120 characters and MAX_NAME_BYTES bytes of UTF-8, keeping a short extension: the worker links
    each document under its display name, and a file system refuses a name over 255 bytes (300 CJK characters
    are 900), which failed the whole case."""
    if len(base) <= 120 and len(base.encode("utf-8")) <= MAX_NAME_BYTES:
        return base
    stem, dot, ext = base.rpartition(".")
    tail = f".{ext}" if dot and stem and len(ext) <= 8 else ""
    head = stem[:110] if tail else base[:120]
    while len((head + tail).encode("utf-8")) > MAX_NAME_BYTES:
        head = head[:-1]
    return head + tail


def sniff(head: bytes, data_ok_utf8: bool) -> str:
    """`pdf` for `%PDF-` (within the first KiB, as readers allow), `text` for UTF-8 text, else 415."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if data_ok_utf8:
        return "text"
    raise AppError(415, "unsupported_type", "only PDF or UTF-8 text documents are accepted")


def _is_utf8_text(path: Path) -> bool:
    decoder = __import__("codecs").getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 16):
            if b"\x00" in chunk:
                return False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


async def store_upload(upload, upload_dir: Path, taken: set[str]) -> StoredFile:
    """Copy one uploaded file (already bounded by the body limit) under a generated name, after sniffing."""
    storage = f"{uuid.uuid4().hex}.bin"
    target = upload_dir / storage
    digest, size, head = hashlib.sha256(), 0, b""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := await upload.read(1 << 16):
                if len(head) < SNIFF_BYTES:
                    head += chunk[:SNIFF_BYTES - len(head)]
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if size == 0:
            raise AppError(415, "empty_file", "an uploaded document is empty")
        media = sniff(head, data_ok_utf8=b"%PDF-" in head[:1024] or _is_utf8_text(target))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    final = target.with_suffix(".pdf" if media == "pdf" else ".txt")
    target.rename(final)
    return StoredFile(display_name(upload.filename, taken), final.name, media, size, digest.hexdigest())
