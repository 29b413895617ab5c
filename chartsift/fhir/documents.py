"""Source documents as R4 DocumentReferences: content type, size, SHA-256, page count; text only on request.

R4 defines `Attachment.hash` as SHA-1, so that is what it holds; the SHA-256 of the review JSON names the
document in `masterIdentifier` as an RFC 6920 `ni:///sha-256;...` URI (the same bytes, base64url).
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models import DocumentSummary

from .terms import ATTACHMENT_PAGES, URI_SYSTEM, extension_url

PDF_MAGIC = b"%PDF-"
TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class SourceFile:
    """What the Bundle says of one source file: never its content unless `text` is given."""

    name: str
    content_type: str
    size: int
    sha256: str
    sha1: str
    text: str | None = None  # the extracted text (evidence offsets point into it); only with include-text

    @classmethod
    def from_path(cls, path: Path, name: str | None = None) -> SourceFile:
        data = Path(path).read_bytes()
        return cls.from_bytes(data, name or Path(path).name)

    @classmethod
    def from_bytes(cls, data: bytes, name: str) -> SourceFile:
        content_type = "application/pdf" if data.lstrip()[:5] == PDF_MAGIC else TEXT_TYPE
        return cls(name=name, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                   sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest())


def ni_uri(sha256_hex: str) -> str:
    """RFC 6920 name of content with this SHA-256."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).rstrip(b"=").decode("ascii")
    return f"ni:///sha-256;{digest}"


def sha256_of_ni(uri: str) -> str | None:
    prefix = "ni:///sha-256;"
    if not uri.startswith(prefix):
        return None
    digest = uri[len(prefix):]
    return base64.urlsafe_b64decode(digest + "=" * (-len(digest) % 4)).hex()


def document_reference(summary: DocumentSummary, source: SourceFile | None, resource_id: str) -> dict[str, Any]:
    """The DocumentReference of one reviewed document (`source` None: only what the review knows)."""
    attachment: dict[str, Any] = {"extension": [{"url": ATTACHMENT_PAGES, "valuePositiveInt": summary.pages}]
                                  if summary.pages > 0 else [],
                                  "title": summary.name}
    if source is not None:
        attachment.update(contentType=source.content_type, size=source.size,
                          hash=base64.b64encode(bytes.fromhex(source.sha1)).decode("ascii"))
    if not attachment["extension"]:
        del attachment["extension"]
    resource: dict[str, Any] = {"resourceType": "DocumentReference", "id": resource_id}
    sha256 = summary.sha256 or (source.sha256 if source else None)
    if sha256:
        resource["masterIdentifier"] = {"system": URI_SYSTEM, "value": ni_uri(sha256)}
    extensions = _page_extensions(summary)
    if extensions:
        resource["extension"] = extensions
    resource.update(status="current", description=summary.name, content=[{"attachment": attachment}])
    if source is not None and source.text is not None:
        resource["content"].append({"attachment": {
            "contentType": TEXT_TYPE, "title": f"text of {summary.name} as chartsift read it (pages joined by "
                                                 "form feeds; evidence offsets point into it)",
            "data": base64.b64encode(source.text.encode("utf-8")).decode("ascii")}})
    return resource


def _page_extensions(summary: DocumentSummary) -> list[dict[str, Any]]:
    """Pages read by OCR and pages no reading could use (where evidence may be missing)."""
    return ([{"url": extension_url("ocr_pages"), "valuePositiveInt": p} for p in summary.ocr_pages]
            + [{"url": extension_url("unreadable_pages"), "valuePositiveInt": p} for p in summary.unreadable_pages])


def summary_of(resource: dict[str, Any]) -> DocumentSummary:
    """The review JSON's document entry back from a DocumentReference (name, pages, hash, OCR pages)."""
    attachment = resource["content"][0]["attachment"]
    pages = next((e["valuePositiveInt"] for e in attachment.get("extension", []) if e["url"] == ATTACHMENT_PAGES), 0)
    master = resource.get("masterIdentifier", {}).get("value", "")
    ext = resource.get("extension", [])
    return DocumentSummary(name=attachment.get("title") or resource.get("description", ""), pages=pages,
                           sha256=sha256_of_ni(master),
                           ocr_pages=[e["valuePositiveInt"] for e in ext if e["url"] == extension_url("ocr_pages")],
                           unreadable_pages=[e["valuePositiveInt"] for e in ext
                                             if e["url"] == extension_url("unreadable_pages")])
