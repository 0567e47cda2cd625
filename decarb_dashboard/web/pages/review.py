"""Review: Welsh Government reviewers accept a submission or query it with a message.

Reviewers and admins see every submission; only reviewers decide. The decision
callback asks the server-side rules again, whatever the page showed.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard.store import StoreError, Submission, SubmissionStore
from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import dropdown, refused, table, utc_time
from decarb_dashboard.web.controls import sign_in_prompt
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.submissions import may_see, review_thread, visible
from uploads_schema.vocabulary import vocabulary

#: The review queue's filters: every submission status of the vocabulary, and all of them.
STATUS_FILTERS = (*vocabulary().submission_statuses, "all")
MAX_MESSAGE_CHARS = 2000
MAX_LISTED = 200


def _may_decide(s: Submission) -> bool:
    return all(auth.allowed("review", o) for o in s.organisations)


def listed(status: str) -> list[Submission]:
    """The submissions with ``status`` (or all), newest last, at most MAX_LISTED of the newest."""
    entries = visible([s for s in data.store().submissions() if status == "all" or s.status == status])
    return entries[-MAX_LISTED:]


def submission_options(entries: list[Submission], lang: str) -> list[dict]:
    m = data.matcher()
    return [
        {
            "label": f"{', '.join(m.name(o, lang, short=True) for o in s.organisations)} "
            f"{', '.join(s.reporting_years)} ({t(f'review_{s.status}', lang)}, {s.submitted_at[:10]}) "
            f"{s.submission_id}",
            "value": s.submission_id,
        }
        for s in reversed(entries)
    ]


def layout(lang: str = "en", status: str = "submitted", submission: str | None = None, **_query: str) -> html.Div:
    lang = language(lang)
    if not auth.allowed("read_drafts"):
        return html.Div([html.H1(t("review_title", lang)), sign_in_prompt(lang, "/review", "review_refused")])
    status = status if status in STATUS_FILTERS else "submitted"
    entries = listed(status)
    options = submission_options(entries, lang)
    chosen = submission if submission in {o["value"] for o in options} else (options[0]["value"] if options else None)
    return html.Div(
        [
            html.H1(t("review_title", lang)),
            html.P(t("review_intro", lang)),
            dcc.Store(id="rv-lang", data=lang),
            html.Div(
                [
                    dropdown("rv-status", t("review_filter", lang),
                             [{"label": t(f"review_filter_{s}", lang), "value": s} for s in STATUS_FILTERS], status,
                             clearable=False),
                    dropdown("rv-submission", t("review_pick", lang), options, chosen, wide=True, clearable=False),
                ],
                className="controls",
            ),
            html.Div(id="rv-detail", children=detail(chosen, lang)),
            html.Div(id="rv-outcome", **{"aria-live": "polite"}),
        ]
    )


def detail(submission_id: str | None, lang: str) -> html.Div:
    """One submission: who sent what, how it differs from the version before, the thread, and the decision form."""
    if not submission_id:
        return html.Div(html.P(t("review_none", lang)))
    if not isinstance(submission_id, str):
        return refused(lang, "review_unknown")
    store = data.store()
    try:
        s = store.submission(submission_id)
    except StoreError:
        return refused(lang, "review_unknown")
    if not may_see(s):
        return refused(lang)
    m = data.matcher()
    parts: list = [
        html.H2(t("review_submission", lang, id=s.submission_id)),
        html.P(
            t(
                "review_summary",
                lang,
                bodies=", ".join(m.name(o, lang, short=True) for o in s.organisations),
                years=", ".join(s.reporting_years),
                at=utc_time(s.submitted_at),
                by=s.submitted_by,
                lines=s.line_count,
                file=s.file_name or "",
                status=t(f"review_{s.status}", lang),
            ),
            id="rv-summary",
        )
    ]
    for org in s.organisations:
        for year in s.reporting_years:
            parts.extend(changes(store, s, org, year, lang))
    earlier = [e for o in s.organisations for e in store.history(o) if set(e.reporting_years) & set(s.reporting_years)]
    parts.append(review_thread(store, list({e.submission_id: e for e in earlier}.values()), lang))
    if _may_decide(s) and s.status != "withdrawn":
        parts.append(decision_form(lang))
    return html.Div(parts)


def changes(store: SubmissionStore, s: Submission, org: str, year: str, lang: str) -> list:
    """The lines of ``s`` for one body and year that differ from the submission before it."""
    before = store.previous_version(s.submission_id, org, year)
    name = data.matcher().name(org, lang, short=True)
    if before is None:
        return [html.P(t("review_first_return", lang, body=name, year=year))]
    diff = store.diff(before, s.submission_id, org, year)
    if diff.empty:
        return [html.P(t("review_no_changes", lang, body=name, year=year, id=before))]
    frame = pd.DataFrame(
        {
            t("col_change", lang): diff["change"].map(lambda c: t(f"change_{c}", lang)),
            t("col_category", lang): diff["category"].astype(str),
            t("col_source", lang): diff["source"].astype(object).where(diff["source"].notna(), ""),
            t("col_scope", lang): diff["scope"].astype(object).where(diff["scope"].notna(), ""),
            t("col_before_tco2e", lang): diff["emissions_tco2e_old"],
            t("col_after_tco2e", lang): diff["emissions_tco2e_new"],
        }
    )
    caption = t("review_changes", lang, body=name, year=year, id=before)
    return [html.Div(table(frame, caption, f"rv-changes-{org}-{year}"))]


def decision_form(lang: str) -> html.Div:
    return html.Div(
        [
            html.H2(t("review_decide", lang)),
            html.Fieldset(
                [
                    html.Legend(t("review_decision", lang)),
                    dcc.RadioItems(
                        id="rv-decision",
                        options=[{"label": t("review_accept", lang), "value": "accepted"},
                                 {"label": t("review_query", lang), "value": "queried"}],
                        value="accepted",
                    ),
                ]
            ),
            html.Label(t("review_message", lang), htmlFor="rv-message"),
            dcc.Textarea(id="rv-message", value="", maxLength=MAX_MESSAGE_CHARS, className="message-box"),
            html.Button(t("review_record", lang), id="rv-record", className="primary-button"),
        ],
        className="decision-form",
    )


def on_pick(submission_id: str | None, lang: str) -> html.Div:
    return detail(submission_id, language(lang))


def on_status(status: str, lang: str) -> tuple[list[dict], str | None]:
    lang = language(lang)
    if not auth.allowed("read_drafts"):
        return [], None
    options = submission_options(listed(status if status in STATUS_FILTERS else "submitted"), lang)
    return options, options[0]["value"] if options else None


def on_decide(_clicks: int | None, submission_id: str | None, decision: str | None, message: str | None,
              lang: str) -> tuple:
    """Record a reviewer's decision: accept, or query with a message the submitter will see."""
    lang = language(lang)
    account = auth.current_account()
    try:
        s = data.store().submission(submission_id if isinstance(submission_id, str) else "")
    except StoreError:
        return refused(lang, "review_unknown"), dash.no_update
    if account is None or not _may_decide(s):
        return refused(lang), dash.no_update
    message = message.strip() if isinstance(message, str) else ""
    if decision not in ("accepted", "queried"):
        return refused(lang, "review_pick_decision"), dash.no_update
    if decision == "queried" and not message:
        return refused(lang, "review_query_needs_message"), dash.no_update
    if len(message) > MAX_MESSAGE_CHARS:
        return refused(lang, "review_message_too_long"), dash.no_update
    try:
        data.store().set_status(s.submission_id, decision, actor=account.username, message=message or None)
    except StoreError:
        return refused(lang, "review_is_withdrawn"), dash.no_update
    done = html.P(t(f"review_done_{decision}", lang, id=s.submission_id), role="status", id="rv-done",
                  className="receipt")
    return done, detail(s.submission_id, lang)


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/review", layout=layout, title="Review returns")
    app.callback(
        Output("rv-submission", "options"),
        Output("rv-submission", "value"),
        Input("rv-status", "value"),
        State("rv-lang", "data"),
        prevent_initial_call=True,
    )(on_status)
    app.callback(
        Output("rv-detail", "children"),
        Input("rv-submission", "value"),
        State("rv-lang", "data"),
        prevent_initial_call=True,
    )(on_pick)
    app.callback(
        Output("rv-outcome", "children"),
        Output("rv-detail", "children", allow_duplicate=True),
        Input("rv-record", "n_clicks"),
        State("rv-submission", "value"),
        State("rv-decision", "value"),
        State("rv-message", "value"),
        State("rv-lang", "data"),
        prevent_initial_call=True,
    )(on_decide)

