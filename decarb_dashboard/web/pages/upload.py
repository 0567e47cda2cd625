"""Upload a return: template, file, every problem at once, warnings to explain, a declaration, submit, receipt.

The rules of a submission (what must be explained, what a declaration needs, what is a
duplicate) live in :mod:`decarb_dashboard.review`; this page shows them and hands on what
the submitter wrote.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from collections import OrderedDict

import dash
import pandas as pd
from dash import ALL, Dash, Input, Output, State, dcc, html

from decarb_dashboard import config, review, years
from decarb_dashboard.engine import Engine
from decarb_dashboard.peers import checks_against_stored
from decarb_dashboard.report import ValidationReport
from decarb_dashboard.return_template import return_template
from decarb_dashboard.sample import display_name
from decarb_dashboard.store import Submission, SubmissionStore
from decarb_dashboard.validate import validate_upload
from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import dropdown, refused, table
from decarb_dashboard.web.controls import sign_in_prompt
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.pages import receipt
from decarb_dashboard.web.submissions import review_thread, submissions_table, visible
from uploads_schema.vocabulary import vocabulary

#: Problems named in the error summary at the top (read out in full by screen readers); the table lists them all.
SUMMARY_ITEMS = 20
#: Reports of the files checked lately in this process, so that submitting a file does not parse it again.
CHECKED_KEEP = 8
_checked: OrderedDict[tuple[str, str, str, str], ValidationReport] = OrderedDict()
_checked_lock = threading.Lock()


def year_options() -> list[dict]:
    first, last = years.accepted_range()
    return [{"label": years.label(y), "value": years.label(y)} for y in range(last, first - 1, -1)]


def accepted_year(value: object) -> str | None:
    """Return ``value`` if it is one of the financial years the page offers ("2022-23"), else None.

    The year comes from the browser, which may send anything ("2024-26", "../x"):
    only a label from the list goes on to validation, templates and the store.
    """
    return value if isinstance(value, str) and value in {o["value"] for o in year_options()} else None


def bad_year(lang: str) -> html.Div:
    first, last = years.accepted_range()
    return html.Div(t("upload_bad_year", lang, first=years.label(first), last=years.label(last)),
                    className="error-summary", role="alert", id="up-bad-year")


def layout(lang: str = "en", body: str | None = None, year: str | None = None, **_query: str) -> html.Div:
    lang = language(lang)
    account = auth.current_account()
    own = [b for b in (account.bodies if account else ()) if auth.allowed("submit", b)]
    if not own:
        reason = "upload_sign_in_needed" if account is None else "upload_not_submitter"
        return html.Div([html.H1(t("upload_title", lang)), sign_in_prompt(lang, "/upload", reason)])
    body = body if body in own else own[0]
    default_year = years.label(years.current_start() - 1)
    year = accepted_year(year) or default_year
    limit_mb = config.max_upload_bytes() / 1024 / 1024
    return html.Div(
        [
            html.H1(t("upload_title", lang)),
            html.P(t("upload_intro", lang)),
            html.P(html.A(t("upload_projects_link", lang), href=f"/projects/upload?lang={lang}"),
                   id="up-projects-link"),
            dcc.Store(id="up-lang", data=lang),
            html.Div(
                [
                    dropdown("up-body", t("label_body", lang),
                             [o for o in data.body_options(lang) if o["value"] in own], body, clearable=False),
                    dropdown("up-year", t("label_year", lang), year_options(), year, clearable=False),
                    html.P(t("submitting_as", lang, name=display_name(account, lang), user=account.username),
                           className="control hint"),
                ],
                className="controls",
            ),
            html.Div(
                [
                    html.Button(t("upload_template_csv", lang), id="up-template-csv", className="secondary-button"),
                    html.Button(t("upload_template_xlsx", lang), id="up-template-xlsx", className="secondary-button"),
                ],
                className="button-row",
            ),
            dcc.Download(id="up-template"),
            dcc.Upload(
                id="up-file",
                children=html.Div(
                    [t("upload_drop", lang), html.Br(), html.Small(t("upload_limit", lang, mb=f"{limit_mb:g}"))]
                ),
                className="upload-area",
                multiple=False,
                max_size=config.max_upload_bytes(),
            ),
            html.Div(id="up-report", **{"aria-live": "polite"}),
            html.Div(submit_area(lang), id="up-submit-area", className="submit-area"),
            html.Div(id="up-receipt", **{"aria-live": "polite"}),
            html.Div(id="up-history", children=history(body, lang)),
        ]
    )


def declaration_fields(lang: str) -> html.Fieldset:
    """The declaration: the senior officer who approved the return, and their role (both required).

    What was typed is kept (for the browser tab's session) when the fields are drawn again for
    the next file, and through a reload of the page. The browser does not offer the signed-in
    user's own details: the approver is someone else.
    """
    def field(field_id: str, label: str) -> html.Div:
        return html.Div(
            [html.Label(label, htmlFor=field_id),
             dcc.Input(id=field_id, type="text", maxLength=review.MAX_DECLARATION_CHARS, autoComplete="off",
                       required=True, persistence=True, persistence_type="session", className="text-input")],
            className="control",
        )

    return html.Fieldset(
        [
            html.Legend(t("declaration_title", lang)),
            html.P(t("declaration_intro", lang), className="hint"),
            html.Div([field("up-approved-by", t("declaration_approved_by", lang)),
                      field("up-approver-role", t("declaration_role", lang))],
                     className="controls"),
        ],
        className="declaration",
        id="up-declaration",
    )


def submit_area(lang: str) -> list:
    """The form's action: the declaration and the Submit button; the receipt takes its place once stored."""
    return [declaration_fields(lang), html.Button(t("submit_button", lang), id="up-submit", className="primary-button")]


def decode(contents: object) -> bytes | None:
    """Return the bytes of a dcc.Upload payload ("data:...;base64,...."), or None if it is malformed."""
    if not isinstance(contents, str) or "," not in contents:
        return None
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


def plausibility_warnings(report: ValidationReport, engine: Engine, lang: str) -> list[str]:
    """Return the checks of the new figures against the stored ones, in words (see peers.checks_against_stored)."""
    if report.lines is None:
        return []
    out = []
    for c in checks_against_stored(report.lines, engine.categories, engine.registry).itertuples():
        category = vocabulary().categories[c.category].name(lang)
        if c.kind == "peer_range":
            out.append(t("peer_range_warning", lang, category=category, year=c.reporting_year,
                         ratio=f"{c.ratio:,.1f}", median=f"{c.peer_median_tco2e:,.1f}"))
        else:
            out.append(t("change_warning", lang, category=category, year=c.reporting_year, pct=f"{c.change_pct:+.0f}",
                         previous=c.previous_year, before=f"{c.before_tco2e:,.1f}", now=f"{c.now_tco2e:,.1f}"))
    return out


def offending_rows(report: ValidationReport, lang: str) -> html.Table | None:
    """Show the rows with errors as the user typed them (kept by the report), the cells to fix marked."""
    rows = report.error_rows
    if rows is None:
        return None
    bad = {(i.row, i.column) for i in report.errors if i.row}
    columns = [c for c in rows.columns if c != "row"]
    head = html.Thead(html.Tr([html.Th(t("col_row", lang), scope="col")] + [html.Th(c, scope="col") for c in columns]))
    body = []
    for record in rows.to_dict("records"):
        row = record["row"]
        cells = [html.Th(str(row), scope="row", id=f"row-{row}")]
        for c in columns:
            text = "" if record[c] is None else str(record[c])
            marked = (row, c) in bad
            cells.append(
                html.Td(
                    [html.Span("✗ ", **{"aria-hidden": "true"}), text] if marked else text,
                    className="cell-error" if marked else None,
                )
            )
        body.append(html.Tr(cells))
    return html.Table(
        [html.Caption(t("offending_rows", lang)), head, html.Tbody(body)],
        className="data-table offending-rows",
        id="up-offending-rows",
    )


def report_view(report: ValidationReport, extra_warnings: list[str], lang: str,
                groups: list[review.WarningToExplain] | None = None) -> list:
    """Return the report: the error summary first (GOV.UK pattern), each problem, the rows, then warnings.

    ``extra_warnings`` are the checks against the stored figures, in words; ``groups``, for a
    valid return, the groups of warnings to explain before it can be submitted (they say the
    checks against the stored figures themselves).
    """
    d = report.to_dict(lang)
    s = d["summary"]
    out: list = []
    if not d["valid"]:
        items = []
        for e in d["errors"][:SUMMARY_ITEMS]:
            where = ", ".join(
                p
                for p in (
                    f"{t('col_row', lang)} {e['row']}" if e["row"] else "",
                    f"{t('col_column', lang)} {e['column']}" if e["column"] else "",
                )
                if p
            )
            text = f"{where}: {e['message']}" if where else e["message"]
            items.append(html.Li(html.A(text, href=f"#row-{e['row']}") if e["row"] else text))
        more = s["error_count"] - len(items)
        if more > 0:
            items.append(html.Li(t("error_summary_more", lang, count=f"{more:,}"), id="error-summary-more"))
        out.append(
            html.Div(
                [
                    html.H2(t("error_summary_title", lang), id="error-summary-title"),
                    html.P(
                        t(
                            "error_summary_counts",
                            lang,
                            errors=s["error_count"],
                            warnings=s["warning_count"],
                            file=d["file"] or "",
                        )
                    ),
                    html.Ul(items, className="error-summary-list"),
                ],
                className="error-summary",
                role="alert",
                tabIndex="-1",
                id="error-summary",
                **{"aria-labelledby": "error-summary-title"},
            )
        )
        problems = pd.DataFrame(
            [
                {
                    t("col_row", lang): e["row"] or "",
                    t("col_column", lang): e["column"] or "",
                    t("col_cell", lang): e["value"] or "",
                    t("col_problem", lang): e["message"],
                    t("col_fix", lang): e["fix"],
                }
                for e in d["errors"]
            ]
        )
        out.append(table(problems, t("error_summary_title", lang), "up-problems"))
        rows = offending_rows(report, lang)
        if rows is not None:
            out.append(rows)
    else:
        bodies = ", ".join(data.matcher().name(o["id"], lang, short=True) for o in s["organisations"])
        out.append(
            html.P(
                t(
                    "valid_summary",
                    lang,
                    file=d["file"] or "",
                    lines=s["lines"],
                    bodies=bodies,
                    years=", ".join(s["reporting_years"]),
                ),
                className="valid-summary",
                id="up-valid",
            )
        )
    if groups:
        out.append(warnings_to_explain_view(groups, d["warnings"], lang))
        return out
    warnings = [f"{(w['row'] and t('col_row', lang) + ' ' + str(w['row']) + ': ') or ''}{w['message']}"
                for w in d["warnings"]] + extra_warnings
    if warnings:
        out.append(
            html.Div(
                [html.H2(t("warning_title", lang)), html.Ul([html.Li(w) for w in warnings])],
                className="warning-summary",
                id="up-warnings",
            )
        )
    return out


def warnings_to_explain_view(groups: list[review.WarningToExplain], warnings: list[dict], lang: str) -> html.Div:
    """Each group of warnings: what it says and where, its warnings one by one, and a required explanation.

    One explanation per group (an issue code, or a kind of check against the stored figures),
    as review.warnings_to_explain groups them; it is kept with the submission and shown to the
    reviewer. ``warnings`` are the report's listed warnings (its JSON form), shown under their group.
    """
    sections = []
    for k, g in enumerate(groups):
        listed = [f"{t('col_row', lang)} {w['row']}: {w['message']}" if w["row"] else w["message"]
                  for w in warnings if w["code"] == g.key]
        sections.append(html.Div(
            [
                html.H3(g.text(lang), id=f"up-warning-{k}"),
                *([html.Ul([html.Li(text) for text in listed])] if listed else []),
                html.Label(
                    [html.Span(t("explain_label", lang, min=review.MIN_EXPLANATION_CHARS), className="label-text"),
                     dcc.Textarea(id={"type": "up-explain", "key": g.key}, className="message-box explain-box",
                                  maxLength=review.MAX_TEXT_CHARS, required=True)],
                    className="explain-label",
                ),
            ],
            className="warning-group",
            role="group",
            **{"aria-labelledby": f"up-warning-{k}"},
        ))
    return html.Div(
        [html.H2(t("warning_explain_title", lang)),
         html.P(t("warning_explain_intro", lang, min=review.MIN_EXPLANATION_CHARS)), *sections],
        className="warning-summary",
        id="up-warnings",
    )


def history(body: str, lang: str) -> html.Div:
    """A body's open queries, its submissions newest first with their review status, and the review thread."""
    if not isinstance(body, str) or not auth.allowed("read_drafts", body):
        return refused(lang)
    store = data.store()
    entries = visible(store.history(body))
    if not entries:
        return html.Div([html.H2(t("history_title", lang)), html.P(t("history_none", lang))])
    return html.Div(
        [
            *open_queries(store, body, entries, lang),
            html.H2(t("history_title", lang)),
            submissions_table(entries, lang, "up-history-table"),
            review_thread(store, entries, lang),
        ]
    )


def open_queries(store: SubmissionStore, body: str, entries: list[Submission], lang: str) -> list:
    """A panel for each year whose current submission Welsh Government has queried: the message and what to do."""
    by_id = {s.submission_id: s for s in entries}
    current = store.current_parts(body)
    queried = [(y, by_id[sid]) for y, sid in zip(current["reporting_year"], current["submission_id"], strict=True)
               if sid in by_id and by_id[sid].status == "queried"]
    return [
        html.Div(
            [
                html.H2(t("query_title", lang, year=y)),
                html.P(t("query_text", lang, id=s.reference or s.submission_id)),
                html.Blockquote(s.status_message or ""),
                html.P(t("query_fix", lang)),
            ],
            className="query-panel",
            role="status",
            id=f"query-{y}",
        )
        for y, s in queried
    ]


def file_name(value: object) -> str:
    """The name of the uploaded file as the browser sent it, without any folders, at most 255 characters."""
    name = value.replace("\\", "/").rsplit("/", 1)[-1].strip() if isinstance(value, str) else ""
    return name[:255] or "upload"


def validated(
    contents: str | None, filename: str | None, body: str, year: str, lang: str
) -> tuple[bytes | None, ValidationReport | None, list[str], html.Div | None]:
    """Decode and validate an upload on the server.

    Returns (bytes, report, checks against the stored figures, refusal): the refusal
    is the message for a payload too large or not readable at all, else None.
    """
    if not isinstance(body, str) or not auth.allowed("submit", body):
        return None, None, [], refused(lang)
    if accepted_year(year) is None:
        return None, None, [], bad_year(lang)
    filename = file_name(filename)
    limit = config.max_upload_bytes()
    raw = decode(contents)
    if raw is None:
        return None, None, [], html.Div(t("upload_bad_payload", lang), className="error-summary", role="alert")
    if len(raw) > limit:
        refusal = html.Div(
            t("upload_too_large", lang, mb=f"{limit / 1024 / 1024:.3g}"),
            className="error-summary",
            role="alert",
            id="up-too-large",
        )
        return None, None, [], refusal
    engine = data.engine(drafts=True)
    report = checked_report(raw, filename, body, year, engine)
    return raw, report, plausibility_warnings(report, engine, lang), None


def checked_report(raw: bytes, filename: str, body: str, year: str, engine: Engine) -> ValidationReport:
    """Validate an upload, or return the report this process made of the same bytes for the same body and year.

    A file is parsed once when it is checked; submitting it finds the report here (in
    the same worker; another worker parses it again, within the same limits).
    """
    key = (hashlib.sha256(raw).hexdigest(), filename, body, year)
    with _checked_lock:
        if key in _checked:
            _checked.move_to_end(key)
            return _checked[key]
    report = validate_upload(raw, filename, organisation=body, reporting_year=year, registry=engine.registry)
    with _checked_lock:
        _checked[key] = report
        while len(_checked) > CHECKED_KEEP:
            _checked.popitem(last=False)
    return report


def check(
    contents: str | None, filename: str | None, body: str, year: str, lang: str
) -> tuple[bytes | None, ValidationReport | None, list]:
    """Decode and validate an upload on the server; return (bytes, report, what to show)."""
    raw, report, extra, refusal = validated(contents, filename, body, year, lang)
    if refusal is not None or report is None:
        return raw, report, [refusal]
    groups = review.warnings_to_explain(report, data.engine(drafts=True)) if report.valid else None
    return raw, report, report_view(report, extra, lang, groups)


def on_upload(contents: str | None, filename: str | None, body: str, year: str, lang: str) -> tuple:
    """Check a file; a new file brings the declaration and Submit back (after a receipt), the last receipt goes."""
    lang = language(lang)
    return check(contents, filename, body, year, lang)[2], submit_area(lang), None


def explanations_sent(values: object, ids: object) -> dict[str, str]:
    """{group key: explanation} from the page's explanation fields (anything else the browser sends is dropped)."""
    if not isinstance(values, list) or not isinstance(ids, list):
        return {}
    return {i["key"]: v for i, v in zip(ids, values, strict=False)
            if isinstance(i, dict) and isinstance(i.get("key"), str) and isinstance(v, str)}


def on_submit(
    _clicks: int | None,
    contents: str | None,
    filename: str | None,
    body: str,
    year: str,
    explanations: list | None,
    explanation_ids: list | None,
    approved_by: str | None,
    approver_role: str | None,
    lang: str,
) -> tuple:
    """Submit a checked return through review.submit_return.

    Returns (receipt or refusal, history, the form's action, the report): on success the
    receipt replaces the declaration and the Submit button, and the report's explanation
    fields go (the receipt shows what was explained); a refusal leaves the form as it was.
    """
    if not _clicks:  # the button drawn again for a new file: Dash calls this for its new input, unclicked
        raise dash.exceptions.PreventUpdate
    lang = language(lang)
    keep = dash.no_update
    raw, report, extra, refusal = validated(contents, filename, body, year, lang)
    if refusal is not None or report is None or raw is None:
        return refusal, keep, keep, keep
    if not report.valid:
        return report_view(report, extra, lang), keep, keep, keep
    account = auth.current_account()
    # The file was checked against ``body``; every body in it must still be one this account submits for.
    if account is None or not all(auth.allowed("submit", str(o)) for o in report.lines["organisation_id"].unique()):
        return refused(lang), keep, keep, keep
    declaration = {"approved_by": approved_by if isinstance(approved_by, str) else "",
                   "approver_role": approver_role if isinstance(approver_role, str) else ""}
    try:
        submission = review.submit_return(
            data.store(), data.engine(drafts=True), report, raw, submitted_by=account.username,
            file_name=file_name(filename),
            explanations=explanations_sent(explanations, explanation_ids), declaration=declaration)
    except review.ReturnRefused as refusal_:
        return refusal_view(refusal_, lang), keep, keep, keep
    return receipt_panel(submission, lang), history(body, lang), [], []


def refusal_view(refusal_: review.ReturnRefused, lang: str) -> html.Div:
    """Why the return was not submitted (nothing was stored); a duplicate links to the receipt it already has."""
    link = []
    existing = refusal_.params.get("submission_id")
    if refusal_.code == "duplicate" and isinstance(existing, str):
        link = [html.P(html.A(t("duplicate_receipt_link", lang), href=receipt.receipt_href(existing, lang),
                              id="up-duplicate-link"))]
    return html.Div(
        [html.H2(t("submit_refused_title", lang)), html.P(refusal_.reason(lang)), *link],
        className="error-summary",
        role="alert",
        id="up-refused",
    )


def receipt_panel(submission: Submission, lang: str) -> html.Div:
    """The receipt shown the moment the return is stored, with a link to the page to print or save."""
    return html.Div(
        [
            html.H2(t("receipt_title_reference", lang, reference=submission.reference), className="receipt-reference"),
            html.P(t("receipt_text_local", lang, id=submission.submission_id,
                     at=receipt.local_time(submission.submitted_at, lang), reference=submission.reference)),
            *receipt.receipt_body(submission, lang),
            html.P(html.A(t("receipt_print_link", lang), href=receipt.receipt_href(submission.submission_id, lang),
                          id="up-receipt-link", target="_blank")),
        ],
        className="receipt",
        role="status",
        id="up-receipt-panel",
    )


def on_body(body: str, lang: str) -> html.Div:
    return history(body, language(lang))


def template_download(fmt: str, body: object, year: object, lang: object) -> tuple[bytes, str]:
    """Return (bytes, file name) of the template in ``fmt`` (csv or xlsx) for the body and year chosen on the page:
    the same file ``decarb template --org BODY --year YEAR`` writes. A body or year the page does not offer (the
    browser may send anything) gives the template with the example row."""
    known = accepted_year(year) is not None and body in set(data.registry()["id"])
    return return_template(fmt, language(lang), data.registry(), data.store(),
                           str(body) if known else None, str(year) if known else None)


def on_template(_csv: int | None, _xlsx: int | None, body: str, year: str, lang: str) -> dict:
    fmt = "csv" if dash.ctx.triggered_id == "up-template-csv" else "xlsx"
    return dcc.send_bytes(*template_download(fmt, body, year, lang))


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/upload", layout=layout, title="Upload a return")
    app.callback(
        Output("up-report", "children"),
        Output("up-submit-area", "children", allow_duplicate=True),
        Output("up-receipt", "children", allow_duplicate=True),
        Input("up-file", "contents"),
        State("up-file", "filename"),
        State("up-body", "value"),
        State("up-year", "value"),
        State("up-lang", "data"),
        prevent_initial_call=True,
    )(on_upload)
    app.callback(
        Output("up-receipt", "children"),
        Output("up-history", "children"),
        Output("up-submit-area", "children"),
        Output("up-report", "children", allow_duplicate=True),
        Input("up-submit", "n_clicks"),
        State("up-file", "contents"),
        State("up-file", "filename"),
        State("up-body", "value"),
        State("up-year", "value"),
        State({"type": "up-explain", "key": ALL}, "value"),
        State({"type": "up-explain", "key": ALL}, "id"),
        State("up-approved-by", "value"),
        State("up-approver-role", "value"),
        State("up-lang", "data"),
        # No second submission while one is on its way; after it, the receipt takes the button's place.
        running=[(Output("up-submit", "disabled"), True, False)],
        prevent_initial_call=True,
    )(on_submit)
    app.callback(
        Output("up-history", "children", allow_duplicate=True),
        Input("up-body", "value"),
        State("up-lang", "data"),
        prevent_initial_call=True,
    )(on_body)
    app.callback(
        Output("up-template", "data"),
        Input("up-template-csv", "n_clicks"),
        Input("up-template-xlsx", "n_clicks"),
        State("up-body", "value"),
        State("up-year", "value"),
        State("up-lang", "data"),
        prevent_initial_call=True,
    )(on_template)
