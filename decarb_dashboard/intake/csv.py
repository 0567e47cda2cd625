"""Read a CSV upload's cells: Arrow for a well-formed UTF-8 file, pandas for the rest, row by row for odd ones."""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from decarb_dashboard.intake import limits
from decarb_dashboard.intake.header import FIGURE_ROLES, HEADER_SEARCH_ROWS, find_header, header_role
from decarb_dashboard.intake.limits import UnreadableFile
from decarb_dashboard.intake.sniff import (
    HEAD_BYTES,
    decode,
    decode_upload,
    looks_binary,
    sniff_delimiter,
    sniff_encoding,
)
from uploads_schema.columns import column_names

#: Bytes counted at a time when counting lines.
COUNT_CHUNK = 1 << 18
# A column that holds numbers in one part of a file and text in another is expected (a typed "N/A");
# the checks handle mixed cells, so pandas' warning about them is noise.
warnings.filterwarnings("ignore", category=pd.errors.DtypeWarning, module=__name__)


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


def read_csv_cells(data: bytes, max_rows: int, max_columns: int,
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
    encoding = sniff_encoding(data)
    head = decode_upload(data[:HEAD_BYTES] if encoding in ("utf-8", "cp1252") else data, encoding)[:HEAD_BYTES]
    if looks_binary(head):
        raise UnreadableFile("file_type_unknown")
    if not head.strip() and (len(data) <= HEAD_BYTES or not data.strip(b" \t\r\n\x00")):
        raise UnreadableFile("file_empty")
    # Count the lines before parsing: a file of blank lines would make a frame far larger than itself.
    lines = None
    if len(data) > max_rows + HEADER_SEARCH_ROWS + 1:
        lines = _count_lines(data)
        if lines > max_rows + HEADER_SEARCH_ROWS + 1:
            raise UnreadableFile("too_many_rows", count=f"{lines:,}", limit=f"{max_rows:,}")
    delimiter = sniff_delimiter(head)
    rows = _csv_head(head, delimiter)
    header_index = find_header(rows)
    header = rows[header_index]
    if len(header) > max_columns:
        raise UnreadableFile("too_many_columns", count=len(header), limit=max_columns, expected=len(column_names()))
    cell_limit = max(limits.MAX_CELLS, 2 * len(data))
    if len(data) * len(header) > cell_limit and lines is None:  # a line is at least a byte: a bound on the cells
        lines = _count_lines(data)
    if lines is not None and (lines + 1) * len(header) > cell_limit:
        # Mostly blank lines under a wide header: skip them as they are read, remembering the row numbers.
        body, numbers = _read_csv_rows(decode_upload(data, encoding), delimiter, header_index, len(header), max_rows)
        return header, body, header_index + 1, numbers
    # Figures are read as numbers where they are; every other cell as the text typed ("0012" stays "0012").
    figures = {k for k, cell in enumerate(header) if header_role(cell) in FIGURE_ROLES}
    body, numbers = None, None
    if encoding in ("utf-8", "utf-8-sig"):
        body = _read_csv_arrow(data, delimiter, header_index + 1, len(header), figures)
    if body is None:
        body, numbers = _read_csv_pandas(data, encoding, delimiter, header_index, len(header), figures, max_rows,
                                         path)
    if len(body) > max_rows:
        raise UnreadableFile("too_many_rows", count=f"more than {max_rows:,}", limit=f"{max_rows:,}")
    return header, body, header_index + 1, numbers


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
    """Read the body with pandas; see :func:`read_csv_cells` for what is returned."""
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
                text = decode(data, encoding)  # not UTF-8 after all: Windows-1252
                body = pd.read_csv(io.StringIO(text), **options)
        else:
            text = decode(data, encoding)
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
        text = text if text is not None else decode(data, encoding)
        return _read_csv_rows(text, delimiter, header_index, width, max_rows)
    if not isinstance(body.index, pd.RangeIndex):
        # Every line longer than the header: pandas would silently take the extra leading cells as an index.
        text = text if text is not None else decode(data, encoding)
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
