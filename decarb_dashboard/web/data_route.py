"""``GET /data/<file>?lang=cy``: the open data's downloads (decarb_dashboard/open_data.py), linked from ``/data``.

``returns-current.<csv|xlsx|parquet|zip>`` and ``returns-all-versions.<...>``, ``dictionary.csv`` and
``coverage.csv``. The published figures only (the engine the public pages draw from, so
``DECARB_PUBLISH=accepted`` applies). Each file is made once per engine (the store's version), language
and day, then every reader of it gets the same bytes; the lines are read once per engine for all of them.
"""

from __future__ import annotations

import datetime as dt

import flask
import pandas as pd
from dash import Dash

from decarb_dashboard import config, export, open_data
from decarb_dashboard.memo import per_object
from decarb_dashboard.web import data
from decarb_dashboard.web.components import download_name
from decarb_dashboard.web.i18n import language, t

PATH = "/data/<name>"
#: The files besides the two exports, each a CSV.
TABLES = ("dictionary", "coverage")


def data_href(name: str, lang: str) -> str:
    """The address of the open data's file ``name`` (``returns-current.csv``, ``dictionary.csv``) in ``lang``."""
    return f"/data/{name}?lang={lang}"


def coverage() -> pd.DataFrame:
    """The coverage of each year of the published figures, worked out once per engine."""
    engine = data.engine()
    return per_object(engine, ("open_data_coverage",), lambda: open_data.coverage(engine))


def export_data(kind: str, lang: str) -> open_data.OpenData:
    """The export ``kind`` of the published figures, its lines read once per engine."""
    engine = data.engine()
    accepted_only = config.publish_accepted_only()
    read = open_data.current_returns if kind == "current" else open_data.all_versions
    lines = per_object(engine, ("open_data_lines", kind, accepted_only),
                       lambda: read(data.store(), engine.registry, accepted_only))
    covered = coverage()
    return open_data.OpenData(kind, lines, covered, lang, accepted_only, dt.date.today())


def line_count(kind: str) -> int:
    """How many lines the export ``kind`` holds (for the page's links), from the catalogue: the page never reads
    every version's lines to count them."""
    engine = data.engine()
    accepted_only = config.publish_accepted_only()

    def count() -> int:
        parts = data.store().version_parts(accepted_only)
        if kind == "current":
            parts = parts[parts["version_state"] == "current"]
        return int(parts["line_count"].sum())

    return per_object(engine, ("open_data_count", kind, accepted_only), count)


def download(name: str) -> flask.Response:
    lang = language(flask.request.args.get("lang"))
    stem, _, fmt = name.rpartition(".")
    kinds = {file_stem: kind for kind, file_stem in open_data.FILE_STEMS.items()}
    engine = data.engine()
    today = dt.date.today()
    if stem in kinds and fmt in open_data.FORMATS:
        found = export_data(kinds[stem], lang)
        body = per_object(engine, ("open_data_file", stem, fmt, lang, found.accepted_only, today),
                          lambda: open_data.file_bytes(found, fmt))
        filename = f"{found.stem}.{fmt}"
    elif stem in TABLES and fmt == "csv":
        frame = open_data.dictionary(lang) if stem == "dictionary" else coverage()
        body = export.to_csv_bytes(frame)
        filename = f"{download_name('wales', 'open-data', stem, today.isoformat(), lang=lang)}.csv"
    else:
        return flask.Response(t("data_file_not_found", lang, name=name[:100]), status=404, mimetype="text/plain",
                              headers={"Content-Language": lang})
    return flask.Response(body, content_type=open_data.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Content-Language": lang,
        "Cache-Control": "no-cache"})


def register(app: Dash) -> None:
    app.server.add_url_rule(PATH, "open_data", download)
