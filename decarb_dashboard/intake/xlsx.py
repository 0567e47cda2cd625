"""Read an Excel workbook's return sheet, after a guard has checked the archive is safe to open."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import pandas as pd

from decarb_dashboard.intake import limits
from decarb_dashboard.intake.header import HEADER_SEARCH_ROWS, find_header
from decarb_dashboard.intake.limits import UnreadableFile
from uploads_schema.columns import column_names
from uploads_schema.labels import normalise_label

#: A workbook that unpacks to more than this is refused before it is parsed.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: A workbook made of more parts than this is refused (Excel writes a few dozen; pictures add one each).
MAX_ARCHIVE_PARTS = 2000
#: Row elements, empty ones too, that a workbook's sheets may hold: openpyxl's work grows with what is
#: written in the file, not with the cells that have values (43 million empty ``<row/>`` fit in 375 KB).
MAX_WORKBOOK_ROWS = 20_000
#: Cells a workbook's sheets and shared strings may hold, counted as XML tags (about five per cell): enough
#: for a return of thousands of lines, few enough for openpyxl to read in a few seconds (benchmarks/upload_guard.py).
MAX_WORKBOOK_CELLS = 120_000
_TAGS_PER_CELL = 5
#: Bytes of a part decompressed at a time while the tags are counted.
_SCAN_CHUNK = 1 << 20
#: Sheet names preferred over the first sheet ("Return" is the template's).
RETURN_SHEET_NAMES = ("return", "ffurflen", "annual return", "data")


def _check_workbook_archive(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile("workbook_corrupt") from exc
    if len(infos) > MAX_ARCHIVE_PARTS:
        raise UnreadableFile("archive_too_many_parts", count=f"{len(infos):,}")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("file_type_unknown")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile("archive_bomb", size_mb=f"{unpacked / 1024 / 1024:,.0f}")
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnreadableFile("workbook_encrypted")
        if info.filename.endswith((".xml", ".rels")):
            try:
                with archive.open(info) as part:
                    start = part.read(4096)
            except Exception as exc:  # zlib.error, BadZipFile, NotImplementedError, ...
                raise UnreadableFile("workbook_corrupt") from exc
            if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                raise UnreadableFile("xml_entities")
    _check_workbook_size(archive, infos)
    return archive


def _check_workbook_size(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook whose sheets hold more rows or tags than a return needs, before it is parsed.

    The sheets and shared strings are decompressed a megabyte at a time and their
    ``<row`` and ``<`` counted, stopping at the first limit passed; what is counted
    is what a parser would have to read, whatever the header of each part claims.
    """
    rows = tags = unpacked = 0
    tag_limit = MAX_WORKBOOK_CELLS * _TAGS_PER_CELL
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml"):
            continue
        try:
            with archive.open(info) as part:
                tail = b""
                while chunk := part.read(_SCAN_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > MAX_UNPACKED_BYTES:
                        raise UnreadableFile("archive_bomb", size_mb=f"more than {MAX_UNPACKED_BYTES // 2**20:,}")
                    text = tail + chunk
                    rows += text.count(b"<row") - tail.count(b"<row")  # a tag split across two reads counts once
                    tags += chunk.count(b"<")
                    tail = chunk[-4:]
                    if rows > MAX_WORKBOOK_ROWS:
                        raise UnreadableFile("too_many_rows", count=f"more than {MAX_WORKBOOK_ROWS:,}",
                                             limit=f"{MAX_WORKBOOK_ROWS:,}")
                    if tags > tag_limit:
                        raise UnreadableFile("too_many_cells", limit=f"{MAX_WORKBOOK_CELLS:,}")
        except UnreadableFile:
            raise
        except Exception as exc:  # zlib.error, BadZipFile (a CRC that does not match), ...
            raise UnreadableFile("workbook_corrupt") from exc


def cell_value(value: object) -> object:
    """Return a workbook cell as the validator wants it: numbers stay numbers, the rest text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


#: Cell types the validator takes as they are (anything else, a date or a tick box, is turned into text).
_PLAIN_CELLS = frozenset({type(None), str, int, float})


def _pick_sheet(workbook):
    sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        raise UnreadableFile("workbook_corrupt")
    for ws in sheets:
        if normalise_label(ws.title) in RETURN_SHEET_NAMES:
            return ws
    return sheets[0]


def read_xlsx_cells(data: bytes, max_rows: int,
                     max_columns: int) -> tuple[list, pd.DataFrame, int, np.ndarray]:
    """Return (header cells, body frame, header row number, body row numbers) of a workbook's return sheet.

    Empty rows are not kept: a sheet of a few kilobytes may declare a million of them (a cell on
    its last row), each as wide as its widest row.
    """
    import openpyxl

    _check_workbook_archive(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise UnreadableFile("workbook_corrupt") from exc
    try:
        sheet = _pick_sheet(workbook)
        rows: list[tuple] = []
        numbers: list[int] = []
        filled = False
        cells = 0
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if values.count(None) == len(values):
                    continue
                if len(rows) > max_rows:
                    raise UnreadableFile("too_many_rows", count=f"more than {max_rows:,}",
                                         limit=f"{max_rows:,}")
                if len(values) > max_columns and any(v is not None for v in values[max_columns:]):
                    raise UnreadableFile("too_many_columns", count=len(values), limit=max_columns,
                                         expected=len(column_names()))
                values = values[:max_columns]
                cells += len(values)
                # A few kilobytes of workbook can hold a million rows as wide as its widest.
                if cells > limits.MAX_CELLS:
                    raise UnreadableFile("too_many_cells", limit=f"{limits.MAX_CELLS:,}")
                if not _PLAIN_CELLS.issuperset(map(type, values)):
                    values = tuple(cell_value(v) for v in values)
                filled = filled or any(v is not None and str(v).strip() for v in values)
                rows.append(values)
                numbers.append(number)
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile("workbook_corrupt") from exc
    finally:
        workbook.close()
    if not filled:
        raise UnreadableFile("file_empty")
    header_index = find_header([[("" if v is None else str(v)) for v in r] for r in rows[:HEADER_SEARCH_ROWS]])
    header = ["" if v is None else str(v) for v in rows[header_index]]
    width = len(header)
    body_rows = [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[header_index + 1 :]]
    body = pd.DataFrame(body_rows, columns=range(width), dtype=object)
    return header, body, numbers[header_index], np.array(numbers[header_index + 1:], dtype=np.int64)
