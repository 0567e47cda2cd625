"""Upload a body's net zero projects (issue 18): template, file, every problem at once, submit, the projects kept.

The file is checked by :func:`decarb_dashboard.projects.validate_projects_upload` (as ``decarb projects
validate`` does) and stored by :meth:`decarb_dashboard.store.SubmissionStore.submit_projects`; a problem
is shown in the upload page's error summary (:func:`decarb_dashboard.web.pages.upload.report_view`).
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import config
from decarb_dashboard.projects import validate_projects_upload
from decarb_dashboard.report import ValidationReport
from decarb_dashboard.sample import display_name
from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import dropdown, refused, table
from decarb_dashboard.web.controls import sign_in_prompt
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.pages.upload import decode, file_name, report_view
from uploads_schema import projects_template
from uploads_schema.projects import project_statuses
from uploads_schema.vocabulary import vocabulary

PATH = "/projects/upload"


def layout(lang: str = "en", body: str | None = None, **_query: str) -> html.Div:
    lang = language(lang)
    account = auth.current_account()
    own = [b for b in (account.bodies if account else ()) if auth.allowed("submit", b)]
    if not own:
        reason = "projects_sign_in_needed" if account is None else "upload_not_submitter"
        return html.Div([html.H1(t("projects_upload_title", lang)), sign_in_prompt(lang, PATH, reason)])
    body = body if body in own else own[0]
    limit_mb = config.max_upload_bytes() / 1024 / 1024
    return html.Div([
        html.H1(t("projects_upload_title", lang)),
        html.P(t("projects_upload_intro", lang)),
        dcc.Store(id="pu-lang", data=lang),
        html.Div([
            dropdown("pu-body", t("label_body", lang), [o for o in data.body_options(lang) if o["value"] in own],
                     body, clearable=False),
            html.P(t("submitting_as", lang, name=display_name(account, lang), user=account.username),
                   className="control hint"),
        ], className="controls"),
        html.Div([
            html.Button(t("upload_template_csv", lang), id="pu-template-csv", className="secondary-button"),
            html.Button(t("projects_template_xlsx", lang), id="pu-template-xlsx", className="secondary-button"),
        ], className="button-row"),
        dcc.Download(id="pu-template"),
        dcc.Upload(id="pu-file", children=html.Div([t("upload_drop", lang), html.Br(),
                                                    html.Small(t("upload_limit", lang, mb=f"{limit_mb:g}"))]),
                   className="upload-area", multiple=False, max_size=config.max_upload_bytes()),
        html.Div(id="pu-report", **{"aria-live": "polite"}),
        html.Button(t("projects_submit", lang), id="pu-submit", className="primary-button"),
        html.Div(id="pu-receipt", **{"aria-live": "polite"}),
        html.Div(id="pu-current", children=current_view(body, lang)),
    ])


def current_view(body: str, lang: str) -> html.Div:
    """The body's current projects as a table (a figure not given is blank, never 0)."""
    projects = data.store().current_projects(body)
    if projects.empty:
        return html.Div(html.P(t("projects_none_stored", lang)), id="pu-current-none")
    v = vocabulary()
    frame = pd.DataFrame({
        t("projects_col_project", lang): projects["project"],
        t("projects_col_status", lang): [project_statuses()[s].name(lang) for s in projects["status"]],
        t("projects_col_start_year", lang): projects["start_year"],
        t("projects_col_category", lang): [v.categories[c].name(lang) for c in projects["category"]],
        t("projects_col_saving_tco2e", lang): projects["saving_tco2e"],
        t("projects_col_activity_change", lang): [
            "" if pd.isna(c) else f"{c:,.0f} {u}" for c, u in zip(projects["activity_change"],
                                                                   projects["activity_unit"], strict=True)],
        t("projects_col_cost_gbp", lang): ["" if pd.isna(c) else f"£{c:,.0f}" for c in projects["cost_gbp"]],
    })
    return html.Div([html.H2(t("projects_current_title", lang)),
                     table(frame, t("projects_current_title", lang), "pu-current-table", lang,
                           kinds={t("projects_col_saving_tco2e", lang): "tco2e"}, caption_hidden=True)])


def checked(contents: str | None, filename: str | None, body: object,
            lang: str) -> tuple[bytes | None, ValidationReport | None, html.Div | None]:
    """Decode and check an upload for ``body``: (bytes, report, refusal), the refusal None when it was read."""
    if not isinstance(body, str) or not auth.allowed("submit", body):
        return None, None, refused(lang)
    raw = decode(contents)
    if raw is None:
        return None, None, html.Div(t("upload_bad_payload", lang), className="error-summary", role="alert")
    return raw, validate_projects_upload(raw, file_name(filename), organisation=body,
                                         registry=data.registry()), None


def report_panel(report: ValidationReport, body: str, lang: str) -> list:
    if not report.valid:
        return report_view(report, [], lang)
    return [html.P(t("projects_valid", lang, file=report.file_name or "", count=len(report.lines),
                     body=data.matcher().name(body, lang, short=True)), className="valid-summary", id="pu-valid")]


def on_upload(contents: str | None, filename: str | None, body: str, lang: str) -> tuple:
    lang = language(lang)
    _raw, report, refusal = checked(contents, filename, body, lang)
    return ([refusal] if refusal is not None else report_panel(report, body, lang)), None


def on_submit(clicks: int | None, contents: str | None, filename: str | None, body: str, lang: str) -> tuple:
    """Store a checked file as the body's projects; a file with problems shows them and stores nothing."""
    if not clicks:
        raise dash.exceptions.PreventUpdate
    lang = language(lang)
    keep = dash.no_update
    raw, report, refusal = checked(contents, filename, body, lang)
    if refusal is not None:
        return refusal, keep, keep
    if raw is None or report is None or not report.valid:
        return html.P(t("projects_nothing_stored", lang), className="error-summary", role="alert"), keep, \
            report_panel(report, body, lang) if report is not None else keep
    account = auth.current_account()
    if account is None or not all(auth.allowed("submit", str(o)) for o in report.lines["organisation_id"].unique()):
        return refused(lang), keep, keep
    reference = data.store().submit_projects(report.lines, raw, submitted_by=account.username,
                                             file_name=file_name(filename))
    receipt = html.Div(html.P(t("projects_stored", lang, reference=reference, count=len(report.lines))),
                       className="notice-panel", id="pu-stored", role="status")
    return receipt, current_view(body, lang), []


def on_body(body: str, lang: str) -> html.Div:
    return current_view(body, language(lang)) if isinstance(body, str) and auth.allowed("submit", body) else None


def on_template(_csv: int | None, _xlsx: int | None, body: str, lang: str) -> dict:
    lang = language(lang)
    fmt = "csv" if dash.ctx.triggered_id == "pu-template-csv" else "xlsx"
    known = isinstance(body, str) and auth.allowed("submit", body)
    name = data.matcher().name(body, lang) if known else t("projects_your_body", lang)
    projects = data.store().current_projects(body) if known else None
    current = projects is not None and not projects.empty
    rows = (projects_template.project_rows(projects, name, lang) if current
            else projects_template.example_rows(name, lang))
    content = (projects_template.csv_projects_template(rows, lang) if fmt == "csv"
               else projects_template.xlsx_projects_template(rows, lang, current))
    return dcc.send_bytes(content, projects_template.projects_template_file_name(fmt, lang,
                                                                                 body if known else None))


def register(app: Dash) -> None:
    dash.register_page(__name__, path=PATH, layout=layout, title="Upload your projects")
    app.callback(Output("pu-report", "children"), Output("pu-receipt", "children", allow_duplicate=True),
                 Input("pu-file", "contents"), State("pu-file", "filename"), State("pu-body", "value"),
                 State("pu-lang", "data"), prevent_initial_call=True)(on_upload)
    app.callback(Output("pu-receipt", "children"), Output("pu-current", "children"),
                 Output("pu-report", "children", allow_duplicate=True),
                 Input("pu-submit", "n_clicks"), State("pu-file", "contents"), State("pu-file", "filename"),
                 State("pu-body", "value"), State("pu-lang", "data"),
                 running=[(Output("pu-submit", "disabled"), True, False)], prevent_initial_call=True)(on_submit)
    app.callback(Output("pu-current", "children", allow_duplicate=True), Input("pu-body", "value"),
                 State("pu-lang", "data"), prevent_initial_call=True)(on_body)
    app.callback(Output("pu-template", "data"), Input("pu-template-csv", "n_clicks"),
                 Input("pu-template-xlsx", "n_clicks"), State("pu-body", "value"), State("pu-lang", "data"),
                 prevent_initial_call=True)(on_template)
