"""What the pages read: the store and the engine of the app's data directory, cached per process.

The cache is keyed by the store's version (the newest audit log entry), so it is
rebuilt as soon as a submission or a status change lands, in every process.
Nothing per user is kept here.
"""

from __future__ import annotations

import threading
from pathlib import Path

import flask
import pandas as pd

from decarb_dashboard.compare import Engine
from decarb_dashboard.memo import per_object
from decarb_dashboard.registry import OrganisationMatcher, matcher_for
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.years import BASELINE_YEAR

_lock = threading.Lock()
_engines: dict[str, tuple[int, Engine]] = {}


def data_dir() -> Path:
    """Return the data directory of the app serving this request."""
    return Path(flask.current_app.config["DECARB_DATA_DIR"])


def store() -> SubmissionStore:
    return SubmissionStore(data_dir())


def registry() -> pd.DataFrame:
    return engine().registry


def matcher() -> OrganisationMatcher:
    return matcher_for(engine().registry)


def engine(directory: Path | None = None) -> Engine:
    """Return the engine over the current returns, rebuilt when the store has changed."""
    directory = directory or data_dir()
    s = SubmissionStore(directory)
    version = s.version()
    key = str(directory)
    with _lock:
        cached = _engines.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
    built = Engine.from_store(s)
    with _lock:
        _engines[key] = (version, built)
    return built


def body_options(lang: str) -> list[dict]:
    """Return the dropdown options of every registered body, named in ``lang``."""
    m = matcher()
    reg = registry()
    return sorted(({"label": m.name(b, lang, short=True), "value": b} for b in reg["id"]), key=lambda o: o["label"])


def year_options() -> list[dict]:
    return [{"label": y, "value": y} for y in reversed(engine().years())]


def quality_flags(year: str) -> pd.DataFrame:
    """Return every body's quality flags for ``year``, worked out once per engine (store version)."""
    from decarb_dashboard.benchmark import quality_flags as find

    e = engine()
    return per_object(e, ("quality flags", year), lambda: find(e.facts, e.categories, e.values, e.registry, year))


def chosen_body(body: str | None) -> str:
    """Return the body asked for in the address if it is registered, else Cardiff (or the first body)."""
    ids = list(registry()["id"])
    return body if body in ids else ("cardiff" if "cardiff" in ids else ids[0])


def chosen_year(year: str | None) -> str:
    """Return the financial year asked for if the store has returns for it, else the latest one."""
    known = engine().years()
    return year if year in known else (known[-1] if known else BASELINE_YEAR)
