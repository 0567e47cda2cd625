"""Accounts: admins add accounts, set their role and bodies, send a one-time link to set a new password,
disable or enable them, and see the accounts audit, the e-mail outbox and the register of bodies.

Every operation is :mod:`decarb_dashboard.accounts`'s, as ``decarb users`` does it, and is recorded in the
append-only accounts audit with the admin who did it. Each callback asks :func:`auth.allowed` first; a
refusal is a coded :class:`~decarb_dashboard.reasons.ReasonError` said in the page's language and
changes nothing. Dash's callback endpoint takes JSON only and the session cookie is ``SameSite=Lax``,
which is what protects these posts from other sites, as everywhere in the app.
"""

from __future__ import annotations

import sqlite3

import dash
import flask
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import notify, reasons
from decarb_dashboard.accounts import ROLES, AccountError, issue_password_reset
from decarb_dashboard.reasons import ReasonError
from decarb_dashboard.sample import display_name
from decarb_dashboard.web import auth, data, register_admin
from decarb_dashboard.web.components import dropdown, refused, table
from decarb_dashboard.web.controls import body_selector, register_body_search, sign_in_prompt
from decarb_dashboard.web.i18n import language, t
from uploads_schema import i18n

ACCOUNT_COLUMNS = ("col_username", "col_person", "col_role", "col_bodies", "col_email", "col_mail_language",
                   "col_account_state")
OUTBOX_COLUMNS = ("col_outbox_created", "col_outbox_recipient", "col_outbox_subject", "col_outbox_status",
                  "col_outbox_attempts", "col_outbox_last_error")
AUDIT_COLUMNS = ("col_when_utc", "col_who", "col_audit_action", "col_audit_account", "col_what_changed")
#: How many of the newest outbox messages and audit entries the page lists.
OUTBOX_SHOWN = 20
AUDIT_SHOWN = 50
#: The buttons of the page and what each does.
BUTTONS = ("ac-add", "ac-edit", "ac-assign", "ac-reset", "ac-disable", "ac-enable")
#: The fields ``edit`` changes, as the audit records them (``detail``'s keys), and the label of each.
EDITED_FIELDS = {"display_name": "col_person", "email": "col_email", "language": "col_mail_language"}


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
                t("col_person", lang): display_name(a, lang),
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


def _detail(entry: dict, lang: str) -> str:
    """What an audit entry changed, in words: the role and bodies before and after, how a link went."""
    d = entry["detail"]
    m = data.matcher()

    def bodies(ids: list[str]) -> str:
        return ", ".join(m.name(b, lang, short=True) for b in ids) or "–"

    def role(r: str) -> str:
        return t(f"role_{r}", lang) if r in ROLES else r

    if entry["action"] == "add":
        return t("audit_detail_add", lang, role=role(d.get("role", "")), bodies=bodies(d.get("bodies", [])))
    if entry["action"] == "assign":
        (r0, r1), (b0, b1) = d["role"], d["bodies"]
        return t("audit_detail_assign", lang, before=f"{role(r0)} ({bodies(b0)})", after=f"{role(r1)} ({bodies(b1)})")
    if entry["action"] == "reset_link":
        return t(f"audit_detail_reset_{d.get('delivery', 'shown')}", lang)
    if entry["action"] == "edit":
        def shown(field: str, value: object) -> str:
            if not value:
                return "–"
            return _mail_language(str(value), lang) if field == "language" else str(value)

        return "; ".join(f"{t(EDITED_FIELDS[k], lang) if k in EDITED_FIELDS else k}: {shown(k, old)} → {shown(k, new)}"
                         for k, (old, new) in d.items())
    return ""


def audit_table(lang: str) -> html.Div:
    """The newest entries of the accounts audit: when, who, what, to whom, the details."""
    if not auth.allowed("administer"):
        return refused(lang)
    entries = auth.account_store().audit(limit=AUDIT_SHOWN)
    if not entries:
        return html.P(t("audit_empty", lang))
    frame = pd.DataFrame(
        [[e["at"].replace("T", " ")[:16], e["actor"], t(f"audit_action_{e['action']}", lang), e["username"],
          _detail(e, lang)] for e in entries],
        columns=[t(k, lang) for k in AUDIT_COLUMNS])
    return html.Div(table(frame, t("audit_title", lang), "ac-audit-table"))


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


def _text_input(control_id: str, label: str, kind: str = "text", **extra: object) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id),
                     dcc.Input(id=control_id, type=kind, debounce=False, **extra)], className="control")


def _role_options(lang: str) -> list[dict]:
    return [{"label": t(f"role_{r}", lang), "value": r} for r in ROLES]


def _language_options(lang: str) -> list[dict]:
    return [{"label": t("mail_language_every", lang), "value": ""},
            *({"label": i18n.language_name(code), "value": code} for code in i18n.languages())]


def add_section(lang: str) -> html.Section:
    """The form that adds an account: user name, name, e-mail, language, role, bodies, the password twice."""
    return html.Section(
        [
            html.H2(t("accounts_add_title", lang)),
            html.P(t("accounts_add_intro", lang), className="hint"),
            html.Div([_text_input("ac-new-username", t("col_username", lang), autoComplete="off"),
                      _text_input("ac-new-name", t("col_person", lang), autoComplete="off"),
                      _text_input("ac-new-email", t("col_email", lang), "email", autoComplete="off")],
                     className="controls"),
            html.Div([dropdown("ac-new-language", t("col_mail_language", lang), _language_options(lang), "",
                               clearable=False),
                      dropdown("ac-new-role", t("col_role", lang), _role_options(lang), "submitter", clearable=False),
                      body_selector("ac-new-bodies", t("col_bodies", lang), lang, [], multi=True,
                                    wide=True)],
                     className="controls"),
            html.Div([_text_input("ac-new-password", t("accounts_new_password", lang), "password",
                                  autoComplete="new-password"),
                      _text_input("ac-new-password2", t("accounts_new_password_again", lang), "password",
                                  autoComplete="new-password")],
                     className="controls"),
            html.Button(t("accounts_add_button", lang), id="ac-add", className="primary-button"),
        ],
        id="ac-add-section",
    )


def change_section(lang: str, names: list[str]) -> html.Section:
    """Choose an account; change its name, e-mail address and language, set its role and bodies, send a password
    reset link, disable or enable it."""
    return html.Section(
        [
            html.H2(t("accounts_change", lang)),
            html.Div([dropdown("ac-user", t("col_username", lang), names, None)], className="controls"),
            html.Div([_text_input("ac-name", t("col_person", lang), autoComplete="off"),
                      _text_input("ac-email", t("col_email", lang), "email", autoComplete="off"),
                      dropdown("ac-language", t("col_mail_language", lang), _language_options(lang), None,
                               clearable=False)],
                     className="controls"),
            html.Button(t("accounts_edit_button", lang), id="ac-edit", className="secondary-button"),
            html.Div([dropdown("ac-role", t("col_role", lang), _role_options(lang), None, clearable=False),
                      body_selector("ac-bodies", t("col_bodies", lang), lang, [], multi=True,
                                    wide=True)],
                     className="controls"),
            html.Div(
                [
                    html.Button(t("accounts_assign_button", lang), id="ac-assign", className="secondary-button"),
                    html.Button(t("accounts_reset_button", lang), id="ac-reset", className="secondary-button"),
                    html.Button(t("account_disable", lang), id="ac-disable", className="secondary-button"),
                    html.Button(t("account_enable", lang), id="ac-enable", className="secondary-button"),
                ],
                className="button-row",
            ),
        ],
        id="ac-change-section",
    )


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
            html.Div(id="ac-outcome", **{"aria-live": "polite"}),
            add_section(lang),
            change_section(lang, names),
            html.Section([html.H2(t("audit_title", lang)), html.Div(id="ac-audit", children=audit_table(lang))],
                         id="ac-audit-section"),
            outbox_section(lang),
            register_admin.section(lang),
        ]
    )


def _said(error: ReasonError, lang: str) -> html.Div:
    """A refusal in the page's language: nothing was changed."""
    return html.Div([html.H2(t("error_summary_title", lang)), html.P(str(reasons.said(error, lang)))],
                    className="error-summary", role="alert", id="ac-refused")


def _done(key: str, lang: str, **params: object) -> html.P:
    return html.P(t(key, lang, **params), role="status", className="receipt", id="ac-done")


def _site_address() -> str:
    """The address a reset link starts with: ``DECARB_PUBLIC_URL``, else the one this request came to."""
    return notify.public_url() or flask.request.host_url.rstrip("/")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _bodies(value: object) -> list[str]:
    """The bodies chosen, each checked against the register (a made-up id is refused, not stored)."""
    chosen = [b for b in value if isinstance(b, str)] if isinstance(value, list) else []
    known = set(data.registry()["id"].astype(str))
    for body in chosen:
        if body not in known:
            raise AccountError("account_unknown_body", body=repr(body[:60]))
    return chosen


def act(button: str, admin, lang: str, fields: dict) -> html.Component:
    """Do what ``button`` asks as ``admin``; return what the page says. Raises ReasonError when refused."""
    store = auth.account_store()
    username = _text(fields.get("user"))
    if button == "ac-add":
        if fields.get("password") != fields.get("password2"):
            raise AccountError("account_passwords_differ")
        account = store.add(_text(fields.get("new_username")), fields.get("password") or "",
                            fields.get("new_role") if isinstance(fields.get("new_role"), str) else "",
                            _bodies(fields.get("new_bodies")), _text(fields.get("new_name")) or None,
                            email=_text(fields.get("new_email")) or None, language=_text(fields.get("new_language")),
                            actor=admin.username)
        return _done("accounts_done_added", lang, user=account.username, role=t(f"role_{account.role}", lang))
    if not username:
        raise AccountError("account_choose_first")
    if store.get(username) is None:
        raise AccountError("account_unknown", username=repr(username[:120]))
    if button == "ac-edit":
        language = fields.get("language")
        account = store.edit(username, display_name=_text(fields.get("name")), email=_text(fields.get("email")),
                             language=language if isinstance(language, str) else None, actor=admin.username)
        return _done("accounts_done_edited", lang, user=account.username, name=account.display_name,
                     email=account.email or t("no_email", lang), language=_mail_language(account.language, lang))
    if button == "ac-assign":
        role = fields.get("role") if isinstance(fields.get("role"), str) else ""
        if username == admin.username and role != admin.role:
            raise AccountError("account_not_yourself")
        account = store.assign(username, role, _bodies(fields.get("bodies")), actor=admin.username)
        m = data.matcher()
        return _done("accounts_done_assigned", lang, user=account.username, role=t(f"role_{account.role}", lang),
                     bodies=", ".join(m.name(b, lang, short=True) for b in account.bodies) or "–")
    if button == "ac-reset":
        issued = issue_password_reset(store, username, actor=admin.username, actor_name=admin.display_name,
                                      base_url=_site_address())
        if issued.emailed_to:
            return _done("accounts_done_reset_emailed", lang, user=issued.username, email=issued.emailed_to,
                         hours=issued.hours)
        return html.Div([html.P(t("accounts_done_reset_shown", lang, user=issued.username, hours=issued.hours)),
                         html.P(html.Code(issued.link, id="ac-reset-link"), className="reset-link")],
                        role="status", className="receipt", id="ac-done")
    disable = button == "ac-disable"
    if disable and username == admin.username:
        raise AccountError("account_not_yourself")
    store.set_disabled(username, disable, actor=admin.username)
    return _done("account_done_disabled" if disable else "account_done_enabled", lang, user=username)


def on_change(_add: int | None, _edit: int | None, _assign: int | None, _reset: int | None, _disable: int | None,
              _enable: int | None, username: str | None, name: str | None, email: str | None,
              mail_language: str | None, role: str | None, bodies: list | None,
              new_username: str | None, new_name: str | None, new_email: str | None, new_language: str | None,
              new_role: str | None, new_bodies: list | None, password: str | None, password2: str | None,
              lang: str) -> tuple:
    """Run the button pressed; return the outcome, the accounts table, the audit, the account list and the
    password fields (emptied once an account is added)."""
    lang = language(lang)
    admin = auth.current_account()
    unchanged = (dash.no_update,) * 5
    if admin is None or not auth.allowed("administer"):
        return refused(lang), *unchanged
    button = dash.ctx.triggered_id if dash.ctx.triggered_id in BUTTONS else None
    if button is None:
        return dash.no_update, *unchanged
    fields = {"user": username, "name": name, "email": email, "language": mail_language, "role": role,
              "bodies": bodies, "new_username": new_username, "new_name": new_name,
              "new_email": new_email, "new_language": new_language, "new_role": new_role, "new_bodies": new_bodies,
              "password": password, "password2": password2}
    try:
        outcome = act(button, admin, lang, fields)
    except ReasonError as exc:
        return _said(exc, lang), *unchanged
    names = [a.username for a in auth.account_store().list()]
    cleared = ("", "") if button == "ac-add" else (dash.no_update, dash.no_update)
    return outcome, accounts_table(lang), audit_table(lang), names, *cleared


def fill(username: str | None) -> tuple:
    """The chosen account's name, e-mail address, language, role and bodies, to change them (admins only)."""
    unchanged = (dash.no_update,) * 5
    if not auth.allowed("administer") or not isinstance(username, str):
        return unchanged
    account = auth.account_store().get(username)
    if account is None:
        return unchanged
    return account.display_name, account.email or "", account.language, account.role, list(account.bodies)


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/accounts", layout=layout, title="Accounts")
    register_admin.register(app)
    for selector in ("ac-new-bodies", "ac-bodies"):  # of a large register: the bodies matching what is typed
        register_body_search(app, selector, "ac-lang")
    app.callback(
        Output("ac-outcome", "children"),
        Output("ac-list", "children"),
        Output("ac-audit", "children"),
        Output("ac-user", "options"),
        Output("ac-new-password", "value"),
        Output("ac-new-password2", "value"),
        *(Input(b, "n_clicks") for b in BUTTONS),
        State("ac-user", "value"),
        State("ac-name", "value"),
        State("ac-email", "value"),
        State("ac-language", "value"),
        State("ac-role", "value"),
        State("ac-bodies", "value"),
        *(State(f"ac-new-{k}", "value") for k in ("username", "name", "email", "language", "role", "bodies",
                                                   "password", "password2")),
        State("ac-lang", "data"),
        prevent_initial_call=True,
    )(on_change)
    app.callback(Output("ac-name", "value"), Output("ac-email", "value"), Output("ac-language", "value"),
                 Output("ac-role", "value"), Output("ac-bodies", "value"), Input("ac-user", "value"),
                 prevent_initial_call=True)(fill)
