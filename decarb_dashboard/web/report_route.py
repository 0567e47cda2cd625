"""``GET /report/<body>/<year>.pdf?lang=cy``: a body's report pack (decarb_dashboard/report_pack.py) from the web.

The published figures only (the engine the public pages draw from, so ``DECARB_PUBLISH=accepted``
applies); a body or year with none answers 404 with a sentence in the asked language.
"""

from __future__ import annotations

import flask
from dash import Dash

from decarb_dashboard import config, report_pack
from decarb_dashboard.memo import per_object
from decarb_dashboard.web import data
from decarb_dashboard.web.components import download_name
from decarb_dashboard.web.i18n import language, t

PATH = "/report/<body>/<year>.pdf"


def report_href(body: str, year: str, lang: str) -> str:
    """The address of the report pack of ``body`` in ``year``, in ``lang``."""
    return f"/report/{body}/{year}.pdf?lang={lang}"


def report(body: str, year: str) -> flask.Response:
    lang = language(flask.request.args.get("lang"))
    engine = data.engine()
    accepted_only = config.publish_accepted_only()
    try:
        status = report_pack.review_status(data.store(), body, year, accepted_only)
        # seconds of drawing and typesetting: made once per engine (the store's version), body, year,
        # language and review status, then every reader of it gets the same bytes
        pdf = per_object(engine, ("report_pdf", body, year, lang, status, accepted_only),
                         lambda: report_pack.report_pdf(engine, body, year, lang, status, accepted_only))
    except report_pack.NoReport as refused:
        missing = refused.code == "report_renderer_missing"  # the server's fault, not the address's
        return flask.Response(t(refused.code if missing else "report_not_found", lang), status=503 if missing else 404,
                              mimetype="text/plain", headers={"Content-Language": lang})
    name = download_name(body, year, "report", lang=lang)
    return flask.Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}.pdf"', "Content-Language": lang,
        "Cache-Control": "no-cache"})


def register(app: Dash) -> None:
    app.server.add_url_rule(PATH, "report_pack", report)
