"""Tell what an upload is from its first bytes: a workbook or text, and the text's encoding and delimiter."""

from __future__ import annotations

import codecs

from decarb_dashboard.intake.header import HEADER_SEARCH_ROWS
from decarb_dashboard.intake.limits import UnreadableFile

#: Bytes decoded to find the header row and the delimiter.
HEAD_BYTES = 262144

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def sniff_format(data: bytes) -> str:
    """Return "xlsx" for a workbook and "csv" for anything else; refuse an old or encrypted Excel file."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile("workbook_encrypted" if _ENCRYPTED_MARK in data else "file_legacy_xls")
    return "csv"


def sniff_encoding(data: bytes) -> str:
    """Return the encoding of a text upload from its byte order mark or its first bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a byte order mark: every other byte of ASCII text is zero.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        return "utf-16-le" if odd > even else "utf-16-be"
    if b"\x00" in head:
        raise UnreadableFile("file_type_unknown")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:HEAD_BYTES], final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"  # so far: the rest is checked as it is read


def decode(data: bytes, encoding: str) -> str:
    """Decode a whole upload; UTF-8 that turns out not to be is read as Windows-1252."""
    if b"\x00" in data and not encoding.startswith("utf-16"):
        raise UnreadableFile("file_type_unknown")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise
        text = data.decode("cp1252")
    return text.removeprefix("\ufeff")


def decode_upload(data: bytes, encoding: str) -> str:
    """Decode an upload (see :func:`decode`), or say that its text cannot be read."""
    try:
        return decode(data, encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("text_undecodable") from exc


def looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return control > len(sample) * 0.05


def sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text[:65536].splitlines()[:HEADER_SEARCH_ROWS] if ln.strip()]
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t"):
        counts = [ln.count(delimiter) for ln in lines]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
