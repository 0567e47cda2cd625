"""What the pages read: the store and the engine of the app's data directory, cached per process.

The cache is keyed by the store's version (the newest audit log entry), so it is
rebuilt after a submission or a status change lands, in every process. A process whose
directory is *followed* (:mod:`decarb_dashboard.web.propagation`, the app's default) has its
engines rebuilt in the background within ``DECARB_PROPAGATION_INTERVAL_S`` plus the time
of one build, and its requests never read the version nor wait for a rebuild; otherwise
each request reads the version and the engine is rebuilt at most every ``REBUILD_INTERVAL_S``.
A rebuild reads again only the body-years whose current return changed (:func:`_current_lines`) and
works out only their figures (:meth:`Engine.updated`), the published engine of ``DECARB_PUBLISH=accepted``
as much as the other. Nothing per user is kept here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import flask
import pandas as pd

from decarb_dashboard import config, rollups
from decarb_dashboard.engine import Engine, load_inputs
from decarb_dashboard.matcher import OrganisationMatcher, matcher_for
from decarb_dashboard.memo import per_object
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.years import BASELINE_YEAR

T = TypeVar("T")
_lock = threading.Lock()
#: A process rebuilds its engine at most this often; pages may be this far behind the store.
REBUILD_INTERVAL_S = 10.0


#: A rebuild reads again only the body-years whose current part changed, up to this many parts; more read every line.
INCREMENTAL_MAX_PARTS = 200


@dataclass(frozen=True)
class _Built:
    version: int
    built_at: float
    engine: Engine
    #: The parts (organisation_id, reporting_year, submission_id) of the current lines the engine was built from,
    #: kept to read only what changed next time (the engine's facts hold the lines' figures: not the lines again).
    parts: frozenset[tuple[str, str, str]]


_engines: dict[str, _Built] = {}
_building: dict[str, threading.Lock] = {}
_stores: dict[str, SubmissionStore] = {}
#: The threads that keep each data directory's engines current (web.propagation), by directory.
_followers: dict[str, threading.Thread] = {}


def data_dir() -> Path:
    """Return the data directory of the app serving this request."""
    return Path(flask.current_app.config["DECARB_DATA_DIR"])


def store(directory: Path | None = None) -> SubmissionStore:
    """Return the store of the app's data directory (one object per process: it holds no connection)."""
    key = str(directory or data_dir())
    with _lock:
        found = _stores.get(key)
    if found is None:
        found = SubmissionStore(key)
        with _lock:
            _stores[key] = found
    return found


def registry() -> pd.DataFrame:
    return engine().registry


def matcher() -> OrganisationMatcher:
    return matcher_for(engine().registry)


def engine(directory: Path | None = None, *, drafts: bool = False) -> Engine:
    """Return the engine over the current returns, rebuilt when the store has changed.

    The published figures: with ``DECARB_PUBLISH=accepted`` only accepted returns. ``drafts``
    (the review and upload pages, never a public one) gives every current return whatever
    the setting; without that setting the two are the same engine.

    In a followed directory (see :func:`follow`) the engine is the one the follower built
    last: no reading of the store's version, no waiting. Otherwise a process rebuilds at most
    once every ``REBUILD_INTERVAL_S``: between rebuilds, and while one thread of the process
    rebuilds, the pages are drawn from the engine before (at most that many seconds behind
    the store). While submissions arrive one after another this keeps the pages quick
    instead of rebuilding for each one. The first engine of a process is always waited for.
    """
    directory = directory or data_dir()
    key = _engine_key(directory, drafts)
    with _lock:
        cached = _engines.get(key)
        building = _building.setdefault(key, threading.Lock())
        follower = _followers.get(str(directory))
    if cached is not None and follower is not None and follower.is_alive():
        return cached.engine
    s = store(directory)
    version = _version(s)
    if cached is not None and cached.version >= version:
        return cached.engine
    recent = cached is not None and time.monotonic() - cached.built_at < REBUILD_INTERVAL_S
    if cached is not None and (recent or not building.acquire(blocking=False)):
        return cached.engine
    if cached is None:
        building.acquire()
    try:
        return _build(directory, drafts, version).engine
    finally:
        building.release()


def _build(directory: Path, drafts: bool, version: int) -> _Built:
    """Build the engine of ``directory`` at ``version`` (its builder's lock held) unless one as new is kept."""
    key = _engine_key(directory, drafts)
    with _lock:
        cached = _engines.get(key)
    if cached is not None and cached.version >= version:
        return cached
    s = store(directory)
    lines, parts, changed = _current_lines(s, cached, accepted_only=config.publish_accepted_only() and not drafts)
    registry, factors = load_inputs(s.root)
    if changed is not None and registry is cached.engine.registry and factors.equals(cached.engine.factors):
        fresh = cached.engine.updated(lines, changed)  # only the changed body-years worked out again
    else:
        fresh = Engine.from_lines(lines, registry, factors)
    built = _Built(version, time.monotonic(), fresh, parts)
    with _lock:
        _engines[key] = built
    return built


def _current_lines(s: SubmissionStore, before: _Built | None, accepted_only: bool = False
                   ) -> tuple[pd.DataFrame | None, frozenset, set | None]:
    """Return the store's current lines (with ``accepted_only``, the published ones of ``DECARB_PUBLISH=accepted``)
    of the body-years changed since ``before``, their parts, and those body-years: or every current line and None,
    when there is no such engine or more than :data:`INCREMENTAL_MAX_PARTS` parts changed.

    Only the body-years whose current part is not one ``before`` was built from are read again: at
    5,000 bodies reading every current line back from PostgreSQL takes tens of seconds, one
    body-year's lines some 0.06 s. The list of parts and the lines are read apart: a submission
    landing between them is read now or at the next rebuild (its part then differs from the one recorded).
    """
    found = s.current_parts(accepted_only=accepted_only)
    parts = frozenset(zip(*(found[c].tolist() for c in ("organisation_id", "reporting_year", "submission_id")),
                          strict=True))
    if before is None or len(parts ^ before.parts) > INCREMENTAL_MAX_PARTS:
        return s.current_lines(accepted_only=accepted_only), parts, None
    changed = {(o, y) for o, y, _ in parts ^ before.parts}
    current = {(o, y) for o, y, _ in parts}
    fresh = [s.current_lines(o, y, accepted_only=accepted_only)  # not current: withdrawn, damaged (or not accepted)
             for o, y in sorted(changed) if (o, y) in current]
    return (pd.concat(fresh, ignore_index=True) if fresh else None), parts, changed


def rebuild(directory: Path) -> int:
    """Build the engines of ``directory`` (the published one and the drafts one, if they differ) at the store's
    version now, unless they are that new already, and put them in place of the ones before; return that version.

    For the follower's thread (:mod:`decarb_dashboard.web.propagation`): requests meanwhile are
    served from the engines before. The version is read before the lines, so a submission that
    lands during a build is either in it or makes the next one.
    """
    version = store(directory).version()
    for drafts in {_engine_key(directory, d): d for d in (False, True)}.values():
        with _lock:
            building = _building.setdefault(_engine_key(directory, drafts), threading.Lock())
        with building:
            _build(directory, drafts, version)
    return version


def follow(directory: Path, follower: threading.Thread) -> None:
    """Say that ``follower`` keeps the engines of ``directory`` current: while it runs, requests use the engine
    built last without reading the store's version."""
    with _lock:
        _followers[str(directory)] = follower


def _engine_key(directory: Path, drafts: bool) -> str:
    accepted_only = config.publish_accepted_only() and not drafts
    return f"{directory}#{'published' if accepted_only else 'current'}"


def built_version(directory: Path, drafts: bool = False) -> int | None:
    """Return the store version the process's engine of ``directory`` was built at (None: none built yet)."""
    with _lock:
        found = _engines.get(_engine_key(directory, drafts))
    return None if found is None else found.version


def _version(s: SubmissionStore) -> int:
    """Return the store's version, read once per request: a page's callback asks for the engine some 20 times,
    and each reading opens the database (a few milliseconds each)."""
    if not flask.has_request_context():
        return s.version()
    read = flask.g.setdefault("decarb_store_versions", {})
    if s.root not in read:
        read[s.root] = s.version()
    return read[s.root]


def comparison(e: Engine, body: str, year: str, peer_group: str | list[str] = "type", metric: str = "total",
               include_supply_chain: bool = True) -> dict:
    """Return :func:`decarb_dashboard.compare.compare` of ``body`` in ``year`` over ``e``, worked out once per engine.

    The same dict is returned to every caller until the store changes: treat it as read-only.
    """
    from decarb_dashboard.compare import compare

    group = tuple(peer_group) if isinstance(peer_group, list) else peer_group
    return per_object(e, ("comparison", body, year, group, metric, include_supply_chain), lambda: compare(
        e, body, year, peer_group=peer_group, metric=metric, include_supply_chain=include_supply_chain,
        all_flags=quality_flags(year)))


def page_view(e: Engine, page: str, key: tuple, build: Callable[[], T]) -> T:
    """Return a page's figures (its callback's whole output) for ``key``, worked out once per engine.

    ``key`` is everything the figures depend on besides the engine: the page's inputs and the
    language. The engine is rebuilt when the store changes (a submission, a decision), so a kept
    view never outlives the figures it shows. While a view is built again for a download it is
    built afresh (the download needs its frames, which a kept view does not hand over).
    """
    from decarb_dashboard.web.components import rebuilding

    if rebuilding():
        return build()
    return per_object(e, ("page view", page, key), build)


def body_options(lang: str) -> list[dict]:
    """Return the dropdown options of every registered body, named in ``lang``."""
    m = matcher()
    reg = registry()
    return sorted(({"label": m.name(b, lang, short=True), "value": b} for b in reg["id"]), key=lambda o: o["label"])


def year_coverage() -> dict[str, dict]:
    """Return {year: all-Wales coverage} for every year in the store, worked out once per engine."""
    e = engine()
    everyone = sorted(e.registry["id"].astype(str))
    return per_object(e, "year coverage", lambda: {
        y: rollups.coverage(e.categories, e.registry, everyone, y) for y in e.years()})


def year_options(lang: str = "en") -> list[dict]:
    """Return the years in the store, newest first; a year with too few returns says it is provisional."""
    from decarb_dashboard.web.i18n import t

    cover = year_coverage()
    return [{"label": y if not cover[y]["provisional"] else
             t("year_provisional", lang, year=y, reported=cover[y]["bodies_reported"],
               expected=cover[y]["bodies_expected"]), "value": y}
            for y in reversed(engine().years())]


def quality_flags(year: str) -> pd.DataFrame:
    """Return every body's quality flags for ``year``, worked out once per engine (store version):
    :func:`decarb_dashboard.peers.year_flags`, ``detail`` null (the pages word each flag in their language)."""
    from decarb_dashboard.peers import year_flags

    return year_flags(engine(), year)


def chosen_body(body: str | None) -> str:
    """Return the body asked for in the address if it is registered, else Cardiff (or the first body)."""
    ids = list(registry()["id"])
    return body if body in ids else ("cardiff" if "cardiff" in ids else ids[0])


def default_year() -> str:
    """Return the year the pages open on: the latest with adequate coverage (see :mod:`decarb_dashboard.rollups`)."""
    e = engine()
    return per_object(e, "default year", lambda: rollups.default_year(e.categories, e.registry)) or BASELINE_YEAR


def chosen_year(year: str | None) -> str:
    """Return the financial year asked for if the store has returns for it, else the default year."""
    return year if year in engine().years() else default_year()
