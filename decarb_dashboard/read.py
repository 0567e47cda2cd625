"""Turn the bytes of an uploaded file into a raw table of cells, or say clearly why not.

CSV (UTF-8 with or without BOM, UTF-16, Windows-1252; comma, semicolon or tab
delimited) and Excel ``.xlsx`` are read. Everything else, and every way a file
can be broken or hostile (empty, too large, encrypted, corrupt, an archive or
XML entity bomb), becomes a file-level problem in the report, never an
exception. Row numbers are those a person sees in their spreadsheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from decarb_dashboard import config, years
from decarb_dashboard.cells import Cells
from decarb_dashboard.report import IssueCollector
from uploads_schema.columns import (
    EmissionsUnit,
    column_names,
    emissions_unit,
    header_unit,
    match_header,
    split_emissions_unit,
)
from uploads_schema.labels import normalise_label

log = logging.getLogger(__name__)

#: Bytes decoded to find the header row and the delimiter.
HEAD_BYTES = 262144
#: Cells (rows x columns) a CSV may become, beyond twice its bytes, before its blank lines are skipped as
#: it is read: a small file of empty lines under a wide header would otherwise make a table of gigabytes.
#: A file of real lines never comes near it: each line holds a delimiter per column.
MAX_CELLS = 25_000_000
#: Bytes counted at a time when counting lines.
COUNT_CHUNK = 1 << 18
#: Rows searched for the header row (title rows above it are common).
HEADER_SEARCH_ROWS = 20
# A column that holds numbers in one part of a file and text in another is expected (a typed "N/A");
# the checks handle mixed cells, so pandas' warning about them is noise.
warnings.filterwarnings("ignore", category=pd.errors.DtypeWarning, module=__name__)
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
#: Headers of a short layout's single column of figures (each may end in an emissions unit: "Total (kgCO2e)").
TOTAL_HEADERS = {"total", "total emissions", "cyfanswm", "cyfanswm allyriadau"}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


@dataclass
class RawTable:
    """The cells of an upload under their canonical column names, as typed.

    ``frame`` holds the return's columns (values are str, int, float or None);
    ``rows`` the spreadsheet row number of each frame row; ``layout`` is "long"
    or "short" (one row per category, figures under year or total columns,
    already melted to one row per line). ``emissions_to_tonnes`` is, per row,
    what the emissions figure is multiplied by to be in tCO2e (None: all are).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    layout: str = "long"
    kind: str = "csv"
    rows_read: int = 0
    figure_column: dict[int, str] = field(default_factory=dict)
    cells: dict[str, Cells] = field(default_factory=dict)
    emissions_to_tonnes: np.ndarray | None = None

    def column_cells(self, name: str) -> Cells:
        """Return a column's cells as codes of distinct values, worked out once."""
        if name not in self.cells:
            self.cells[name] = Cells.of(self.frame, name)
        return self.cells[name]

    def subset(self, keep: np.ndarray) -> RawTable:
        """Return the table with only the rows in ``keep``."""
        new_position = np.cumsum(keep) - 1
        figure_column = {int(new_position[old]): label for old, label in self.figure_column.items() if keep[old]}
        cells = {name: Cells(c.codes[keep], c.uniques) for name, c in self.cells.items()}
        scale = None if self.emissions_to_tonnes is None else self.emissions_to_tonnes[keep]
        return RawTable(self.frame.loc[keep].reset_index(drop=True), self.rows[keep], self.layout, self.kind,
                        self.rows_read, figure_column, cells, scale)


class UnreadableFile(Exception):
    """The file cannot be read at all; ``code`` and ``params`` feed the message catalogue."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# ---- bytes -> rows of cells ------------------------------------------------

def _sniff_encoding(data: bytes) -> str:
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


def _decode(data: bytes, encoding: str) -> str:
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


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return control > len(sample) * 0.05


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text[:65536].splitlines()[:HEADER_SEARCH_ROWS] if ln.strip()]
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t"):
        counts = [ln.count(delimiter) for ln in lines]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_head(text: str, delimiter: str) -> list[list[str]]:
    # newline="": lines end at \r, \n or \r\n (old Mac exports end them with \r alone), as the csv module wants.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    head = []
    try:
        for _, row in zip(range(HEADER_SEARCH_ROWS), reader, strict=False):
            head.append(row)
    except csv.Error:
        pass
    return head


def _count_lines(data: bytes) -> int:
    """Return the number of line breaks in ``data`` (\\n, or \\r: old Mac exports end lines with \\r alone)."""
    octets = np.frombuffer(data, dtype=np.uint8)
    newlines = returns = 0
    for start in range(0, len(octets), COUNT_CHUNK):  # a chunk at a time stays in the cache for both counts
        chunk = octets[start:start + COUNT_CHUNK]
        newlines += int(np.count_nonzero(chunk == 10))
        returns += int(np.count_nonzero(chunk == 13))
    return max(newlines, returns)


def _read_csv_cells(data: bytes, max_rows: int, max_columns: int,
                    path: Path | None = None) -> tuple[list, pd.DataFrame, int, np.ndarray | None]:
    """Return (header cells, body frame, header row number, body row numbers) of a CSV upload.

    The body's row numbers are None when its rows follow the header one after
    another, blank ones included (dropped later).

    Three readers: Arrow's multi-threaded one for a well-formed UTF-8 file;
    pandas' for the rest (other encodings, short rows), which copes with them;
    and one row at a time, skipping blank rows, for rows longer than the header
    and for files that are mostly blank lines. ``path``, when the bytes came
    from a file, lets pandas read the file itself, faster than from memory.
    """
    encoding = _sniff_encoding(data)
    head = _decode_upload(data[:HEAD_BYTES] if encoding in ("utf-8", "cp1252") else data, encoding)[:HEAD_BYTES]
    if _looks_binary(head):
        raise UnreadableFile("file_type_unknown")
    if not head.strip() and (len(data) <= HEAD_BYTES or not data.strip(b" \t\r\n\x00")):
        raise UnreadableFile("file_empty")
    # Count the lines before parsing: a file of blank lines would make a frame far larger than itself.
    lines = None
    if len(data) > max_rows + HEADER_SEARCH_ROWS + 1:
        lines = _count_lines(data)
        if lines > max_rows + HEADER_SEARCH_ROWS + 1:
            raise UnreadableFile("too_many_rows", count=f"{lines:,}", limit=f"{max_rows:,}")
    delimiter = _sniff_delimiter(head)
    rows = _csv_head(head, delimiter)
    header_index = _find_header(rows)
    header = rows[header_index]
    if len(header) > max_columns:
        raise UnreadableFile("too_many_columns", count=len(header), limit=max_columns, expected=len(column_names()))
    cell_limit = max(MAX_CELLS, 2 * len(data))
    if len(data) * len(header) > cell_limit and lines is None:  # a line is at least a byte: a bound on the cells
        lines = _count_lines(data)
    if lines is not None and (lines + 1) * len(header) > cell_limit:
        # Mostly blank lines under a wide header: skip them as they are read, remembering the row numbers.
        body, numbers = _read_csv_rows(_decode_upload(data, encoding), delimiter, header_index, len(header), max_rows)
        return header, body, header_index + 1, numbers
    # Figures are read as numbers where they are; every other cell as the text typed ("0012" stays "0012").
    figures = {k for k, cell in enumerate(header) if _header_role(cell) in FIGURE_ROLES}
    body, numbers = None, None
    if encoding in ("utf-8", "utf-8-sig"):
        body = _read_csv_arrow(data, delimiter, header_index + 1, len(header), figures)
    if body is None:
        body, numbers = _read_csv_pandas(data, encoding, delimiter, header_index, len(header), figures, max_rows,
                                         path)
    if len(body) > max_rows:
        raise UnreadableFile("too_many_rows", count=f"more than {max_rows:,}", limit=f"{max_rows:,}")
    return header, body, header_index + 1, numbers


def _decode_upload(data: bytes, encoding: str) -> str:
    """Decode an upload (see :func:`_decode`), or say that its text cannot be read."""
    try:
        return _decode(data, encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("text_undecodable") from exc


def _read_csv_arrow(data: bytes, delimiter: str, skip_rows: int, width: int,
                    figures: set[int]) -> pd.DataFrame | None:
    """Read the body of a well-formed UTF-8 CSV with Arrow; None when it is not one.

    Text columns come back as categoricals (the validator works on distinct
    values), figure columns as floats. A row longer or shorter than the header,
    bytes that are not UTF-8, or text in a figure column that Arrow cannot read
    as a number ("N/A", "1,234", "nan") make this give way to the pandas reader,
    or read the figure columns as text, so that every cell reaches the checks as typed.
    """
    quotes = data.count(b'"') if b'"' in data else 0
    if quotes % 2:
        return None  # a quote left open: Arrow would read to the end of the file as one cell, pandas says so
    names = [str(k) for k in range(width)]
    # Bytes, not text: that the file is UTF-8 is checked once per distinct value instead of once per cell.
    text = pa.dictionary(pa.int32(), pa.binary())
    read_options = pa_csv.ReadOptions(skip_rows=skip_rows, column_names=names, block_size=4 << 20)
    parse_options = pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=quotes > 0,
                                        ignore_empty_lines=False)
    for figure_type in (pa.float64(), pa.binary()):
        types = {n: figure_type if k in figures else text for k, n in enumerate(names)}
        convert_options = pa_csv.ConvertOptions(column_types=types, null_values=[""], strings_can_be_null=True)
        try:
            # The system allocator: measured faster here than Arrow's default, most of all on a process's first read.
            table = pa_csv.read_csv(pa.py_buffer(data), read_options=read_options, parse_options=parse_options,
                                    convert_options=convert_options, memory_pool=pa.system_memory_pool())
            if figure_type == pa.float64() and any(pc.any(pc.is_nan(table[names[k]])).as_py() for k in figures):
                continue  # "nan" typed in a cell is not a blank: read the figures as text, as typed
            columns = {k: _arrow_column(table[n]) for k, n in enumerate(names)}
        except (pa.ArrowException, ValueError):
            continue  # not UTF-8, rows of the wrong length, text among the figures: see the docstring
        return pd.DataFrame(columns, columns=range(len(names)), copy=False)  # no copy into 2-D blocks
    return None


def _arrow_column(column: pa.ChunkedArray) -> object:
    """Return an Arrow column as a categorical (text), floats (NaN when blank) or objects (None when blank).

    Raises ``pyarrow.ArrowInvalid`` when the text is not UTF-8.
    """
    if pa.types.is_dictionary(column.type):
        whole = column.combine_chunks()  # one dictionary for the column
        uniques = pc.cast(whole.dictionary, pa.string()).to_pylist()
        codes = pc.fill_null(whole.indices, -1).to_numpy()
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(pd.Index(uniques, dtype=object)),
                                         validate=False)
    if pa.types.is_floating(column.type):
        return column.to_numpy()
    return pc.cast(column, pa.string()).to_numpy(zero_copy_only=False)


def _read_csv_pandas(data: bytes, encoding: str, delimiter: str, header_index: int, width: int, figures: set[int],
                     max_rows: int, path: Path | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Read the body with pandas; see :func:`_read_csv_cells` for what is returned."""
    options = dict(sep=delimiter, header=None, names=range(width), skiprows=header_index + 1,
                   keep_default_na=False, na_values=[""], skip_blank_lines=False,
                   dtype={k: object for k in range(width) if k not in figures})
    # No nrows: it makes pandas' parser three times slower. The size limit bounds the rows of an
    # upload, and too many rows are refused just after reading.
    text: str | None = None
    # Lines ended by \r alone (old Mac exports): pandas' parser loses an empty first cell after one, putting
    # every later cell in the column before its own, so such text is given plain line ends first.
    lone_returns = b"\r" in data and data.count(b"\r") > data.count(b"\r\n")
    try:
        if encoding in ("utf-8", "utf-8-sig") and not lone_returns:
            source: object = path if path is not None else io.BytesIO(data)
            try:
                body = pd.read_csv(source, encoding=encoding, **options)
            except UnicodeDecodeError:
                text = _decode(data, encoding)  # not UTF-8 after all: Windows-1252
                body = pd.read_csv(io.StringIO(text), **options)
        else:
            text = _decode(data, encoding)
            if lone_returns:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            body = pd.read_csv(io.StringIO(text), **options)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("text_undecodable") from exc
    except pd.errors.EmptyDataError:
        body = pd.DataFrame(columns=range(width), dtype=object)
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        if "fields in line" not in detail:
            raise UnreadableFile("csv_malformed", detail=_plain_csv_problem(detail)) from exc
        # Rows longer than the header: fine if the extra cells are empty (Excel's trailing commas).
        text = text if text is not None else _decode(data, encoding)
        return _read_csv_rows(text, delimiter, header_index, width, max_rows)
    if not isinstance(body.index, pd.RangeIndex):
        # Every line longer than the header: pandas would silently take the extra leading cells as an index.
        text = text if text is not None else _decode(data, encoding)
        return _read_csv_rows(text, delimiter, header_index, width, max_rows)
    return body, None


def _read_csv_rows(text: str, delimiter: str, header_index: int, width: int,
                   max_rows: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse a CSV row by row: rows may be longer than the header (extra cells must be empty), blank rows are skipped.

    Returns the rows that hold something and their row numbers in the sheet.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, row in enumerate(reader, start=1):
        if number <= header_index + 1 or not any(cell.strip() for cell in row):
            continue
        if len(rows) >= max_rows:
            raise UnreadableFile("too_many_rows", count=f"more than {max_rows:,}", limit=f"{max_rows:,}")
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            raise UnreadableFile("csv_malformed", detail=f"row {number} has {len(row)} cells but the header "
                                 f"row has {width}, and the extra cells are not empty")
        rows.append(row[:width] + [""] * (width - len(row)))
        numbers.append(number)
    return pd.DataFrame(rows, columns=range(width), dtype=object), np.array(numbers, dtype=np.int64)


def _plain_csv_problem(detail: str) -> str:
    """Say in plain words what pandas' parser could not make sense of (its own message is for programmers)."""
    if "EOF inside string" in detail or "EOF inside quotes" in detail:
        return "a quote mark is opened and never closed"
    return "the cells could not be separated"


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


def _pick_sheet(workbook):  # type: ignore[no-untyped-def]
    sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        raise UnreadableFile("workbook_corrupt")
    for ws in sheets:
        if normalise_label(ws.title) in RETURN_SHEET_NAMES:
            return ws
    return sheets[0]


def _read_xlsx_cells(data: bytes, max_rows: int,
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
                if cells > MAX_CELLS:  # a few kilobytes of workbook can hold a million rows as wide as its widest
                    raise UnreadableFile("too_many_cells", limit=f"{MAX_CELLS:,}")
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
    header_index = _find_header([[("" if v is None else str(v)) for v in r] for r in rows[:HEADER_SEARCH_ROWS]])
    header = ["" if v is None else str(v) for v in rows[header_index]]
    width = len(header)
    body_rows = [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[header_index + 1 :]]
    body = pd.DataFrame(body_rows, columns=range(width), dtype=object)
    return header, body, numbers[header_index], np.array(numbers[header_index + 1:], dtype=np.int64)


def _year_header(cell: object) -> tuple[str, EmissionsUnit | None] | None:
    """Return (the year, the emissions unit) a short layout's year header names, or None if it is no year.

    ``"2019-20"`` -> ``("2019-20", None)``; ``"2022-23 (kgCO2e)"`` or ``"2022-23 emissions kgCO2e"``
    -> ``("2022-23", kgCO2e)``.
    """
    words = str(cell).split()
    for k in range(min(len(words), 3), 0, -1):  # "2019-20", "2019 - 20", "2019 / 2020"
        head = " ".join(words[:k])
        try:
            years.parse(head)
        except years.YearProblem:
            continue
        rest, unit = split_emissions_unit(" ".join(words[k:]))
        if rest == "" or match_header(rest) == "emissions_tco2e":
            return head, unit
    return None


def _total_header(cell: object) -> tuple[str, EmissionsUnit | None] | None:
    """Return (the header, its emissions unit) when it heads a short layout's total column, else None."""
    words, unit = split_emissions_unit(cell)
    return (str(cell).strip(), unit) if words in TOTAL_HEADERS else None


#: Header roles whose cells are figures: read as numbers where they are.
FIGURE_ROLES = frozenset({"emissions_tco2e", "activity_amount", "total", "year"})


def _header_role(cell: object) -> str | None:
    """Return what a header cell names: a return column, "total" or "year" (the short layout's figures), or None."""
    text = "" if cell is None else str(cell).strip()
    name = match_header(text)
    if name is not None:
        return name
    if _total_header(text) is not None:
        return "total"
    if text and _year_header(text) is not None:
        return "year"
    return None


def _find_header(head: list[list[str]]) -> int:
    for index, row in enumerate(head):
        if any(match_header(cell) == "category" for cell in row):
            return index
    # No category column: a row naming two return columns is still the header,
    # so that the report can say which column is missing.
    for index, row in enumerate(head):
        if len({match_header(cell) for cell in row} - {None}) >= 2:
            return index
    raise UnreadableFile("header_not_found", rows=HEADER_SEARCH_ROWS)


# ---- rows of cells -> raw table --------------------------------------------

def _is_blank(frame: pd.DataFrame, cells: dict[object, Cells] | None = None) -> np.ndarray:
    """Return a mask of the rows whose every cell is empty or white space."""
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_float_dtype(values.dtype):
            blank &= values.isna().to_numpy()
        elif cells is not None and col in cells:
            blank &= cells[col].blank
        else:
            blank &= Cells.of(frame, col).blank
    return blank


def assemble(header: list, body: pd.DataFrame, header_row: int, kind: str,
              problems: IssueCollector, rows: np.ndarray | None = None) -> RawTable:
    """Name the columns, drop empty rows, melt the short layout into lines, and note the emissions' unit.

    ``rows`` are the sheet row numbers of the body's rows when they do not
    simply follow the header row.
    """
    names: dict[int, str] = {}
    year_columns: dict[int, str] = {}
    total_column: int | None = None
    unit_of: dict[int, EmissionsUnit | None] = {}  # per column of emissions: the unit its header names
    unknown: list[str] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip()
        name = _header_role(text)
        if name == "total":
            if total_column is None:
                total_column = position
                unit_of[position] = _total_header(text)[1]  # type: ignore[index]
            continue
        if name == "year":
            year_columns[position], unit_of[position] = _year_header(text)  # type: ignore[misc]
            continue
        if name is None:
            if text:
                unknown.append(text)
            continue
        if name in seen:
            if name == "emissions_tco2e" and _unit_id(header_unit(text)) != _unit_id(unit_of[seen[name]]):
                _mixed_units(problems, header, [seen[name], position], unit_of | {position: header_unit(text)})
            else:
                problems.add("column_duplicate", column=name)
            continue
        seen[name] = position
        names[position] = name
        if name == "emissions_tco2e":
            unit_of[position] = header_unit(text)
    if unknown:
        shown = ", ".join(f"“{u[:40]}”" for u in unknown[:10])
        if len(unknown) > 10:
            shown += f" and {len(unknown) - 10} more"
        problems.add("column_unknown", columns=shown)

    keep = list(names)
    frame = body[keep] if keep else pd.DataFrame(index=body.index)  # copy-on-write: renaming leaves body as it is
    frame.columns = [names[p] for p in keep]
    rows = np.arange(len(body)) + header_row + 1 if rows is None else rows
    figure_positions = list(year_columns) + ([total_column] if total_column is not None else [])
    table = RawTable(frame, rows, "long", kind)
    named = {p: table.column_cells(names[p]) for p in keep if not pd.api.types.is_float_dtype(body[p].dtype)}
    blank = _is_blank(body[keep + figure_positions], named)
    if blank.any():
        table = table.subset(~blank)
    table.rows_read = rows_read = len(table.frame)
    frame, rows = table.frame, table.rows

    has_figures = {"emissions_tco2e", "activity_amount"} & set(frame.columns)
    if has_figures or not figure_positions:
        if "emissions_tco2e" in frame.columns:
            return _in_tonnes(table, header, [seen["emissions_tco2e"]], unit_of, problems)
        return table

    # The short layout: one row per category, a figure per year column (or one total).
    body = body.loc[~blank].reset_index(drop=True)
    if year_columns and "reporting_year" in frame.columns:
        problems.add("column_duplicate", column="reporting_year")
    parts, part_rows, labels = [], [], []
    for position in figure_positions:
        # A blank cell under a year is a line that was not in that year's table: no line, not zero.
        filled = ~_is_blank(body[[position]])
        part = frame.loc[filled].copy()
        part["emissions_tco2e"] = body.loc[filled, position].to_numpy()
        if position in year_columns:
            part["reporting_year"] = year_columns[position]
        parts.append(part)
        part_rows.append(rows[filled])
        labels += [str(header[position])] * int(filled.sum())
    melted = RawTable(pd.concat(parts, ignore_index=True), np.concatenate(part_rows), "short", kind, rows_read,
                      dict(enumerate(labels)))
    return _in_tonnes(melted, header, figure_positions, unit_of, problems)


def _unit_id(unit: EmissionsUnit | None) -> str:
    return "tCO2e" if unit is None else unit.id  # a header that names no unit gives tonnes, as the return asks


def _mixed_units(problems: IssueCollector, header: list, positions: list[int],
                 unit_of: dict[int, EmissionsUnit | None]) -> None:
    shown = ", ".join(f"“{str(header[p]).strip()[:40]}” ({_unit_id(unit_of[p])})" for p in positions[:10])
    problems.add("emissions_units_mixed", columns=shown)


def _in_tonnes(table: RawTable, header: list, positions: list[int], unit_of: dict[int, EmissionsUnit | None],
               problems: IssueCollector) -> RawTable:
    """Say what each row's emissions figure is multiplied by to be in tCO2e, with a warning per unit converted.

    The unit comes from the headers of the figures' columns (``positions``) or, when there is no
    activity amount, from a units cell ("kgCO2e") beside the figure. Columns in different units,
    or a units cell that contradicts its header, are an error.
    """
    if len({_unit_id(unit_of[p]) for p in positions}) > 1:
        _mixed_units(problems, header, positions, unit_of)
        return table
    header_unit_ = unit_of[positions[0]]
    scale = np.full(len(table.frame), 1.0 if header_unit_ is None else header_unit_.to_tonnes)
    converted: dict[str, EmissionsUnit] = {} if header_unit_ is None else {header_unit_.id: header_unit_}
    if "activity_unit" in table.frame.columns and "activity_amount" not in table.frame.columns:
        cells = table.column_cells("activity_unit")
        in_cells = [emissions_unit(u) for u in cells.uniques]
        if in_cells and all(in_cells):  # a units cell of emissions units: the unit of each row's figure
            explicit = {u.id for u in in_cells} | ({header_unit_.id} if header_unit_ is not None else set())
            if len(explicit) > 1 and header_unit_ is not None:
                _mixed_units(problems, header, positions, unit_of)
                return table
            per_cell = np.array([u.to_tonnes for u in in_cells] + [np.nan])[cells.codes]  # type: ignore[union-attr]
            scale = np.where(cells.blank, scale, per_cell)
            converted |= {u.id: u for u in in_cells}  # type: ignore[union-attr]
            table.frame = table.frame.drop(columns="activity_unit")
            table.cells.pop("activity_unit", None)
    converted.pop("tCO2e", None)
    if not converted:
        return table
    shown = ", ".join(f"“{str(header[p]).strip()[:40]}”" for p in positions[:10])
    for unit in converted.values():
        problems.add("emissions_converted", columns=shown, unit=unit.id, conversion_en=unit.conversion_en,
                     conversion_cy=unit.conversion_cy)
    table.emissions_to_tonnes = scale
    return table


def read_upload(data: bytes, *, max_bytes: int | None = None, max_rows: int = config.DEFAULT_MAX_ROWS,
                max_columns: int = config.DEFAULT_MAX_COLUMNS,
                path: Path | None = None) -> tuple[RawTable | None, IssueCollector]:
    """Read an uploaded file's bytes.

    Returns the raw table (None when the file cannot be read at all) and the
    file-level problems found: unreadable files, duplicate or unknown columns.
    """
    problems = IssueCollector()
    limit = config.max_upload_bytes() if max_bytes is None else max_bytes
    try:
        if not data:
            raise UnreadableFile("file_empty")
        if limit and len(data) > limit:
            raise UnreadableFile("file_too_large", size_mb=f"{len(data) / 1024 / 1024:,.1f}",
                                 limit_mb=f"{limit / 1024 / 1024:,.0f}")
        if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
            kind = "xlsx"
            header, body, header_row, numbers = _read_xlsx_cells(data, max_rows, max_columns)
        elif data.startswith(_OLE_MAGIC):
            raise UnreadableFile("workbook_encrypted" if _ENCRYPTED_MARK in data else "file_legacy_xls")
        else:
            kind = "csv"
            header, body, header_row, numbers = _read_csv_cells(data, max_rows, max_columns, path)
        table = assemble(header, body, header_row, kind, problems, numbers)
    except UnreadableFile as exc:
        if exc.__cause__ is not None:  # the technical cause is for the service desk, not the message
            log.info("unreadable upload (%s): %r", exc.code, exc.__cause__)
        problems.add(exc.code, **exc.params)
        return None, problems
    return table, problems
