"""Turn the bytes of an uploaded file into a raw table of cells, or say clearly why not.

CSV (UTF-8 with or without BOM, UTF-16, Windows-1252; comma, semicolon or tab
delimited) and Excel ``.xlsx`` are read. Everything else, and every way a file
can be broken or hostile (empty, too large, encrypted, corrupt, an archive or
XML entity bomb), becomes a file-level problem in the report, never an
exception. Row numbers are those a person sees in their spreadsheet.

One module per job: :mod:`.sniff` tells a workbook from text and finds the text's encoding and delimiter,
:mod:`.csv` and :mod:`.xlsx` read the cells (the latter behind the archive guard), :mod:`.header` finds the
header row, and :mod:`.table` assembles the raw table the validator checks.
"""

from __future__ import annotations

import logging
from pathlib import Path

from decarb_dashboard import config
from decarb_dashboard.intake.csv import read_csv_cells
from decarb_dashboard.intake.limits import UnreadableFile
from decarb_dashboard.intake.sniff import sniff_format
from decarb_dashboard.intake.table import RawTable, assemble
from decarb_dashboard.intake.xlsx import cell_value, read_xlsx_cells
from decarb_dashboard.report import IssueCollector

__all__ = ["RawTable", "UnreadableFile", "assemble", "cell_value", "read_upload"]

log = logging.getLogger(__name__)


def read_upload(data: bytes, *, max_bytes: int | None = None, max_rows: int = config.DEFAULT_MAX_ROWS,
                max_columns: int = config.DEFAULT_MAX_COLUMNS,
                path: Path | None = None, assemble=assemble) -> tuple[RawTable | None, IssueCollector]:
    """Read an uploaded file's bytes.

    Returns the raw table (None when the file cannot be read at all) and the
    file-level problems found: unreadable files, duplicate or unknown columns.
    ``assemble`` names the columns (the return's :func:`.table.assemble` unless another file's is given,
    as the projects file's :func:`decarb_dashboard.projects.assemble_projects`).
    """
    problems = IssueCollector()
    limit = config.max_upload_bytes() if max_bytes is None else max_bytes
    try:
        if not data:
            raise UnreadableFile("file_empty")
        if limit and len(data) > limit:
            raise UnreadableFile("file_too_large", size_mb=f"{len(data) / 1024 / 1024:,.1f}",
                                 limit_mb=f"{limit / 1024 / 1024:,.0f}")
        kind = sniff_format(data)
        if kind == "xlsx":
            header, body, header_row, numbers = read_xlsx_cells(data, max_rows, max_columns)
        else:
            header, body, header_row, numbers = read_csv_cells(data, max_rows, max_columns, path)
        table = assemble(header, body, header_row, kind, problems, numbers)
    except UnreadableFile as exc:
        if exc.__cause__ is not None:  # the technical cause is for the service desk, not the message
            log.info("unreadable upload (%s): %r", exc.code, exc.__cause__)
        problems.add(exc.code, **exc.params)
        return None, problems
    return table, problems
