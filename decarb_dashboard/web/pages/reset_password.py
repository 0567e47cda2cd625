"""Set a new password with a one-time link (``/reset-password?token=...``) an admin made on the Accounts page.

A plain HTML form posted to ``/auth/reset-password`` (it works without JavaScript), with the session's form
token as the sign-in form has. :meth:`AccountStore.use_reset` does the rest: the link works once and only
before it expires, the new password follows the same rules as any other, and every session of the account
ends. A refusal comes back to this page with its code and changes nothing.
"""

from __future__ import annotations

import hmac
import urllib.parse

import dash
import flask
from dash import Dash, html

from decarb_dashboard import reasons
from decarb_dashboard.accounts import MIN_PASSWORD_LENGTH, RESET_PATH, AccountError
from decarb_dashboard.web import auth
from decarb_dashboard.web.forms import error_summary, field, post_form
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.navigation import href

POST_PATH = "/auth/reset-password"
#: The refusals the form can come back with: a ReasonError code of the ``reasons`` catalogue each.
ERRORS = ("account_reset_link_invalid", "account_password_short", "account_password_guessable",
          "account_password_common", "account_passwords_differ", "reset_expired_form")


def _problem(error: str, lang: str) -> list:
    if error not in ERRORS:
        return []
    words = t("sign_in_error_expired", lang) if error == "reset_expired_form" else \
        reasons.text(error, lang, min=MIN_PASSWORD_LENGTH)
    return [error_summary("reset", words, lang)]


def layout(lang: str = "en", token: str | None = None, error: str | None = None, done: str | None = None,
           **_query: str) -> html.Div:
    """The form to set a new password, or why the link no longer works, or that it is done."""
    lang = language(lang)
    title = html.H1(t("reset_title", lang))
    if done:
        return html.Div([title, html.P(t("reset_done", lang), role="status", className="receipt", id="reset-done"),
                         html.P(html.A(t("reset_sign_in", lang), href=href("/sign-in", lang)))])
    account = auth.account_store().reset_account(token or "")
    if account is None:
        return html.Div([title, *_problem("account_reset_link_invalid", lang)])
    return html.Div(
        [
            title,
            *_problem(error or "", lang),
            html.P(t("reset_intro", lang, user=account.username, min=MIN_PASSWORD_LENGTH)),
            post_form(POST_PATH, {"lang": lang, "token": token},
                      [field("reset-password", "password", t("accounts_new_password", lang), "password",
                             "new-password"),
                       field("reset-password2", "password2", t("accounts_new_password_again", lang), "password",
                             "new-password")],
                      t("reset_button", lang), "reset-submit", username=account.username),
        ]
    )


def _back(lang: str, **query: str) -> flask.Response:
    return flask.redirect(f"{RESET_PATH}?{urllib.parse.urlencode({'lang': lang, **query})}", code=303)


def post() -> flask.Response:
    """POST /auth/reset-password: set the new password with the link's token, end the account's sessions."""
    form = flask.request.form
    lang = language(form.get("lang"))
    token = (form.get("token") or "")[:200]
    sent = form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, flask.session.get("csrf", "")):
        return _back(lang, token=token, error="reset_expired_form")
    password = form.get("password") or ""
    try:
        if password != (form.get("password2") or ""):
            raise AccountError("account_passwords_differ")
        auth.account_store().use_reset(token, password)
    except AccountError as exc:
        return _back(lang, token=token, error=exc.reason.code)
    auth.account_store().end_session(flask.session.get("sid", ""))
    flask.session.clear()  # whoever was signed in in this browser is signed out
    return _back(lang, done="1")


def register(app: Dash) -> None:
    dash.register_page(__name__, path=RESET_PATH, layout=layout, title="Set a new password")
    app.server.add_url_rule(POST_PATH, "reset_password", post, methods=["POST"])
