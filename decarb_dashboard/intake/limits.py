"""The bounds an upload must keep to, and the exception for a file that cannot be read at all."""

from __future__ import annotations

#: Cells (rows x columns) a CSV may become, beyond twice its bytes, before its blank lines are skipped as
#: it is read: a small file of empty lines under a wide header would otherwise make a table of gigabytes.
#: A file of real lines never comes near it: each line holds a delimiter per column.
MAX_CELLS = 25_000_000  # also bounds a workbook's rows x columns as it is read


class UnreadableFile(Exception):
    """The file cannot be read at all; ``code`` and ``params`` feed the message catalogue."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
