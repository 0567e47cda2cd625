"""Signing in and out: cookie flags, form tokens, limits, redirects, production settings, single sign-on.

The tests on ``either_site`` run on both backends (the accounts in the data directory, or in PostgreSQL)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.config import ConfigurationError
from decarb_dashboard.web import create_app
from tests.conftest import REPO
from tests.dash_http import DashClient, callback_body, find_prop, serve, text_of
from tests.web.conftest import PASSWORD


def form_token(client) -> str:
    """Render the sign-in page in ``client``'s session (Flask test client) and return its form token."""
    client.get("/")  # as a browser does first: Dash adds the pages' own callbacks on the first page
    body = callback_body(client.get("/_dash-dependencies").get_json(), ".._pages_content",
                         {"_pages_location.pathname": "/sign-in", "_pages_location.search": ""})
    return find_prop(client.post("/_dash-update-component", json=body).get_json(), "name", "csrf_token")["value"]


def post_sign_in(client, username: str, password: str, next_path: str = "/upload", token: str | None = None):
    token = form_token(client) if token is None else token
    return client.post("/auth/sign-in", data={"csrf_token": token, "username": username, "password": password,
                                              "lang": "cy", "next": next_path})


@pytest.fixture
def either_site(site, backend_env):
    """``site`` on this test's backend: with PostgreSQL, the accounts (and the store) in its database."""
    if backend_env:
        AccountStore(site).add("officer", PASSWORD, "submitter", ["cardiff"], "Cardiff officer")
    return site


def test_signing_in_sets_an_httponly_samesite_cookie_and_goes_back(either_site):
    site = either_site
    client = create_app(site, seed=False).server.test_client()
    r = post_sign_in(client, "officer", PASSWORD)
    assert (r.status_code, r.headers["Location"]) == (303, "/upload")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain http on loopback
    assert "officer" not in cookie.split(";")[0].split("=", 1)[1][:5]  # signed, not a bare user name


def test_the_cookie_is_secure_when_served_over_https(site, monkeypatch):
    monkeypatch.setenv("DECARB_TRUST_PROXY", "1")
    client = create_app(site, seed=False).server.test_client()
    client.get("/")
    token = form_token(client)
    r = client.post("/auth/sign-in", headers={"X-Forwarded-Proto": "https"},
                    data={"csrf_token": token, "username": "officer", "password": PASSWORD, "next": "/"})
    assert "Secure" in r.headers["Set-Cookie"]


@pytest.mark.parametrize(("username", "password", "token", "error"), [
    ("officer", "wrong password here", None, "bad"),
    ("nobody", PASSWORD, None, "bad"),
    ("officer", PASSWORD, "forged", "expired"),
    ("officer", PASSWORD, "", "expired"),
])
def test_a_failed_sign_in_says_why_and_starts_no_session(site, username, password, token, error):
    client = create_app(site, seed=False).server.test_client()
    r = post_sign_in(client, username, password, token=token)
    assert r.status_code == 303 and f"error={error}" in r.headers["Location"] and "lang=cy" in r.headers["Location"]
    with client.session_transaction() as session:
        assert "sid" not in session


def test_after_three_failures_sign_in_asks_for_a_short_wait(either_site):
    site = either_site
    app = create_app(site, seed=False)
    with serve(app.server) as url:
        browser = DashClient(url)
        for _ in range(3):
            assert "error=bad" in browser.sign_in("officer", "not the password").headers["Location"]
        refused = browser.sign_in("officer", PASSWORD)
        assert "error=wait" in refused.headers["Location"] and "seconds=1" in refused.headers["Location"]
        shown = text_of(browser.page("/sign-in", "?error=wait&seconds=1"))
        assert "There have been several failed attempts to sign in. Wait 1 seconds, then try again." in shown
        assert "Sign in" in text_of(browser.page("/upload"))  # still not signed in
        shown = text_of(browser.page("/sign-in", "?error=throttled&minutes=15&lang=cy"))
        assert "Rhowch gynnig arall arni ymhen 15 munud" in shown


@pytest.mark.parametrize("target", ["//evil.example/phish", "https://evil.example/", "javascript:alert(1)",
                                    "/\\evil.example"])
def test_sign_in_never_redirects_off_the_site(site, target):
    client = create_app(site, seed=False).server.test_client()
    assert post_sign_in(client, "officer", PASSWORD, next_path=target).headers["Location"] == "/"


def test_sign_out_ends_the_session_and_needs_the_form_token(either_site):
    site = either_site
    app = create_app(site, seed=False)
    with serve(app.server) as url:
        browser = DashClient(url)
        browser.sign_in("officer", PASSWORD)
        assert "Submitting as Cardiff officer" in text_of(browser.page("/upload"))
        browser.http.post(url + "/auth/sign-out", data={"csrf_token": "forged"})  # from another site: ignored
        assert "Submitting as Cardiff officer" in text_of(browser.page("/upload"))
        shell = browser.callback("..page-shell.children", {"url.pathname": "/upload", "url.search": ""})
        token = find_prop(shell.json(), "name", "csrf_token")["value"]
        browser.http.post(url + "/auth/sign-out", data={"csrf_token": token})
        assert "You need to sign in to upload a return" in text_of(browser.page("/upload"))


def test_a_password_change_signs_out_other_sessions(either_site):
    site = either_site
    app = create_app(site, seed=False)
    with serve(app.server) as url:
        browser = DashClient(url)
        browser.sign_in("officer", PASSWORD)
        AccountStore(site).set_password("officer", "a brand new passphrase")
        assert "You need to sign in" in text_of(browser.page("/upload"))


def test_production_refuses_to_start_without_a_secret_key(site, monkeypatch):
    monkeypatch.setenv("DECARB_ENV", "production")
    monkeypatch.delenv("DECARB_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="DECARB_SECRET_KEY is not set"):
        create_app(site, seed=False)
    monkeypatch.setenv("DECARB_SECRET_KEY", "short")
    with pytest.raises(ConfigurationError):
        create_app(site, seed=False)
    monkeypatch.setenv("DECARB_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DECARB_DEMO_ACCOUNTS", "1")
    with pytest.raises(ConfigurationError, match="DECARB_DEMO_ACCOUNTS"):
        create_app(site, seed=False)
    monkeypatch.delenv("DECARB_DEMO_ACCOUNTS")
    app = create_app(site, seed=False)
    assert app.server.secret_key == "x" * 64 and app.server.config["SESSION_COOKIE_SECURE"] is True


def test_app_py_exits_with_the_reason_instead_of_a_traceback(site):
    env = {"DECARB_ENV": "production", "DECARB_DATA_DIR": str(site), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", "import app"], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1
    assert "decarb-dashboard will not start: DECARB_ENV is production but DECARB_SECRET_KEY" in run.stderr
    assert "Traceback" not in run.stderr


def test_single_sign_on_proxy_header_names_the_account(site, monkeypatch):
    monkeypatch.setenv("DECARB_TRUSTED_USER_HEADER", "X-Forwarded-User")
    app = create_app(site, seed=False)
    with serve(app.server) as url:
        browser = DashClient(url)
        browser.http.headers["X-Forwarded-User"] = "officer"
        assert "Submitting as Cardiff officer" in text_of(browser.page("/upload"))
        browser.http.headers["X-Forwarded-User"] = "someone.unknown"
        assert "You need to sign in" in text_of(browser.page("/upload"))


def test_demo_accounts_let_a_visitor_try_the_upload_page(site, monkeypatch):
    from decarb_dashboard.sample import DEMO_PASSWORD

    monkeypatch.setenv("DECARB_DEMO_ACCOUNTS", "1")
    app = create_app(site, seed=False)  # the store already has the officer account: no demo accounts added
    assert [a.username for a in AccountStore(site).list()] == ["officer"]
    fresh = site.parent / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("accounts.sqlite*"))
    app = create_app(fresh, seed=False)
    with serve(app.server) as url:
        browser = DashClient(url)
        assert browser.sign_in("central.team", DEMO_PASSWORD).headers["Location"] == "/"
        options = browser.page("/upload").text
        assert '"value":"torfaen"' in options and '"value":"swansea"' not in options
        # a demo account's name is the site's, in the page's language; a name an admin gave it is its own
        welsh, english = text_of(browser.page("/upload", "?lang=cy")), text_of(browser.page("/upload", "?lang=en"))
        assert "Tîm canolog y ffurflenni" in welsh and "Central returns team" not in welsh
        assert "Central returns team" in english
        AccountStore(fresh).edit("central.team", display_name="Rhian Morgan")
        assert "Rhian Morgan" in text_of(browser.page("/upload", "?lang=cy"))
