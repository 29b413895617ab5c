"""Decompression-bomb guard: how far the Flate streams of a PDF expand, measured before any parser runs.

A 3 KB PDF can carry a content stream that inflates to 1 GB (two FlateDecode layers of blank
space). PDFium inflates a page's content in memory to read its text; under a memory limit it
aborts the whole process (SIGABRT, no exception to catch), and pdfminer has no limit either. So
every Flate-compressed stream that a text reader decodes (content, fonts, object streams: image
XObjects are never decoded for text) is inflated here first, in bounded pieces and without keeping
the output, and the document is refused once one stream or all of them together pass the budget.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator

MB = 1 << 20
#: one decoded stream larger than this is refused (a dense text page's content is well under 1 MB)
MAX_STREAM_BYTES = 128 * MB
#: all decoded non-image streams of a document together (fonts and content of a 2,000-page packet: ~100 MB)
MAX_TOTAL_BYTES = 512 * MB
_PIECE = 1 << 20  # most bytes inflated at a time
_READ = 1 << 16  # compressed bytes fed at a time
_DICT_WINDOW = 4096
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")


class InflateBomb(Exception):
    """A stream (or all streams) would inflate past the budget; `size` is how far it got."""

    def __init__(self, size: int, limit: int):
        self.size = size
        self.limit = limit
        super().__init__(f"compressed streams expand past {limit // MB} MB")


def check_pdf(data: bytes, max_stream: int = MAX_STREAM_BYTES, max_total: int = MAX_TOTAL_BYTES) -> int:
    """Decoded bytes of the document's Flate streams; raises InflateBomb past the budget."""
    total = 0
    for start, layers in _flate_streams(data):
        remaining = min(max_stream, max_total - total)
        size = inflated_size(memoryview(data)[start:], layers, remaining)
        if size > remaining:
            raise InflateBomb(total + size, max_stream if remaining == max_stream else max_total)
        total += size
    return total


def _flate_streams(data: bytes) -> Iterator[tuple[int, int]]:
    """(offset of the stream data, number of FlateDecode layers) of each non-image Flate stream."""
    for match in _STREAM.finditer(data):
        window = data[max(0, match.start() - _DICT_WINDOW):match.start()]
        window = window[window.rfind(b"obj") + 3:] if b"obj" in window else window
        layers = len(_FLATE.findall(window))
        if layers and b"/Image" not in window:
            yield match.end(), layers


def inflated_size(raw: memoryview, layers: int, limit: int) -> int:
    """Bytes that `layers` chained inflations of `raw` produce, counting stops just past `limit`."""
    pieces: Iterable[bytes] = (bytes(raw[i:i + _READ]) for i in range(0, len(raw), _READ))
    for _ in range(layers):
        pieces = _inflate(pieces)
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > limit:
            break
    return size


def _inflate(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Inflate a zlib stream given in pieces, yielding at most `_PIECE` bytes at a time; stops at its end
    or at the first corrupt byte (the parsers decide what a damaged stream means)."""
    inflater = zlib.decompressobj()
    try:
        for piece in pieces:
            while True:
                out = inflater.decompress(piece, _PIECE)
                if out:
                    yield out
                if inflater.eof:
                    return
                piece = inflater.unconsumed_tail
                if not piece and len(out) < _PIECE:
                    break
    except zlib.error:
        return
