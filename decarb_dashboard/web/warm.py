"""Work out the public pages' figures before anyone asks: at start-up, and again after each change to the store.

A page's figures are kept per engine (:func:`data.page_view`, :mod:`decarb_dashboard.memo`),
and the engine is rebuilt when the store changes; without this the first visitor after a
start or a submission would wait for the engine, the comparisons and the charts. The
thread that follows the store's changes (:mod:`decarb_dashboard.web.propagation`, one per
process and data directory) calls :func:`warm` at start and after each rebuild: it draws
each page of :data:`PATHS` in every language, as a signed-out visitor opening it would get
it. Visitors meanwhile are served as before (a visitor asking for a page being drawn waits
for that one drawing). ``DECARB_WARM_PAGES=0`` turns it off.
"""

from __future__ import annotations

import dash
import flask

from decarb_dashboard.web import data
from decarb_dashboard.web.i18n import languages

#: The pages anyone may read, as opened from the menu (their default body, year and measure).
PATHS = ("/", "/wales", "/organisation", "/compare")


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
