"""``GET /report/<body>/<year>.pdf?lang=cy&peers=region&metric=per_fte``: a body's report pack
(decarb_dashboard/report_pack.py) from the web.

The published figures only (the engine the public pages draw from, so ``DECARB_PUBLISH=accepted``
applies); a body or year with none answers 404 with a sentence in the asked language. ``peers`` and
``metric`` are the peer group and metric the reader chose on My organisation (default ``type`` and
``total``); a value the vocabulary lacks answers 400, saying which values there are.
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


def report(body: str, year: str) -> flask.Response:
    lang = language(flask.request.args.get("lang"))
    engine = data.engine()
    accepted_only = config.publish_accepted_only()
    peer_group = flask.request.args.get("peers", "type")
    metric = flask.request.args.get("metric", "total")
    try:
        report_pack.check_choice(peer_group, metric, lang)  # before any work: a 400, not a report of the default
        status = report_pack.review_status(data.store(), body, year, accepted_only)
        # seconds of drawing and typesetting: made once per engine (the store's version), body, year,
        # language and review status, then every reader of it gets the same bytes
        pdf = per_object(engine, ("report_pdf", body, year, lang, status, accepted_only, peer_group, metric),
                         lambda: report_pack.report_pdf(engine, body, year, lang, status, accepted_only, peer_group,
                                                        metric))
    except report_pack.NoReport as refused:
        if refused.code in ("report_bad_peers", "report_bad_metric"):
            return flask.Response(t(refused.code, lang, **refused.params), status=400, mimetype="text/plain",
                                  headers={"Content-Language": lang})
        missing = refused.code == "report_renderer_missing"  # the server's fault, not the address's
        return flask.Response(t(refused.code if missing else "report_not_found", lang), status=503 if missing else 404,
                              mimetype="text/plain", headers={"Content-Language": lang})
    name = download_name(body, year, "report", lang=lang)
    return flask.Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}.pdf"', "Content-Language": lang,
        "Cache-Control": "no-cache"})


def register(app: Dash) -> None:
    app.server.add_url_rule(PATH, "report_pack", report)
