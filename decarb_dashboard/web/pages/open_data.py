"""Open data (``/data``): every current return and every stored version to download, with the data dictionary,
the licence (``DECARB_DATA_LICENCE``), the coverage of each year and a link to the JSON API's page."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Dash, html

from decarb_dashboard import config, open_data
from decarb_dashboard.web.components import download_name, publication_note, table_block
from decarb_dashboard.web.data_route import coverage, data_href, line_count
from decarb_dashboard.web.i18n import language, t
from uploads_schema import i18n

PATH = "/data"
#: Where the JSON API's own page is (built with the API: this page only links it).
API_PAGE = "/api"
#: The formats offered for each export, in the order of the links.
FORMAT_KEYS = {"csv": "data_format_csv", "xlsx": "data_format_xlsx", "parquet": "data_format_parquet",
               "zip": "data_format_zip"}


def coverage_frame(coverage: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The coverage of each year (:func:`open_data.coverage`) with its headers and yes/no in ``lang``, newest first."""
    frame = pd.DataFrame({
        t("col_year", lang): coverage["reporting_year"],
        t("data_cov_reported", lang): coverage["bodies_reported"],
        t("data_cov_expected", lang): coverage["bodies_expected"],
        t("data_cov_reported_pct", lang): coverage["reported_pct"],
        t("data_cov_baseline_share_pct", lang): coverage["baseline_share_pct"],
        t("data_cov_provisional", lang): [t("data_yes" if p else "data_no", lang) for p in coverage["provisional"]],
    })
    return frame.iloc[::-1].reset_index(drop=True)


def export_section(kind: str, lang: str) -> html.Section:
    """One export's heading, what it holds, how many lines, and a link per format."""
    count = line_count(kind)
    stem = open_data.FILE_STEMS[kind]
    links = [html.Li(html.A(t(key, lang, what=t(f"data_{kind}_title", lang)), href=data_href(f"{stem}.{fmt}", lang),
                            id=f"data-{kind}-{fmt}")) for fmt, key in FORMAT_KEYS.items()]
    return html.Section([
        html.H3(t(f"data_{kind}_title", lang)),
        html.P(t(f"data_about_what_{kind}", lang)),
        html.P(t("data_line_count", lang, count=count, lines=i18n.number(count, 0, lang)),
               id=f"data-{kind}-count"),
        html.Ul(links, className="download-list"),
    ], className="data-export", id=f"data-{kind}")


def licence_section(lang: str) -> html.Section:
    lic = open_data.licence(lang)
    name = html.A(lic["name"], href=lic["url"], rel="license") if lic["url"] else lic["name"]
    return html.Section([
        html.H2(t("data_licence_title", lang)),
        html.P([t("data_licence_lead", lang), " ", name], id="data-licence"),
        html.P(t("data_attribution_lead", lang)),
        html.Blockquote(lic["attribution"], id="data-attribution"),
    ], id="data-licence-section")


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the open data page in ``lang``."""
    lang = language(lang)
    accepted_only = config.publish_accepted_only()
    return html.Div([
        html.H1(t("data_title", lang)),
        html.P(t("data_intro", lang)),
        publication_note(lang),
        html.P(t("data_versions_rule_accepted" if accepted_only else "data_versions_rule_all", lang),
               id="data-versions-rule"),
        html.P(t("data_not_zero", lang)),
        html.H2(t("data_downloads_title", lang)),
        export_section("current", lang),
        export_section("versions", lang),
        html.H3(t("data_dictionary_title", lang)),
        html.P(t("data_dictionary_text", lang)),
        html.Ul([
            html.Li(html.A(t("data_dictionary_link", lang), href=data_href("dictionary.csv", lang),
                           id="data-dictionary-csv")),
            html.Li(html.A(t("data_coverage_link", lang), href=data_href("coverage.csv", lang),
                           id="data-coverage-csv")),
        ], className="download-list"),
        licence_section(lang),
        table_block("data-coverage", coverage_frame(coverage(), lang), t("data_coverage_title", lang), lang,
                    heading=True, kinds={t("data_cov_reported_pct", lang): "pct",
                                         t("data_cov_baseline_share_pct", lang): "pct"},
                    download=download_name("wales", "coverage-by-year", lang=lang)),
        html.H2(t("data_api_title", lang)),
        html.P([t("data_api_text", lang), " ", html.A(t("data_api_link", lang), href=f"{API_PAGE}?lang={lang}",
                                                      id="data-api-link")]),
    ], className="service-page open-data-page")


def register(app: Dash) -> None:
    """Register the open data page at ``/data``."""
    dash.register_page(__name__, path=PATH, layout=layout)
