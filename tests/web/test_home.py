"""The home page: all-Wales headline figures with their coverage, as ``decarb overview --json`` has them, and
each role's next step (a submitter's bodies for the year due, a reviewer's queue, an admin's accounts)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil

import flask
import pytest

from decarb_dashboard import deadlines, rollups
from decarb_dashboard.accounts import Account, AccountStore
from decarb_dashboard.cli import main
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app
from decarb_dashboard.web.pages import home
from tests.conftest import shown_texts

PASSWORD = "a long enough passphrase"


@pytest.fixture
def app(sample_store, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    return create_app(root, seed=False)


def links(component: object, out: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    out = [] if out is None else out
    if isinstance(component, list | tuple):
        for c in component:
            links(c, out)
    elif hasattr(component, "children"):
        if getattr(component, "href", None):
            out.append((" ".join(shown_texts(component.children)), component.href))
        links(component.children, out)
    return out


@contextlib.contextmanager
def as_account(app, account: Account | None):
    with app.server.test_request_context():
        flask.g.decarb_account = account
        yield


OFFICER = Account("officer", "Officer", "submitter", ("cardiff", "newport"), False, 0)


def test_the_headline_figures_are_decarb_overview_s_with_their_coverage(app, capsys):
    root = app.server.config["DECARB_DATA_DIR"]
    with as_account(app, None):
        shown = " | ".join(shown_texts(home.layout("en")))
        year = home.data.default_year()
    assert year == "2023-24"  # every body has a 2023-24 return in the sample data: the latest adequate year
    assert main(["overview", "--year", year, "--json", "--data-dir", root]) == 0
    wales = json.loads(capsys.readouterr().out)["all_wales"]
    # the sample data as decarb overview --json has it: all 45 bodies of the register reported 2023-24,
    # 2,600,816 tCO2e in all; like for like (the categories each reported in both years) 2,502,297 tCO2e
    # against 2,491,617 in 2019-20: 10,679 tCO2e more, 10,679 / 2,491,617 = 0.43%, said "0.4% higher"
    assert (wales["coverage"]["bodies_reported"], wales["coverage"]["bodies_expected"]) == (45, 45)
    assert round(wales["total_tco2e"]) == 2_600_816
    lfl = wales["like_for_like"]
    assert (lfl["tco2e"], lfl["baseline_tco2e"]) == (2_502_296.67, 2_491_617.36)
    assert lfl["change_vs_baseline_tco2e"] == pytest.approx(10_679.31) and lfl["change_vs_baseline_pct"] == 0.4286
    assert f"Reported emissions {year} | 2,600,816 tCO2e, from the bodies that have reported" in shown
    assert "Coverage | 45 of 45 bodies have reported" in shown
    assert "Change since 2019-20, like for like over 45 bodies | 0.4% higher (+10,679 tCO2e)" in shown
    with as_account(app, None):
        welsh = " | ".join(shown_texts(home.layout("cy")))
    assert "Cwmpas | Mae 45 o 45 corff wedi adrodd" in welsh and "0.4% yn uwch (+10,679 tCO2e)" in welsh


def test_the_home_page_s_summary_is_the_library_s_own_computation(app):
    with as_account(app, None):
        engine = home.data.engine()
        summary = home.all_wales_summary("2023-24")
        again = rollups.group_summary(engine.categories, engine.registry, sorted(engine.registry["id"].astype(str)),
                                      "2023-24", home.data.quality_flags("2023-24"), False)
    assert summary == again


def test_signed_out_the_page_says_what_the_service_is_and_links_to_each_page(app):
    with as_account(app, None):
        page = home.layout("en")
    assert "Anyone can read the published comparisons without an account." in " ".join(shown_texts(page))
    hrefs = dict(links(page))
    assert hrefs["Sign in"] == "/sign-in?lang=en&next=/"
    assert {hrefs[k] for k in ("Upload a return", "My organisation", "Compare", "Wales overview")} == {
        "/upload?lang=en", "/organisation?lang=en", "/compare?lang=en", "/wales?lang=en"}
    assert "Accounts" not in hrefs and "Review returns" not in hrefs


def test_the_year_due_is_the_latest_financial_year_to_have_ended():
    assert deadlines.due_year(dt.date(2026, 12, 1)) == "2025-26"
    assert deadlines.due_year(dt.date(2026, 4, 1)) == "2025-26"
    assert deadlines.due_year(dt.date(2026, 3, 31)) == "2024-25"


def test_a_submitter_sees_each_body_s_next_step_for_the_year_due(app, monkeypatch):
    monkeypatch.setattr(home.deadlines, "is_overdue", lambda year: False)
    monkeypatch.setattr(home.deadlines, "due_year", lambda: "2025-26")
    with as_account(app, OFFICER):
        steps = links(home.next_step("en"))
        welsh = links(home.next_step("cy"))
    assert steps == [
        ("Cardiff: Submit your 2025-26 return by 30 September 2026", "/upload?lang=en&body=cardiff&year=2025-26"),
        ("Newport: Submit your 2025-26 return by 30 September 2026", "/upload?lang=en&body=newport&year=2025-26")]
    assert welsh[0][0] == "Caerdydd: Cyflwynwch eich ffurflen 2025-26 erbyn 30 Medi 2026"
    monkeypatch.setattr(home.deadlines, "is_overdue", lambda year: True)
    with as_account(app, OFFICER):
        steps = dict(links(home.next_step("en")))
    assert "Cardiff: Your 2025-26 return was due by 30 September 2026: submit it now" in steps


def test_a_submitter_with_a_queried_return_sees_the_reply_link(app, monkeypatch):
    monkeypatch.setattr(home.deadlines, "due_year", lambda: "2023-24")
    store = SubmissionStore(app.server.config["DECARB_DATA_DIR"])
    latest = store.history("cardiff", "2023-24")[-1]
    store.change_status(latest.submission_id, "queried", actor="wg.reviewer", action="query",
                        from_status=latest.status, message="Gas looks 1000 times too big.")
    with as_account(app, OFFICER):
        steps = dict(links(home.next_step("en")))
    assert steps["Cardiff: Reply to the reviewer's query about your 2023-24 return"] == \
        "/upload?lang=en&body=cardiff&year=2023-24"
    newport = store.history("newport", "2023-24")[-1]
    assert steps["Newport: Your 2023-24 return is provisional, awaiting review: see its receipt"] == \
        f"/receipt/{newport.submission_id}?lang=en"


def test_a_reviewer_sees_how_many_returns_wait_for_review(app):
    store = SubmissionStore(app.server.config["DECARB_DATA_DIR"])
    reviewer = Account("wg", "WG", "reviewer", (), False, 0)
    parts = store.review_parts()
    waiting = int((parts["status"] == "submitted").sum())
    with as_account(app, reviewer):
        (text, target), = links(home.next_step("en"))
    assert (text, target) == (f"{waiting} returns waiting for review", "/review?lang=en")
    one = store.history("cardiff")[-1]
    store.change_status(one.submission_id, "accepted", actor="wg", action="accept", from_status=one.status)
    queued = int((store.review_parts()["status"] == "submitted").sum())
    assert queued < waiting  # the accepted return leaves the queue
    with as_account(app, reviewer):
        (text, _), = links(home.next_step("en"))
    assert text == f"{queued} returns waiting for review"


def test_an_admin_sees_the_accounts_needing_attention(app):
    accounts = AccountStore(app.server.config["DECARB_DATA_DIR"])
    accounts.add("quiet", PASSWORD, "reviewer")
    accounts.add("mailed", PASSWORD, "reviewer", email="mailed@gov.wales")
    accounts.add("leaver", PASSWORD, "reviewer", email="leaver@gov.wales")
    accounts.set_disabled("leaver")
    with as_account(app, Account("admin", "Admin", "admin", (), False, 0)):
        shown = shown_texts(home.next_step("en"))
    assert "2 accounts need attention" in shown
    assert "leaver: disabled" in shown
    assert "quiet: no e-mail address: gets no notifications, and a reset link cannot be mailed" in shown
