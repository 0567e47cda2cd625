"""The receipt of a submission: what was received, when, from whom, with what totals; a page to print or save.

The upload page shows the same receipt the moment a return is stored; this page,
``/receipt/<submission_id>``, is the one to print or save as PDF (its print
stylesheet drops the navigation and prints black on white on A4). Its figures come
from the library (:func:`decarb_dashboard.review.review_view`), never from the page.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dash
import pandas as pd
from babel.dates import format_datetime
from dash import Dash, Input, Output, html

from decarb_dashboard import review
from decarb_dashboard.memo import per_object
from decarb_dashboard.store import StoreError, Submission
from decarb_dashboard.web import data
from decarb_dashboard.web.components import fmt, refused, table
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.navigation import href
from decarb_dashboard.web.submissions import may_see, submitter_name
from uploads_schema import i18n
from uploads_schema.vocabulary import vocabulary

#: Times on a receipt are the submitter's own: the UK's civil time (GMT or BST), not UTC.
LOCAL_ZONE = ZoneInfo("Europe/London")
#: Day, month in words, year, then hours and minutes and the zone's name in the reader's language (CLDR).
TIME_PATTERN = "d MMMM y, HH:mm zzzz"
SCOPES = ("1", "2", "3")


def local_time(at: str, lang: str) -> str:
    """A stored UTC timestamp ("2026-12-01T13:52:22.123Z") in Europe/London time to the minute, in ``lang``.

    "1 December 2026, 13:52 Greenwich Mean Time"; "1 Gorffennaf 2026, 14:52 Amser Haf Prydain".
    """
    moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    return format_datetime(moment, TIME_PATTERN, tzinfo=LOCAL_ZONE, locale=i18n.babel_locale(lang))


def receipt_href(submission_id: str, lang: str) -> str:
    """The address of a submission's printable receipt, in ``lang``."""
    return href(f"/receipt/{submission_id}", lang)


def return_totals(submission: Submission) -> dict[tuple[str, str], dict]:
    """{(body, year): review_view's totals} of every return in ``submission``, worked out once per engine.

    A submission's lines never change and the factors are the engine's, so the totals are kept
    until the store changes (:func:`review.submission_totals` reads and normalises the file once).
    """
    engine = data.engine(drafts=True)
    return per_object(engine, ("receipt totals", submission.submission_id), lambda: review.submission_totals(
        data.store(), engine, submission.submission_id))


def totals_tables(totals: dict, caption: str, block: str, lang: str) -> list:
    """A return's totals by category and by scope, in tCO2e; a category not reported says so, never 0.

    ``totals`` is review_view's: the total gross of land; each scope over the reported
    categories' lines; category totals not split by scope, if any, in a row of their own.
    """
    v = vocabulary()
    categories = pd.DataFrame(
        [{t("col_category", lang): v.categories[c].name(lang), t("col_tco2e", lang): _tonnes(value, lang)}
         for c, value in totals["by_category"].items()]
        + [{t("col_category", lang): t("receipt_total", lang), t("col_tco2e", lang): _tonnes(totals["total_tco2e"],
                                                                                               lang)}]
    )
    unsplit = totals["by_scope"].get("unsplit")
    scopes = pd.DataFrame(
        [{t("col_scope", lang): t("receipt_scope", lang, scope=s),
          t("col_tco2e", lang): _tonnes(totals["by_scope"].get(s), lang)} for s in SCOPES]
        + ([{t("col_scope", lang): t("receipt_scope_unsplit", lang), t("col_tco2e", lang): _tonnes(unsplit, lang)}]
           if unsplit is not None else [])
    )
    return [
        table(categories, t("receipt_by_category", lang, what=caption), f"{block}-categories", lang),
        table(scopes, t("receipt_by_scope", lang, what=caption), f"{block}-scopes", lang),
    ]


def _tonnes(value: float | None, lang: str) -> str:
    return t("not_reported", lang) if value is None else fmt(value, 1, lang=lang)


def warnings_explained(warnings: tuple[dict, ...], lang: str, heading: type = html.H3) -> html.Div:
    """The warnings the submitter explained, each with its explanation, as stored with the submission."""
    if not warnings:
        return html.Div(html.P(t("receipt_no_warnings", lang)), id="rc-warnings")
    items = [
        html.Li([
            html.P(w["text"].get(lang) or w["text"].get("en", w["key"])),
            html.Blockquote(w["explanation"]),
        ])
        for w in warnings
    ]
    return html.Div([heading(t("receipt_warnings_title", lang)), html.Ol(items)], id="rc-warnings")


def receipt_body(submission: Submission, lang: str, heading: type = html.H3) -> list:
    """What the receipt says: when, who, which file (name and SHA-256), the declaration, the returns
    with their totals, the warnings and their explanations; ``heading`` for its sections' titles."""
    totals = return_totals(submission)
    pairs = list(totals)
    covers = "; ".join(f"{data.matcher().name(o, lang)} {y}" for o, y in pairs)
    declaration = submission.declaration or {}
    facts = [
        (t("receipt_submitted_at", lang), local_time(submission.submitted_at, lang)),
        (t("receipt_submitted_by", lang), submitter_name(submission.submitted_by, lang)),
        (t("receipt_file", lang), submission.file_name or ""),
        (t("receipt_sha256", lang), html.Code(submission.sha256, className="sha256")),
        (t("receipt_covers", lang), covers),
        *([(t("receipt_approved_by", lang), declaration.get("approved_by", "")),
           (t("receipt_approver_role", lang), declaration.get("approver_role", ""))] if declaration
          else [(t("receipt_approved_by", lang), t("receipt_no_declaration", lang))]),
        (t("receipt_submission_id", lang), submission.submission_id),
    ]
    out: list = [html.Dl([part for term, value in facts for part in (html.Dt(term), html.Dd(value))],
                         className="receipt-facts", id="rc-facts")]
    for k, (body, year) in enumerate(pairs):
        what = f"{data.matcher().name(body, lang)} {year}"
        out.append(html.Section([heading(what), *totals_tables(totals[(body, year)], what, f"rc-totals-{k}", lang)],
                                className="receipt-totals"))
    out.append(warnings_explained(submission.warnings, lang, heading))
    return out


def layout(submission_id: str | None = None, lang: str = "en", **_query: str) -> html.Div:
    """The printable receipt of ``submission_id``, for whoever may see that submission (see ``may_see``)."""
    lang = language(lang)
    submission = _visible(submission_id)
    if submission is None:
        return html.Div([html.H1(t("receipt_page_title_none", lang)), refused(lang, "receipt_not_found")])
    return html.Div(
        [
            html.H1(t("receipt_page_title", lang, reference=submission.reference), className="receipt-reference"),
            html.P(t("receipt_page_intro", lang)),
            *receipt_body(submission, lang, html.H2),
            html.Div(
                [
                    html.Button(t("receipt_print", lang), id="rc-print", className="secondary-button"),
                    html.A(t("receipt_back", lang), href=href("/upload", lang)),
                ],
                className="button-row receipt-actions",
            ),
        ],
        className="receipt-page",
        id="rc-page",
    )


def _visible(submission_id: object) -> Submission | None:
    """The submission if it exists and this request may see it; None for both "no such" and "not yours"."""
    if not isinstance(submission_id, str) or not submission_id or len(submission_id) > 100:
        return None
    try:
        submission = data.store().submission(submission_id)
    except (StoreError, KeyError):
        return None
    return submission if may_see(submission) else None


def register(app: Dash) -> None:
    dash.register_page(__name__, path_template="/receipt/<submission_id>", layout=layout, title="Receipt")
    app.clientside_callback(
        "function(n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
        Output("rc-print", "title"),
        Input("rc-print", "n_clicks"),
        prevent_initial_call=True,
    )
