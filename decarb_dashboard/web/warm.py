"""Work out the public pages' figures before anyone asks: at start-up, and again after each change to the store.

A page's figures are kept per engine (:func:`data.page_view`, :mod:`decarb_dashboard.memo`),
and the engine is rebuilt when the store changes; without this the first visitor after a
start or a submission would wait for the engine, the comparisons and the charts. The
thread that follows the store's changes (:mod:`decarb_dashboard.web.propagation`, one per
process and data directory) calls :func:`warm` at start and after each rebuild, once the
new engine is in place: it draws each page of :data:`PATHS` in every language, as a
signed-out visitor opening it would get it, one step (a year's flags, a page) at a time,
and one process of the data directory (a server's workers) at a time (:func:`turn`).
Requests go first: a step waits while this process answers any (:func:`counted`), up to
:data:`PATIENCE_S`. A visitor asking for a page being drawn waits for that one drawing.
``DECARB_WARM_PAGES=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import dash
import flask

from decarb_dashboard.web import data
from decarb_dashboard.web.i18n import languages

#: The pages anyone may read, as opened from the menu (their default body, year and measure).
PATHS = ("/", "/wales", "/organisation", "/compare")
#: A step of the drawing waits at most this long (seconds) for the requests being answered: on a
#: server never without one the pages are still drawn, a step at a time between them.
PATIENCE_S = 1.0

_answered = threading.Condition()
_answering = 0  # requests of this process being answered now


def warm(server: flask.Flask, stale: Callable[[], bool] = lambda: False) -> bool:
    """Draw every page of :data:`PATHS` in every language once (their figures are then kept); return whether all were.

    ``stale`` is asked before each step: once it says the store has moved on, the rest would be
    drawn on an engine about to be replaced, and that time (seconds under load, on every worker
    of every server) is better left to building the next engine and answering requests, so the
    drawing stops (False) and the follower draws again on the next engine.
    """
    layouts = {p["path"]: p["layout"] for p in dash.page_registry.values() if p.get("path") in PATHS}
    with server.test_request_context("/"):
        years = data.engine(drafts=True).years()
    steps = [functools.partial(_flags, server, year) for year in years]  # the Wales and review pages'
    steps += [functools.partial(_page, server, path, layouts[path], lang)
              for lang in languages() for path in PATHS if path in layouts]
    for step in steps:
        with _answered:
            _answered.wait_for(lambda: not _answering, timeout=PATIENCE_S)
        if stale():
            return False
        step()
    return True


def counted(wsgi_app: Callable) -> Callable:
    """Wrap a server's WSGI app to count the requests being answered, for :func:`warm` to let them go first.

    After a change the requests (the API's figure, a visitor's page) need the cores as much as
    the drawing ahead does, and it is for them that the pages are drawn.
    """
    def answer(environ: dict, start_response: Callable) -> object:
        global _answering
        with _answered:
            _answering += 1
        try:
            return wsgi_app(environ, start_response)
        finally:
            with _answered:
                _answering -= 1
                _answered.notify_all()
    return answer


@contextlib.contextmanager
def turn(directory: Path) -> Iterator[None]:
    """Wait until no other process of ``directory`` is drawing its pages, and keep the others waiting meanwhile.

    Each of a server's workers keeps its own figures, so each draws its own pages; but all at once
    they took every core after each change, and a request after the change (the API's figure,
    the first visitor's page) waited seconds behind them. In turn, the other workers have the
    cores for their requests.
    """
    with open(directory / ".warm.lock", "a") as lock:  # closing it lets the next process draw
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _flags(server: flask.Flask, year: str) -> None:
    """Work out a year's quality flags (seconds at 5,000 bodies)."""
    with server.test_request_context("/"):
        data.quality_flags(year)


def _page(server: flask.Flask, path: str, layout: Callable, lang: str) -> None:
    with server.test_request_context(path, query_string={"lang": lang}):
        data.engine(drafts=True)  # the review and upload pages' engine (the same one unless DECARB_PUBLISH=accepted)
        layout(lang=lang)
