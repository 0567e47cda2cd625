"""Signing in and out, the session cookie, and who is asking.

The session cookie (signed with the app's secret key) holds only a session
token and a form token. The session itself is a row in ``accounts.sqlite``
(see AccountStore.start_session): every request looks it up, so signing out,
disabling the account or changing its password ends it at once, in every
worker, whatever copies of the cookie exist. Callbacks ask :func:`allowed` before they
read a draft or write anything: hiding a button is never the protection.

A deployment with single sign-on sets ``DECARB_TRUSTED_USER_HEADER`` to the
header its OIDC proxy fills with the signed-in user's name (see docs/accounts.md).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import urllib.parse
from collections.abc import Callable, Iterable
from datetime import timedelta

import flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from decarb_dashboard import accounts
from decarb_dashboard.accounts import Account, AccountStore, SignInThrottled
from decarb_dashboard.config import WebSettings
from uploads_schema import i18n

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
    elif "sid" in flask.session:
        account = account_store().session_account(flask.session["sid"])
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


def client_address() -> str:
    """The address sign-in limits count this request under: the client's, an IPv6 client's /64 network.

    Behind the trusted proxy it is the address that proxy saw (see :class:`TrustedProxy`); anyone else's
    X-Forwarded-For is ignored. One IPv6 user has a whole /64 to change addresses in.
    """
    raw = flask.request.remote_addr or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class TrustedProxy:
    """WSGI middleware: take the client address and scheme from X-Forwarded-For/-Proto only if the request came
    from the trusted reverse proxy, and then only the hop that proxy added (the last); drop them otherwise.

    A client that reaches the app directly, or puts its own X-Forwarded-For through the proxy, can neither
    escape the sign-in limits with a new address per try nor spend a victim's.
    """

    FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
                 "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")

    def __init__(self, app: Callable, proxies: tuple[str, ...]) -> None:
        self.app = app
        self.through_proxy = ProxyFix(app, x_for=1, x_proto=1)
        self.proxies = {ipaddress.ip_address(p) for p in proxies}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            from_proxy = ipaddress.ip_address(environ.get("REMOTE_ADDR", "")) in self.proxies
        except ValueError:
            from_proxy = False
        if from_proxy:
            return self.through_proxy(environ, start_response)
        for name in self.FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)


def _back_to_form(error: str, lang: str, next_path: str, **extra: str) -> flask.Response:
    query = urllib.parse.urlencode({"lang": lang, "error": error, "next": next_path, **extra})
    return flask.redirect(f"{SIGN_IN_PATH}?{query}", code=303)


def sign_in() -> flask.Response:
    """POST /auth/sign-in: check the name and password, start a session, go back where the user was."""
    form = flask.request.form
    lang = i18n.language(form.get("lang"))
    next_path = local_path(form.get("next"))
    if not _good_token():
        return _back_to_form("expired", lang, next_path)
    try:
        account = account_store().authenticate(form.get("username", ""), form.get("password", ""), client_address())
    except SignInThrottled as exc:
        if exc.retry_after_s < 120:
            return _back_to_form("wait", lang, next_path, seconds=str(exc.retry_after_s))
        return _back_to_form("throttled", lang, next_path, minutes=str(-(-exc.retry_after_s // 60)))
    if account is None:
        return _back_to_form("bad", lang, next_path)
    flask.session.clear()  # a new session on sign-in: nothing from before carries over
    flask.session.permanent = True
    sid = account_store().start_session(account.username, SESSION_HOURS * 3600)
    flask.session.update(sid=sid, csrf=secrets.token_urlsafe(32))
    return flask.redirect(next_path, code=303)


def sign_out() -> flask.Response:
    """POST /auth/sign-out: end the session."""
    lang = i18n.language(flask.request.form.get("lang"))
    if _good_token():
        account_store().end_session(flask.session.get("sid", ""))
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
