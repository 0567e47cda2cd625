"""Signing in and out, the session cookie, and who is asking.

The session cookie (signed with the app's secret key) holds only the user
name, the account's session epoch and a form token. Every request looks the
account up again, so disabling an account or changing its password ends its
sessions at once, in every worker. Callbacks ask :func:`allowed` before they
read a draft or write anything: hiding a button is never the protection.

A deployment with single sign-on sets ``DECARB_TRUSTED_USER_HEADER`` to the
header its OIDC proxy fills with the signed-in user's name (see docs/accounts.md).
"""

from __future__ import annotations

import hmac
import secrets
import urllib.parse
from datetime import timedelta

import flask
from flask.sessions import SecureCookieSessionInterface

from decarb_dashboard import accounts
from decarb_dashboard.accounts import Account, AccountStore, SignInThrottled
from decarb_dashboard.config import WebSettings

SIGN_IN_PATH = "/sign-in"
SESSION_HOURS = 8


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (flask.has_request_context() and flask.request.is_secure))


def account_store() -> AccountStore:
    if "decarb_accounts" not in flask.g:
        flask.g.decarb_accounts = AccountStore(flask.current_app.config["DECARB_DATA_DIR"])
    return flask.g.decarb_accounts


def current_account() -> Account | None:
    """Return the signed-in, enabled account of this request, or None."""
    if not flask.has_request_context():
        return None
    if "decarb_account" in flask.g:
        return flask.g.decarb_account
    header = flask.current_app.config.get("DECARB_TRUSTED_USER_HEADER")
    account = None
    if header:
        name = flask.request.headers.get(header, "")
        account = account_store().get(name) if name else None
    elif "user" in flask.session:
        account = account_store().get(flask.session["user"])
        if account is not None and account.session_epoch != flask.session.get("epoch"):
            account = None
    if account is not None and account.disabled:
        account = None
    flask.g.decarb_account = account
    return account


def allowed(action: str, organisation_id: str | None = None) -> bool:
    """Return whether the person making this request may do ``action`` (for ``organisation_id``)."""
    return accounts.allowed(current_account(), action, organisation_id)


def form_token() -> str:
    """Return this session's token for forms that post (sign-out), creating it once."""
    if "csrf" not in flask.session:
        flask.session["csrf"] = secrets.token_urlsafe(32)
    return flask.session["csrf"]


def _good_token() -> bool:
    sent = flask.request.form.get("csrf_token", "")
    return bool(sent) and hmac.compare_digest(sent, flask.session.get("csrf", ""))


def local_path(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the home page (no open redirects)."""
    target = target or "/"
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _back_to_form(error: str, lang: str, next_path: str, **extra: str) -> flask.Response:
    query = urllib.parse.urlencode({"lang": lang, "error": error, "next": next_path, **extra})
    return flask.redirect(f"{SIGN_IN_PATH}?{query}", code=303)


def sign_in() -> flask.Response:
    """POST /auth/sign-in: check the name and password, start a session, go back where the user was."""
    form = flask.request.form
    lang = form.get("lang") if form.get("lang") in ("en", "cy") else "en"
    next_path = local_path(form.get("next"))
    if not _good_token():
        return _back_to_form("expired", lang, next_path)
    client = flask.request.remote_addr or ""
    try:
        account = account_store().authenticate(form.get("username", ""), form.get("password", ""), client)
    except SignInThrottled as exc:
        return _back_to_form("throttled", lang, next_path, minutes=str(-(-exc.retry_after_s // 60)))
    if account is None:
        return _back_to_form("bad", lang, next_path)
    flask.session.clear()  # a new session on sign-in: nothing from before carries over
    flask.session.permanent = True
    flask.session.update(user=account.username, epoch=account.session_epoch, csrf=secrets.token_urlsafe(32))
    return flask.redirect(next_path, code=303)


def sign_out() -> flask.Response:
    """POST /auth/sign-out: end the session."""
    lang = flask.request.form.get("lang") if flask.request.form.get("lang") in ("en", "cy") else "en"
    if _good_token():
        flask.session.clear()
    return flask.redirect(f"/?lang={lang}", code=303)


def init(server: flask.Flask, settings: WebSettings) -> None:
    """Set the cookie rules and the sign-in routes on the app's Flask server."""
    server.session_interface = _SessionInterface()
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        SESSION_COOKIE_NAME="decarb_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        DECARB_TRUSTED_USER_HEADER=settings.trusted_user_header,
    )
    server.add_url_rule("/auth/sign-in", "sign_in", sign_in, methods=["POST"])
    server.add_url_rule("/auth/sign-out", "sign_out", sign_out, methods=["POST"])
