"""What the store's health means for the pages: the site-wide notice of unavailable returns, and ``/healthz``."""

from __future__ import annotations

import flask
from dash import html

from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web.i18n import t


def health(store: SubmissionStore) -> dict:
    """Return ``/healthz``'s answer: ok, or degraded with the bodies and years that cannot be read.

    Reads only the catalogue, so it answers while the disk is full.
    """
    unavailable = [{"organisation_id": o, "reporting_year": y, "reason": why} for o, y, why in store.unavailable()]
    answer: dict = {"status": "degraded" if unavailable else "ok", "store_version": store.version()}
    if unavailable:
        answer["unavailable"] = unavailable
    return answer


def unavailable_notice(lang: str) -> html.Div | None:
    """The notice on every page while a current return cannot be read ("Cardiff 2022-23: unavailable: ...")."""
    from decarb_dashboard.web import data

    if not flask.has_app_context():  # the layout made once at start-up, before any request
        return None
    unavailable = data.store().unavailable()
    if not unavailable:
        return None
    m = data.matcher()
    items = [html.Li(t("unavailable_item", lang, body=m.name(o, lang, short=True) if o in m.registry.index else o,
                       year=y, reason=t("unavailable_" + why.replace(" ", "_"), lang)))
             for o, y, why in unavailable]
    return html.Div([html.P(html.Strong(t("unavailable_title", lang))), html.Ul(items)],
                    className="notice", id="store-unavailable", role="status")
