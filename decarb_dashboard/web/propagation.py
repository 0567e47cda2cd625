"""A change made through any server shows on every server: each process follows the store's version.

Several servers (and each server's gunicorn workers) share one store, in PostgreSQL
(``DECARB_DATABASE_URL``), but each process keeps its own engine and page figures
(:mod:`decarb_dashboard.web.data`). One daemon thread per process and data directory reads
the store's version every ``DECARB_PROPAGATION_INTERVAL_S`` (0.5 s by default; one query of
three indexed maxima, see :meth:`decarb_dashboard.store.SubmissionStore.version`) and, when it
has changed (a submission or a decision through any server, the register edited), builds the
engine again in this thread and puts it in place of the one before; then, with
``DECARB_WARM_PAGES`` on, a second thread draws the public pages ahead on it
(:mod:`decarb_dashboard.web.warm`), and stops drawing as soon as the store moves on again rather
than finish pages nobody will be shown; the follower never waits for that drawing, and the drawing
waits while the follower rebuilds.
Requests meanwhile are answered from the engine before, and never read the version
themselves. A change therefore shows everywhere within the interval plus one build of the
engine (``benchmarks/bench_propagation.py`` measures it across two servers).

Version polling rather than PostgreSQL's LISTEN/NOTIFY: the same on both backends, one
cheap query, no connection held open per process, and nothing to miss while a
connection is lost (the next reading sees every change since).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import threading
import time
from pathlib import Path

import flask

from decarb_dashboard import config, memo
from decarb_dashboard.web import data, warm

log = logging.getLogger(__name__)

_started: dict[str, tuple[threading.Thread, threading.Event]] = {}
_lock = threading.Lock()
#: While the follower rebuilds, the drawing ahead waits at each result it asks for (:func:`memo.give_way`), at most
#: this long each time (seconds): a bound, should the rebuild ever need a result the drawing is working out.
GIVE_WAY_S = 5.0


def _follow(server: flask.Flask, directory: Path, stop: threading.Event, interval_s: float, rebuild: bool,
            warm_pages: bool) -> None:
    """Follow the store of ``directory`` until ``stop`` is set (or the directory goes)."""
    seen = None
    failing = False
    # With rebuilds here the drawing ahead has a thread of its own: a step of it (a year's flags, a page) takes
    # seconds at 5,000 bodies, and the next rebuild waited for it to end (5.2 s from a receipt to the other
    # server's figure, against 2.5 s without the drawing).
    quiet = threading.Event()  # set while no rebuild runs here: the drawing ahead goes on only then
    quiet.set()
    drawer = _Drawer(server, directory, stop, quiet) if rebuild and warm_pages else None
    while not stop.is_set():
        if not directory.exists():  # the data directory went (a test's or a benchmark's temporary one)
            return
        try:
            version = data.store(directory).version()
            if version != seen:
                started = time.monotonic()
                if rebuild:
                    quiet.clear()
                    try:
                        data.rebuild(directory)
                    finally:
                        quiet.set()
                    log.info("store version %s: engine rebuilt in %.2f s", version, time.monotonic() - started)
                    if drawer is not None:
                        drawer.draw(version)
                elif warm_pages:  # no rebuilds here: the pages are drawn on the engine a request would have
                    with warm.turn(directory):
                        warm.warm(server)
                # Without the rebuild here, warm's engine() may not have rebuilt yet (REBUILD_INTERVAL_S): again later.
                if all((data.built_version(directory, drafts) or -1) >= version for drafts in (False, True)):
                    seen = version
            if failing:
                log.warning("following the store's changes again")
            failing = False
        except Exception:  # never let the thread stop: a lost database is retried at the next interval
            if not failing:
                log.exception("following the store's changes failed; the pages show the figures before until it "
                              "works again")
            failing = True
        stop.wait(interval_s)


class _Drawer:
    """Draws the pages ahead (:func:`warm.warm`) on each new engine, in a thread of its own.

    :meth:`draw` says which store version's engine is in place and returns at once. The thread
    draws on it, one process of the data directory at a time (:func:`warm.turn`), and stops a
    drawing as soon as the store has moved on (a newer engine is coming: it is drawn on instead).
    While the follower rebuilds (``quiet`` cleared), it waits at each result it asks for.
    """

    def __init__(self, server: flask.Flask, directory: Path, stop: threading.Event, quiet: threading.Event) -> None:
        self._server, self._directory, self._stop, self._quiet = server, directory, stop, quiet
        self._wanted: int | None = None
        # The version a drawing was last started on, finished or not: one stopped because the store moved on is
        # not started again on that engine, but on the next, which the follower is building.
        self._started: int | None = None
        self._changed = threading.Condition()
        threading.Thread(target=self._run, name="decarb-draw-ahead", daemon=True).start()

    def draw(self, version: int) -> None:
        """Draw the pages on the engine of store ``version`` (now in place), instead of any drawing before."""
        with self._changed:
            self._wanted = version
            self._changed.notify()

    def _run(self) -> None:
        _yield_the_cores()
        # Python runs one thread of a process at a time: a step drawn during a rebuild took half of it (B's rebuild
        # after a change went from 0.6 s to 1.9 s at 5,000 bodies). At each result it asks for, the drawing waits
        # for the follower's rebuild to end.
        memo.give_way(functools.partial(self._quiet.wait, GIVE_WAY_S))
        while not self._stop.is_set() and self._directory.exists():
            with self._changed:
                self._changed.wait_for(lambda: self._wanted != self._started or self._stop.is_set(), timeout=1.0)
                version = self._wanted
            if version is None or version == self._started or self._stop.is_set():
                continue
            self._started = version
            try:
                with warm.turn(self._directory):
                    started = time.monotonic()
                    drawn = warm.warm(self._server, functools.partial(self._stale, version))
                log.info("store version %s: pages drawn ahead in %.1f s%s", version, time.monotonic() - started,
                         "" if drawn else ", stopped there: the store moved on")
            except Exception:  # drawing ahead only saves a visitor time: never let it stop the thread
                log.exception("drawing the pages ahead failed; they are drawn when asked for")

    def _stale(self, version: int) -> bool:
        """Whether a newer engine than ``version``'s is in place or coming (the store has moved on)."""
        return self._wanted != version or _moved_on(self._directory, version)


def _yield_the_cores() -> None:
    """Give the calling thread the lowest scheduling priority (nice 19), on Linux, where it is the thread's own.

    The drawing ahead is work that only saves a later visitor time; after a change every worker of
    every server on the machine also rebuilds its engine and answers the requests waiting for it,
    and those should have the cores first. (Python's GIL still passes between this process's
    threads every few milliseconds whatever their priority.) Threads started from this one inherit
    the priority: so would a library's pool of workers if first used here.
    """
    if sys.platform != "linux":  # elsewhere the id would name a process, not this thread
        return
    with contextlib.suppress(OSError):  # not allowed (a sandbox): drawn at the process's priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _moved_on(directory: Path, version: int) -> bool:
    """Whether the store of ``directory`` is past ``version`` (one cheap query)."""
    return data.store(directory).version() != version


def start(server: flask.Flask, directory: Path, *, warm_pages: bool | None = None) -> threading.Event | None:
    """Start this process's follower of ``directory`` (once); return the event that stops it.

    ``warm_pages`` (default ``DECARB_WARM_PAGES``): draw the public pages ahead at start and
    after each change. With ``DECARB_PROPAGATION_INTERVAL_S=0`` the thread only draws the pages,
    every ``data.REBUILD_INTERVAL_S``, leaving each request to read the version; with that and
    no warming no thread is started (None).
    """
    interval_s = config.propagation_interval_s()
    warm_pages = config.warm_pages() if warm_pages is None else warm_pages
    if not interval_s and not warm_pages:
        return None
    key = str(directory)
    with _lock:
        found = _started.get(key)
        if found is not None and found[0].is_alive():
            return found[1]
        stop = threading.Event()
        thread = threading.Thread(target=_follow, name="decarb-follow-store", daemon=True, args=(
            server, directory, stop, interval_s or data.REBUILD_INTERVAL_S, bool(interval_s), warm_pages))
        _started[key] = (thread, stop)
        if interval_s:
            data.follow(directory, thread)
        thread.start()
        return stop
