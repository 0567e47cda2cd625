"""Every role x every action x own body / other body, over HTTP against a running server.

The expected table is written out here by hand (not read from accounts.PERMISSIONS),
and each refused write is checked to have changed nothing in the store or the accounts.
Who may do what does not depend on where the store is: the whole matrix runs on each of its
backends, a data directory and a PostgreSQL database (``DECARB_DATABASE_URL``, on the tests'
throwaway cluster; the accounts stay in the data directory).
"""

from __future__ import annotations

import shutil

import pytest

from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app
from tests.conftest import csv_bytes
from tests.dash_http import DashClient, fell_back, serve, text_of, upload_payload, upload_values

#: One worker runs this module, so that its module-scoped fixtures are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("permissions")

PASSWORD = "a long enough passphrase"
OWN, OTHER = "cardiff", "torfaen"
NAMES = {"cardiff": "Cardiff", "torfaen": "Torfaen"}
ROLES = ("anonymous", "submitter", "reviewer", "admin", "disabled")
ACTIONS = ("read_published", "read_drafts", "check_file", "submit", "accept", "query", "administer")
# Worked out from the issue: only a body's own staff submit; only reviewers decide; admins manage accounts.
GRANTED = (
    {(role, "read_published", body) for role in ROLES for body in (OWN, OTHER)}
    | {("submitter", action, OWN) for action in ("read_drafts", "check_file", "submit")}
    | {(role, "read_drafts", body) for role in ("reviewer", "admin") for body in (OWN, OTHER)}
    | {("reviewer", action, body) for action in ("accept", "query") for body in (OWN, OTHER)}
    | {("admin", "administer", body) for body in (OWN, OTHER)}
)
REFUSED = "You cannot do this with your account"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, sample_store, tmp_path_factory):
    """A server on the sample returns and five accounts, its store in a data directory or a PostgreSQL database."""
    with pytest.MonkeyPatch.context() as env:
        root = tmp_path_factory.mktemp("permissions") / "data"
        url = None
        if request.param == "postgresql":
            from decarb_dashboard.registry import bundled_registry
            from decarb_dashboard.sample import seed

            cluster = request.getfixturevalue("postgres_cluster")
            url = cluster.new_database()
            request.addfinalizer(lambda: cluster.drop_database(url))
            seed(SubmissionStore(root, database_url=url), bundled_registry())
            env.setenv("DECARB_DATABASE_URL", url)  # the app's store, and every one it opens, is the database
        else:
            env.delenv("DECARB_DATABASE_URL", raising=False)
            shutil.copytree(sample_store.root, root)
        yield from _serve(root, url)


def _serve(root, database_url):
    accounts = AccountStore(root)
    accounts.add("officer", PASSWORD, "submitter", [OWN], "Cardiff officer")
    accounts.add("reviewer", PASSWORD, "reviewer")
    accounts.add("admin", PASSWORD, "admin")
    accounts.add("leaver", PASSWORD, "submitter", [OWN], "Left last week")
    accounts.add("spare", PASSWORD, "submitter", [OTHER])
    app = create_app(root, seed=False)
    with serve(app.server) as url:
        clients = {"anonymous": DashClient(url)}
        for role, user in (("submitter", "officer"), ("reviewer", "reviewer"), ("admin", "admin"),
                           ("disabled", "leaver")):
            clients[role] = DashClient(url)
            assert clients[role].sign_in(user, PASSWORD).status_code == 303
        accounts.set_disabled("leaver")  # signed in before, disabled since: the session must end at once
        store = SubmissionStore(root, database_url=database_url)
        assert store.backend == ("postgresql" if database_url else "sqlite")
        yield clients, store, accounts


def snapshot(store: SubmissionStore, accounts: AccountStore) -> tuple:
    return (store.version(), [(s.submission_id, s.status, s.status_message) for s in store.submissions()],
            accounts.list())


def act(client: DashClient, store: SubmissionStore, action: str, body: str) -> tuple[bool, str]:
    """Do ``action`` for ``body`` as the page would; return (did it happen, the words shown)."""
    latest = store.history(body)[-1].submission_id
    upload = upload_values(upload_payload(csv_bytes(f"{NAMES[body]},2024-25,Waste,,,,,5,,,")), "return.csv", body,
                           "2024-25")
    if action == "read_published":
        r = client.page("/organisation", f"?body={body}&year=2022-23")
        done = "Total emissions 2022-23" in text_of(client.callback("org-view.children", {
            "org-body.value": body, "org-year.value": "2022-23", "org-metric.value": "total",
            "org-peers.value": "type", "org-supply.value": "with", "org-lang.data": "en"}))
    elif action == "read_drafts":
        r = client.callback("up-history.children", {"up-body.value": body, "up-lang.data": "en"})
        done = store.submission(latest).reference in r.text
    elif action == "check_file":
        r = client.callback("up-report.children", upload)
        done = "is ready to submit" in text_of(r)
    elif action == "submit":
        r = client.callback("..up-receipt.children", upload)
        done = "Return submitted" in text_of(r)
    elif action in ("accept", "query"):
        s = store.submission(latest)
        r = client.callback("..rv-outcome.children", {
            "rv-record.n_clicks": 1, "rv-key.data": [latest, body, s.reporting_years[0]], "rv-lang.data": "en",
            "rv-decision.value": action, "rv-version.data": 0,
            "rv-message.value": "Fleet looks 1000 times too big: litres entered as millilitres?"})
        done = f"Return {s.reference} {action.replace('query', 'queri')}ed" in text_of(r)
    else:
        r = client.callback("..ac-outcome.children", {"ac-disable.n_clicks": 1, "ac-user.value": "spare",
                                                       "ac-lang.data": "en"}, changed="ac-disable.n_clicks")
        done = "spare is disabled" in text_of(r)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    assert "Traceback" not in r.text and not fell_back(r), r.text[:300]
    return done, text_of(r)


def awaiting_review(store: SubmissionStore, body: str) -> None:
    """Put the body's latest submission back to "submitted", where a reviewer may accept or query it
    (an earlier case of the matrix may have decided on it already)."""
    latest = store.history(body)[-1]
    if latest.status != "submitted":
        store.change_status(latest.submission_id, "submitted", actor="test", action="reopen",
                            from_status=latest.status, message="back in the queue for the next case")


@pytest.mark.parametrize("body", [OWN, OTHER])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_role_action_body(site, role, action, body):
    clients, store, accounts = site
    if action in ("accept", "query"):
        awaiting_review(store, body)
    before = snapshot(store, accounts)
    done, shown = act(clients[role], store, action, body)
    expected = (role, action, body) in GRANTED
    assert done == expected, shown[:400]
    if not expected and action != "read_published":
        assert snapshot(store, accounts) == before  # a refused write changed nothing
        if action != "read_drafts" or role != "anonymous":
            assert REFUSED in shown or "sign in" in shown.lower(), shown[:400]
    if expected and action == "submit":
        assert len(store.submissions()) == len(before[1]) + 1
        assert store.submissions()[-1].submitted_by == "officer"
    if expected and action == "administer":
        accounts.set_disabled("spare", False)


def test_a_submitter_cannot_slip_another_body_s_lines_under_their_own_id(site):
    clients, store, accounts = site
    before = snapshot(store, accounts)
    r = clients["submitter"].callback("..up-receipt.children", upload_values(
        upload_payload(csv_bytes("Torfaen,2024-25,Waste,,,,,5,,,")), "t.csv", OWN, "2024-25"))
    assert "There is a problem" in text_of(r)
    assert snapshot(store, accounts) == before


def test_pages_for_drafts_show_a_sign_in_link_and_no_data_to_anonymous_readers(site):
    clients, store, _ = site
    latest = store.history(OWN)[-1].submission_id
    for path in ("/upload", "/review", "/accounts"):
        r = clients["anonymous"].page(path, "?body=cardiff")
        assert "Sign in" in text_of(r) and latest not in r.text and "officer" not in r.text
    assert latest in clients["reviewer"].page("/review", "?status=all&sort=submitted_at&order=desc").text
    assert "Cardiff officer" in text_of(clients["admin"].page("/accounts"))
    assert "Only administrators" in text_of(clients["reviewer"].page("/accounts"))


def test_the_submitter_sees_the_reviewer_s_query_and_the_thread(site):
    clients, store, accounts = site
    awaiting_review(store, OWN)
    latest = store.history(OWN)[-1]
    key = [latest.submission_id, OWN, latest.reporting_years[0]]
    before = snapshot(store, accounts)
    r = clients["reviewer"].callback("..rv-outcome.children", {
        "rv-record.n_clicks": 1, "rv-key.data": key, "rv-decision.value": "query",
        "rv-message.value": "", "rv-lang.data": "en"})
    assert "needs a message saying why" in text_of(r)
    assert snapshot(store, accounts) == before  # a query without a message is not recorded
    clients["reviewer"].callback("..rv-outcome.children", {
        "rv-record.n_clicks": 1, "rv-key.data": key, "rv-decision.value": "query",
        "rv-message.value": "Street lighting is half last year's: were all columns counted?", "rv-lang.data": "en"})
    shown = text_of(clients["submitter"].callback("up-history.children", {"up-body.value": OWN,
                                                                            "up-lang.data": "en"}))
    assert "Welsh Government has a question about your" in shown
    assert "Street lighting is half last year's: were all columns counted?" in shown
    assert f"reviewer: queried {latest.reference}" in shown
