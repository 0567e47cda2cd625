"""Hardening against a hostile user and an unlucky operator (issue 12): one regression test or more per item."""

from __future__ import annotations

import base64
import json
import logging
import shutil
import stat
import threading
from concurrent.futures import ThreadPoolExecutor

import plotly.utils
import pytest
import requests

from decarb_dashboard import config
from decarb_dashboard.accounts import AccountError, AccountStore
from decarb_dashboard.config import ConfigurationError
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app, render_shell
from tests.conftest import csv_bytes
from tests.dash_http import (
    DashClient,
    callback_body,
    fell_back,
    find_prop,
    serve,
    text_of,
    upload_payload,
    upload_values,
)
from tests.web.conftest import PASSWORD


# ---- 5. the language link is built from the path only -------------------------------------------------------
@pytest.mark.parametrize(("pathname", "expected"), [
    ("//evil.example/x", "/?body=cardiff&lang=cy"),
    ("/\\evil.example", "/?body=cardiff&lang=cy"),
    ("https://evil.example/", "/?body=cardiff&lang=cy"),
    ("/compare", "/compare?body=cardiff&lang=cy"),
])
def test_the_language_link_never_leaves_the_site(site, pathname, expected):
    app = create_app(site, seed=False)
    with app.server.test_request_context("/"):
        children, lang = render_shell(pathname, "?body=cardiff")
    switch = find_prop(json.loads(json.dumps(children, cls=plotly.utils.PlotlyJSONEncoder)), "id", "language-switch")
    assert lang == "en" and switch["href"] == expected


# ---- 11. demo accounts never survive into production; DECARB_ENV is one of the known values ------------------
def test_production_refuses_to_start_while_a_demo_account_has_the_demo_password(site, monkeypatch):
    from decarb_dashboard.sample import DEMO_ACCOUNTS, DEMO_PASSWORD

    fresh = site.parent / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("accounts.sqlite*"))
    monkeypatch.setenv("DECARB_DEMO_ACCOUNTS", "1")
    create_app(fresh, seed=False)  # a try-out start: the demo accounts are added
    monkeypatch.delenv("DECARB_DEMO_ACCOUNTS")
    monkeypatch.setenv("DECARB_ENV", "production")
    monkeypatch.setenv("DECARB_SECRET_KEY", "k" * 64)
    with pytest.raises(ConfigurationError, match=r"demo account\(s\) cardiff.officer, central.team, wg.reviewer, "
                                                 r"admin still sign in .*`decarb users disable NAME`"):
        create_app(fresh, seed=False)
    accounts = AccountStore(fresh)
    for name, *_ in DEMO_ACCOUNTS[:3]:
        accounts.set_disabled(name)
    with pytest.raises(ConfigurationError, match=r"demo account\(s\) admin still"):
        create_app(fresh, seed=False)
    accounts.set_password("admin", "a passphrase of the operator's own")
    assert not accounts.password_matches("admin", DEMO_PASSWORD)
    assert create_app(fresh, seed=False).server.secret_key == "k" * 64


@pytest.mark.parametrize("value", ["prod", "Production ", "live", "staging"])
def test_an_unknown_decarb_env_is_an_error_not_silently_development(site, monkeypatch, value):
    monkeypatch.setenv("DECARB_ENV", value)
    monkeypatch.setenv("DECARB_SECRET_KEY", "k" * 64)
    if value.strip().lower() == "production":
        assert create_app(site, seed=False).server.config["SESSION_COOKIE_SECURE"] is True
        return
    with pytest.raises(ConfigurationError, match=f"DECARB_ENV is '{value.lower()}': set it to one of development, "
                                                 "production"):
        create_app(site, seed=False)


# ---- 12. without DECARB_SECRET_KEY, all workers over one data directory share one key -------------------------
def test_workers_without_a_secret_key_share_the_data_directory_s_key(site, monkeypatch, caplog):
    monkeypatch.delenv("DECARB_SECRET_KEY", raising=False)
    with ThreadPoolExecutor(8) as pool:  # eight workers starting at once agree on one key
        keys = set(pool.map(lambda _: config.local_secret_key(site), range(8)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert stat.S_IMODE((site / "secret_key").stat().st_mode) == 0o600
    assert [p.name for p in site.iterdir() if p.name.startswith(".secret_key")] == []  # no temporary file left
    caplog.set_level(logging.WARNING)
    first, second = create_app(site, seed=False), create_app(site, seed=False)
    assert "DECARB_SECRET_KEY is not set" in caplog.text
    signed_in = first.server.test_client()
    token = _form_token(signed_in)
    signed_in.post("/auth/sign-in", data={"csrf_token": token, "username": "officer", "password": PASSWORD})
    other = second.server.test_client()  # the next request lands on another worker
    other.set_cookie("decarb_session", signed_in.get_cookie("decarb_session").value)
    assert "Submitting as Cardiff officer" in _page_text(other, "/upload")


def _page_text(client, path: str) -> str:
    """The words of page ``path`` as the Flask test client ``client`` would see them."""
    client.get("/")
    body = callback_body(client.get("/_dash-dependencies").get_json(), ".._pages_content",
                         {"_pages_location.pathname": path, "_pages_location.search": ""})
    return json.dumps(client.post("/_dash-update-component", json=body).get_json())


def _form_token(client) -> str:
    client.get("/")
    body = callback_body(client.get("/_dash-dependencies").get_json(), ".._pages_content",
                         {"_pages_location.pathname": "/sign-in", "_pages_location.search": ""})
    return find_prop(client.post("/_dash-update-component", json=body).get_json(), "name", "csrf_token")["value"]


# ---- 7. common and trivial passwords are refused ------------------------------------------------------------
@pytest.mark.parametrize(("password", "why"), [
    (" " * 12, "at least 12 characters"),
    ("  short one  ", "at least 12 characters"),  # 9 characters once the spaces at the ends go
    ("aaaaaaaaaaaa", "too easy to guess"),
    ("ab ab ab ab ab ab", "too easy to guess"),
    ("123456789012", "too easy to guess"),
    ("0987654321098", "too easy to guess"),
    ("qwertyuiopas", "too easy to guess"),
    ("!!!!####$$$$%%%%", "too easy to guess"),
    ("Password1234!", "commonest passwords"),
    ("P@ssw0rd 2024", "commonest passwords"),
    ("Cardiff2024!!", "commonest passwords"),
    ("iloveyou 1234", "commonest passwords"),
    ("alice.jones99", "your user name"),
])
def test_common_and_trivial_passwords_are_refused(tmp_path, password, why):
    accounts = AccountStore(tmp_path)
    with pytest.raises(AccountError, match=why):
        accounts.add("alice.jones@cardiff.gov.wales", password, "reviewer")
    assert accounts.list() == []
    accounts.add("bob", "three unrelated words", "reviewer")
    if why != "your user name":
        with pytest.raises(AccountError, match=why):
            accounts.set_password("bob", password)
    assert accounts.password_matches("bob", "three unrelated words")


@pytest.mark.parametrize("password", ["correct horse battery", "a long enough passphrase", "illustrative-demo-only",
                                      "Gwyntoedd y gorllewin 7"])
def test_passphrases_are_accepted(tmp_path, password):
    AccountStore(tmp_path).add("alice", password, "reviewer")
    assert AccountStore(tmp_path).password_matches("alice", password)


# ---- 4. a forged year from a callback is refused, as the CLI would ------------------------------------------
@pytest.mark.parametrize("year", ["2024-26", "2024-25/../../x", "../../../../tmp/x", "2099-00", "2014-15", " 2024-25",
                                  "2024/25"])
def test_a_forged_year_is_refused_plainly_and_stores_nothing(site, year):
    store = SubmissionStore(site)
    years_before = set(store.current_lines()["reporting_year"].astype(str))
    submissions_before = len(store.submissions())
    upload = csv_bytes("Cardiff Council,,Waste,,,,,5,,,")  # the year cell blank: the page's year would fill it
    with serve(create_app(site, seed=False).server) as url:
        browser = DashClient(url)
        browser.sign_in("officer", PASSWORD)
        for output in ("up-report.children", "..up-receipt.children"):
            r = browser.callback(output, upload_values(upload_payload(upload), "return.csv", "cardiff", year))
            assert r.status_code == 200 and not fell_back(r), r.text[:300]
            assert "The reporting year sent is not one this service accepts" in text_of(r)
        fine = browser.callback("..up-receipt.children", upload_values(upload_payload(upload), "return.csv",
                                                                         "cardiff", "2024-25"))
        assert "Return submitted" in text_of(fine)  # the same file for a real year goes in
    after = SubmissionStore(site)
    assert set(after.current_lines()["reporting_year"].astype(str)) == years_before | {"2024-25"}
    assert len(after.submissions()) == submissions_before + 1


# ---- 8. one rule for who sees a submission: history and detail agree -----------------------------------------
def test_a_reviewer_s_message_about_a_shared_submission_stays_with_those_who_may_see_it(site):
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.validate import validate_upload

    store = SubmissionStore(site)
    raw = csv_bytes("Cardiff Council,2024-25,Waste,,,,,5,,,", "Newport City Council,2024-25,Waste,,,,,7,,,")
    report = validate_upload(raw, "shared.csv", registry=bundled_registry())
    assert report.valid, report.errors[:2]
    shared = store.submit(report.lines, raw, submitted_by="central.team", file_name="shared.csv")
    store.set_status(shared, "queried", actor="wg.reviewer", message="Newport: the waste tonnage looks low")
    AccountStore(site).add("central", PASSWORD, "submitter", ["cardiff", "newport"])
    with serve(create_app(site, seed=False).server) as url:
        officer, central = DashClient(url), DashClient(url)
        officer.sign_in("officer", PASSWORD)
        central.sign_in("central", PASSWORD)
        history = {"up-body.value": "cardiff", "up-lang.data": "en"}
        assert "the waste tonnage looks low" in text_of(central.callback("up-history.children", history))
        seen = officer.callback("up-history.children", history)
        assert seen.status_code == 200 and shared not in seen.text
        assert "the waste tonnage looks low" not in seen.text
        detail = officer.callback("rv-detail.children", {"rv-version.data": 1, "rv-key.data": [shared, "cardiff",
                                                                                              "2024-25"],
                                                         "rv-lang.data": "en"})
        # The detail view agrees: it draws nothing for an account that may not read others' drafts.
        assert detail.status_code == 204 or "You cannot do this with your account" in text_of(detail)
        assert "the waste tonnage looks low" not in detail.text and shared not in detail.text


# ---- 6. sessions end on the server: a copied cookie dies with sign-out, disabling and a new password -------------
@pytest.mark.parametrize("how", ["sign out", "disable", "new password"])
def test_a_session_s_cookie_stops_working_when_the_session_ends(site, how):
    with serve(create_app(site, seed=False).server) as url:
        browser = DashClient(url)
        browser.sign_in("officer", PASSWORD)
        copied = browser.http.cookies.get("decarb_session")
        assert "Submitting as Cardiff officer" in text_of(browser.page("/upload"))
        if how == "sign out":
            shell = browser.callback("..page-shell.children", {"url.pathname": "/upload", "url.search": ""})
            browser.http.post(url + "/auth/sign-out", data={"csrf_token": find_prop(shell.json(), "name",
                                                                                   "csrf_token")["value"]})
        elif how == "disable":
            AccountStore(site).set_disabled("officer")
            AccountStore(site).set_disabled("officer", False)  # enabled again: the old session stays ended
        else:
            AccountStore(site).set_password("officer", "another long passphrase")
        thief = DashClient(url)
        thief.http.cookies.set("decarb_session", copied)
        assert "You need to sign in to upload a return" in text_of(thief.page("/upload"))


# ---- 2. the client address comes only from the one trusted proxy hop ---------------------------------------
@pytest.mark.parametrize(("peer", "forwarded", "counted"), [
    ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # through the proxy: the address it saw
    ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a client's own X-Forwarded-For is not believed
    ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # straight to the app, around the proxy: its own address
    ("2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::/64"),  # an IPv6 client: its /64
])
def test_sign_in_limits_count_the_address_the_trusted_proxy_saw(site, monkeypatch, peer, forwarded, counted):
    from decarb_dashboard.web import auth

    monkeypatch.setenv("DECARB_TRUST_PROXY", "1")
    server = create_app(site, seed=False).server
    server.add_url_rule("/test-client-address", "test_client_address", auth.client_address)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    r = server.test_client().get("/test-client-address", headers=headers, environ_base={"REMOTE_ADDR": peer})
    assert r.get_data(as_text=True) == counted


def test_a_new_forwarded_address_per_guess_does_not_escape_the_wait(site, monkeypatch):
    monkeypatch.setenv("DECARB_TRUST_PROXY", "1")
    client = create_app(site, seed=False).server.test_client()
    token = _form_token(client)
    outcomes = []
    for k in range(5):  # straight to the app on loopback... but through "the proxy" with a forged hop first
        r = client.post("/auth/sign-in", headers={"X-Forwarded-For": f"10.0.0.{k}, 192.0.2.1"},
                        data={"csrf_token": token, "username": "officer", "password": f"guess number {k}"})
        outcomes.append(r.headers["Location"].split("error=")[1].split("&")[0])
    assert outcomes == ["bad", "bad", "bad", "wait", "wait"]


@pytest.mark.parametrize("value", ["yes please", "10.0.0", "proxy.example"])
def test_decarb_trust_proxy_must_name_an_address(site, monkeypatch, value):
    monkeypatch.setenv("DECARB_TRUST_PROXY", value)
    with pytest.raises(ConfigurationError, match="not an IP address"):
        create_app(site, seed=False)


# ---- 9. security headers ---------------------------------------------------------------------------------------
def test_every_response_carries_the_security_headers(site, monkeypatch):
    client = create_app(site, seed=False).server.test_client()
    for path in ("/", "/_dash-layout", "/healthz", "/assets/style.css"):
        r = client.get(path)
        policy = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, path
        script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert script_src.count("'sha256-") >= 2  # Dash's renderer and the clientside callback, by hash
        assert (r.headers["X-Content-Type-Options"], r.headers["X-Frame-Options"], r.headers["Referrer-Policy"]) == (
            "nosniff", "DENY", "same-origin")
        assert "Strict-Transport-Security" not in r.headers  # plain http in development
    monkeypatch.setenv("DECARB_ENV", "production")
    monkeypatch.setenv("DECARB_SECRET_KEY", "k" * 64)
    r = create_app(site, seed=False).server.test_client().get("/")
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_development_server_sends_no_version_banner(site):
    from werkzeug.serving import make_server

    from decarb_dashboard.web.headers import QuietRequestHandler

    server = make_server("127.0.0.1", 0, create_app(site, seed=False).server, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    r = requests.get(f"http://127.0.0.1:{server.server_port}/healthz", timeout=30)
    thread.join(timeout=10)
    server.server_close()
    assert r.headers["Server"] == "decarb-dashboard"


# ---- 3. downloads are built on the server from the page's own query ---------------------------------------------
def _download_body(block: str, query: object, kind: str = "download-csv") -> dict:
    """What the page posts when a download button is clicked (web.DOWNLOAD_CLICK, in the browser, says which)."""
    click = {"block": block, "kind": kind, "query": query, "clicks": 1}
    return {"output": "download.data", "outputs": {"id": "download", "property": "data"},
            "inputs": [{"id": "download-click", "property": "data", "value": click}], "state": [],
            "changedPropIds": ["download-click.data"]}


def test_a_download_is_the_table_the_page_shows_built_again_on_the_server(site):
    client = create_app(site, seed=False).server.test_client()
    client.get("/")
    values = {"org-body.value": "cardiff", "org-year.value": "2022-23", "org-metric.value": "per_fte",
              "org-peers.value": "region", "org-supply.value": "without", "org-lang.data": "en"}
    view = client.post("/_dash-update-component",
                       json=callback_body(client.get("/_dash-dependencies").get_json(), "org-view.children", values))
    shown = view.get_json()
    store = find_prop(shown, "id", {"type": "download-data", "block": "org-categories"})
    assert store["data"] == {"view": "org-view.children",
                             "values": ["cardiff", "2022-23", "per_fte", "region", "without", "en"]}  # no rows
    rows_shown = len(find_prop(shown, "id", "org-categories-table")["children"][-1]["props"]["children"])
    sent = client.post("/_dash-update-component", json=_download_body("org-categories", store["data"]))
    csv_text = base64.b64decode(sent.get_json()["response"]["download"]["data"]["content"]).decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 1 + rows_shown > 5  # a header and every row on the page
    # named by body, year, contents and language, not by the page's block id
    assert sent.get_json()["response"]["download"]["data"]["filename"] == "cardiff-2022-23-categories-en.csv"


@pytest.mark.parametrize("query", [
    [{"Value": "x" * 1000}] * 50,  # rows, the old way: never built into a file
    {"view": "..up-receipt.children...up-history.children..", "values": [1, None, "x", "cardiff", "2024-25"]},
    {"view": "page", "values": ["/nowhere", ""]},
    {"view": "org-view.children", "values": ["cardiff", "2099-00", "total", "type", "with", "en"]},
    {"view": "org-view.children", "values": ["x"] * 100},
    {"view": "org-view.children", "values": [{"a": 1}, [], None, 5, True, "en"]},
    "not a query",
])
def test_a_forged_download_builds_nothing(site, query):
    store = SubmissionStore(site)
    before = (store.version(), len(store.submissions()))
    client = create_app(site, seed=False).server.test_client()
    client.get("/")
    r = client.post("/_dash-update-component", json=_download_body("org-categories", query))
    assert r.status_code == 204 and "Traceback" not in r.get_data(as_text=True)  # nothing to send
    assert (store.version(), len(store.submissions())) == before


def test_a_large_body_to_a_callback_that_takes_no_file_is_refused_before_it_is_read(site):
    client = create_app(site, seed=False).server.test_client()
    client.get("/")
    big = [{"Value": "x" * 100, "Row": k} for k in range(20_000)]  # about 2.5 MB of rows
    assert client.post("/_dash-update-component", json=_download_body("org-categories", big)).status_code == 413
    upload = callback_body(client.get("/_dash-dependencies").get_json(), "up-report.children", {
        "up-file.contents": upload_payload(b"x" * 1_000_000), "up-file.filename": "big.csv"})
    assert client.post("/_dash-update-component", json=upload).status_code == 200  # the upload may be large


# ---- 1. a file is parsed once per upload, not again on submit -------------------------------------------------
def test_submitting_a_checked_file_does_not_parse_it_again(site, monkeypatch):
    from decarb_dashboard.web.pages import upload

    parsed = []
    real = upload.validate_upload
    monkeypatch.setattr(upload, "validate_upload", lambda *a, **k: parsed.append(a[1]) or real(*a, **k))
    upload._checked.clear()
    values = upload_values(upload_payload(csv_bytes("Cardiff Council,2024-25,Waste,,,,,5,,,")), "once.csv",
                           "cardiff", "2024-25")
    with serve(create_app(site, seed=False).server) as url:
        browser = DashClient(url)
        browser.sign_in("officer", PASSWORD)
        assert "is ready to submit" in text_of(browser.callback("up-report.children", values))
        assert "Return submitted" in text_of(browser.callback("..up-receipt.children", values))
    assert parsed == ["once.csv"]


def test_the_sign_in_link_s_next_is_a_path_on_this_site(site):
    app = create_app(site, seed=False)
    with app.server.test_request_context("/"):
        children, _ = render_shell("//evil.example/x", "")
    link = find_prop(json.loads(json.dumps(children, cls=plotly.utils.PlotlyJSONEncoder)), "id", "sign-in-link")
    assert link["href"] == "/sign-in?lang=en&next=%2F"
