"""Accounts: admins see who may sign in (with where their notifications go), disable or enable an account
(``decarb users`` does the rest), see the e-mail outbox, and keep the register of bodies."""

from __future__ import annotations

import sqlite3

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import notify
from decarb_dashboard.accounts import AccountError
from decarb_dashboard.web import auth, data, register_admin
from decarb_dashboard.web.components import refused, table
from decarb_dashboard.web.controls import sign_in_prompt
from decarb_dashboard.web.i18n import language, t
from uploads_schema import i18n

ACCOUNT_COLUMNS = ("col_username", "col_person", "col_role", "col_bodies", "col_email", "col_mail_language",
                   "col_account_state")
OUTBOX_COLUMNS = ("col_outbox_created", "col_outbox_recipient", "col_outbox_subject", "col_outbox_status",
                  "col_outbox_attempts", "col_outbox_last_error")
#: How many of the newest outbox messages the page lists.
OUTBOX_SHOWN = 20


def _mail_language(code: str, lang: str) -> str:
    return i18n.language_name(code) if code in i18n.languages() else t("mail_language_every", lang)


def accounts_table(lang: str) -> html.Div:
    if not auth.allowed("administer"):
        return refused(lang)
    m = data.matcher()
    frame = pd.DataFrame(
        [
            {
                t("col_username", lang): a.username,
                t("col_person", lang): a.display_name,
                t("col_role", lang): t(f"role_{a.role}", lang),
                t("col_bodies", lang): ", ".join(m.name(b, lang, short=True) for b in a.bodies),
                t("col_email", lang): a.email or t("no_email", lang),
                t("col_mail_language", lang): _mail_language(a.language, lang),
                t("col_account_state", lang): t("account_disabled" if a.disabled else "account_active", lang),
            }
            for a in auth.account_store().list()
        ],
        columns=[t(k, lang) for k in ACCOUNT_COLUMNS],
    )
    return html.Div(table(frame, t("accounts_title", lang), "ac-table"))


def outbox_section(lang: str) -> html.Section:
    """Whether e-mail can be sent, how many messages wait, went or failed, and the newest of them."""
    state = notify.mail_state()
    said = [html.P(state.text(lang) if isinstance(state, notify.MailNotConfigured)
                   else t("outbox_configured", lang, server=state.describe()), id="ac-mail-state")]
    if notify.public_url() is None:
        said.append(html.P(t("outbox_no_public_url", lang)))
    try:
        counts = notify.outbox_counts(data.data_dir())
        rows = notify.outbox_rows(data.data_dir(), limit=OUTBOX_SHOWN)
    except (OSError, sqlite3.Error):  # the page still shows the accounts
        return html.Section([html.H2(t("outbox_title", lang)), *said, html.P(t("outbox_unreadable", lang))])
    said.append(html.Ul([html.Li(t(f"outbox_count_{status}", lang, count=counts[status]))
                         for status in ("pending", "sent", "failed")], id="ac-outbox-counts"))
    frame = pd.DataFrame(
        [[r["created_at"], r["recipient"], r["subject"], t(f"outbox_status_{r['status']}", lang), str(r["attempts"]),
          r["last_error"] or ""] for r in rows],
        columns=[t(k, lang) for k in OUTBOX_COLUMNS],
    )
    shown = [table(frame, t("outbox_latest", lang), "ac-outbox")] if rows else [html.P(t("outbox_empty", lang))]
    return html.Section([html.H2(t("outbox_title", lang)), *said, *shown], id="ac-outbox-section")


def layout(lang: str = "en", **_query: str) -> html.Div:
    lang = language(lang)
    if not auth.allowed("administer"):
        return html.Div([html.H1(t("accounts_title", lang)), sign_in_prompt(lang, "/accounts", "accounts_refused")])
    names = [a.username for a in auth.account_store().list()]
    return html.Div(
        [
            html.H1(t("accounts_title", lang)),
            html.P(t("accounts_intro", lang)),
            dcc.Store(id="ac-lang", data=lang),
            html.Div(id="ac-list", children=accounts_table(lang)),
            html.H2(t("accounts_change", lang)),
            html.Div(
                [
                    html.Label(t("col_username", lang), htmlFor="ac-user"),
                    dcc.Dropdown(id="ac-user", options=names, value=None),
                ],
                className="control",
            ),
            html.Div(
                [
                    html.Button(t("account_disable", lang), id="ac-disable", className="secondary-button"),
                    html.Button(t("account_enable", lang), id="ac-enable", className="secondary-button"),
                ],
                className="button-row",
            ),
            html.Div(id="ac-outcome", **{"aria-live": "polite"}),
            outbox_section(lang),
            register_admin.section(lang),
        ]
    )


def on_change(_disable: int | None, _enable: int | None, username: str | None, lang: str) -> tuple:
    lang = language(lang)
    account = auth.current_account()
    if account is None or not auth.allowed("administer"):
        return refused(lang), dash.no_update
    disable = dash.ctx.triggered_id == "ac-disable"
    if disable and username == account.username:
        return refused(lang, "account_not_yourself"), dash.no_update
    try:
        auth.account_store().set_disabled(username if isinstance(username, str) else "", disable)
    except AccountError:
        return refused(lang, "account_unknown"), dash.no_update
    done = t("account_done_disabled" if disable else "account_done_enabled", lang, user=username)
    return html.P(done, role="status", className="receipt", id="ac-done"), accounts_table(lang)


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/accounts", layout=layout, title="Accounts")
    register_admin.register(app)
    app.callback(
        Output("ac-outcome", "children"),
        Output("ac-list", "children"),
        Input("ac-disable", "n_clicks"),
        Input("ac-enable", "n_clicks"),
        State("ac-user", "value"),
        State("ac-lang", "data"),
        prevent_initial_call=True,
    )(on_change)
