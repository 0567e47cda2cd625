"""Work out the public pages' figures before anyone asks: at start-up, and again after each change to the store.

A page's figures are kept per engine (:func:`data.page_view`, :mod:`decarb_dashboard.memo`),
and the engine is rebuilt when the store changes; without this the first visitor after a
start or a submission would wait for the engine, the comparisons and the charts. A daemon
thread per process and data directory draws each page of :data:`PATHS` in every language,
as a signed-out visitor opening it would get it, then looks at the store's version every
:data:`data.REBUILD_INTERVAL_S` and draws them again when it has changed. Visitors meanwhile
are served as before (a visitor asking for a page being drawn waits for that one drawing).
``DECARB_WARM_PAGES=0`` turns it off.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import dash
import flask

from decarb_dashboard.web import data
from decarb_dashboard.web.i18n import languages

log = logging.getLogger(__name__)
#: The pages anyone may read, as opened from the menu (their default body, year and measure).
PATHS = ("/", "/wales", "/organisation", "/compare")

_started: dict[str, tuple[threading.Thread, threading.Event]] = {}
_lock = threading.Lock()


def warm(server: flask.Flask) -> None:
    """Draw every page of :data:`PATHS` in every language once (their figures are then kept)."""
    layouts = {p["path"]: p["layout"] for p in dash.page_registry.values() if p.get("path") in PATHS}
    with server.test_request_context("/"):
        for year in data.engine(drafts=True).years():  # every year's quality flags: the Wales and review pages'
            data.quality_flags(year)                    # (seconds a year at 5,000 bodies)
    for lang in languages():
        for path in PATHS:
            if path in layouts:
                with server.test_request_context(path, query_string={"lang": lang}):
                    data.engine(drafts=True)  # the review and upload pages' engine (the same one unless
                    layouts[path](lang=lang)  # DECARB_PUBLISH=accepted)


def _run(server: flask.Flask, directory: Path, stop: threading.Event) -> None:
    seen = None
    while not stop.is_set():
        if not directory.exists():  # the data directory went (a test's or a benchmark's temporary one)
            return
        try:
            version = data.store(directory).version()
            if version != seen:
                warm(server)
                # An engine built within REBUILD_INTERVAL_S of the one before is not rebuilt yet: draw again next time.
                if all((data.built_version(directory, drafts) or -1) >= version for drafts in (False, True)):
                    seen = version
        except Exception:  # never let the warming stop: each page is worked out when first asked anyway
            log.exception("working out the pages ahead failed; each is worked out when first asked")
        stop.wait(data.REBUILD_INTERVAL_S)


def start(server: flask.Flask, directory: Path) -> threading.Event:
    """Start this process's warming thread for ``directory`` (once); return the event that stops it."""
    key = str(directory)
    with _lock:
        found = _started.get(key)
        if found is not None and found[0].is_alive():
            return found[1]
        stop = threading.Event()
        thread = threading.Thread(target=_run, args=(server, directory, stop), name="decarb-warm-pages", daemon=True)
        _started[key] = (thread, stop)
        thread.start()
        return stop
