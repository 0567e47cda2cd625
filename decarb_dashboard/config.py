"""Settings read from the environment, with the defaults a fresh machine needs."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATA_DIR = Path("var/decarb-data")
DEFAULT_MAX_UPLOAD_MB = 10.0
#: Excel's own row limit; a return never needs more.
DEFAULT_MAX_ROWS = 1_048_576
#: A return has 11 columns; a sheet with hundreds is not a return.
DEFAULT_MAX_COLUMNS = 200


class ConfigurationError(RuntimeError):
    """The environment does not allow the app to start safely; the message says what to set."""


def data_dir() -> Path:
    """Return the data directory: ``$DECARB_DATA_DIR`` or ``./var/decarb-data``."""
    return Path(os.environ.get("DECARB_DATA_DIR") or DEFAULT_DATA_DIR)


def max_upload_bytes() -> int:
    """Return the largest upload accepted, in bytes (``$DECARB_MAX_UPLOAD_MB``, default 10 MB)."""
    raw = os.environ.get("DECARB_MAX_UPLOAD_MB")
    try:
        megabytes = float(raw) if raw else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        megabytes = DEFAULT_MAX_UPLOAD_MB
    return round(megabytes * 1024 * 1024)
