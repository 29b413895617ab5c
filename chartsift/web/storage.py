"""Uploads: content sniffing, generated storage names, display names that are never paths.

A file that fails the sniff (zero bytes; neither a PDF nor UTF-8 text) is refused on its own: its bytes are not
kept, and it comes back as a `StoredFile` with its error code and no storage name, so that the rest of its upload
goes on and the case shows the refused file with its code, as the CLI and the batch report a bad document."""
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


#: what the review says of a refused file, in the words of `chartsift review` (extractor.ingest.reader) for the same code
REFUSAL_MESSAGES = {"empty_file": "the file is empty (zero bytes)",
                    "unsupported_type": "neither a PDF nor a UTF-8 text file"}
#: media type of a refused file (nothing stored)
REFUSED = "refused"
#: the 415 answer of an upload whose every file is refused (no file name: it may be the patient's)
_UPLOAD_REFUSALS = {"empty_file": "an uploaded document is empty",
                    "unsupported_type": "only PDF or UTF-8 text documents are accepted"}


@dataclass
class StoredFile:
    display_name: str
    storage_name: str | None  # None: refused, nothing stored
    media_type: str  # pdf | text | refused
    size: int
    sha256: str
    error_code: str | None = None  # a key of REFUSAL_MESSAGES when refused

    @property
    def refused(self) -> bool:
        return self.error_code is not None


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
    raise refused_upload("unsupported_type")


def refused_upload(code: str) -> AppError:
    return AppError(415, code, _UPLOAD_REFUSALS[code])


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
    """Copy one uploaded file (already bounded by the body limit) under a generated name, after sniffing.

    A file the sniff refuses is removed and returned with its code (`refused`); any other failure raises."""
    storage = f"{uuid.uuid4().hex}.bin"
    target = upload_dir / storage
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            size, sha256, head = await _copy(upload, out)
        try:
            if size == 0:
                raise refused_upload("empty_file")
            media = sniff(head, data_ok_utf8=b"%PDF-" in head[:1024] or _is_utf8_text(target))
        except AppError as refused:
            target.unlink(missing_ok=True)
            return StoredFile(display_name(upload.filename, taken), None, REFUSED, size, sha256, refused.code)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    final = target.with_suffix(".pdf" if media == "pdf" else ".txt")
    target.rename(final)
    return StoredFile(display_name(upload.filename, taken), final.name, media, size, sha256)


async def _copy(upload, out) -> tuple[int, str, bytes]:
    """Stream the upload into `out`: its size, SHA-256 and first SNIFF_BYTES bytes."""
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := await upload.read(1 << 16):
        if len(head) < SNIFF_BYTES:
            head += chunk[:SNIFF_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
        out.write(chunk)
    return size, digest.hexdigest(), head


def all_refused(stored: list[StoredFile]) -> AppError | None:
    """The 415 of an upload whose every file was refused (the first file's code), else None."""
    if not stored or not all(s.refused for s in stored):
        return None
    return refused_upload(stored[0].error_code)
