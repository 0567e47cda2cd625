"""The upload page's submission, over HTTP as the browser sends it: warnings explained, a declaration,
one submission per file, and the receipt (on the page and at /receipt/<id>)."""

from __future__ import annotations

import pytest

from decarb_dashboard import store as store_module
from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.review import MIN_EXPLANATION_CHARS
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app
from tests.conftest import csv_bytes
from tests.dash_http import DashClient, fell_back, find_prop, serve, text_of, upload_payload, upload_values
from tests.web.conftest import PASSWORD

#: A small 2024-25 return for Cardiff. Rows (the header is row 1): 2 and 3 buildings, 4 waste, 5 commuting.
#: Two groups of warnings: row 5's "N/A" is read as "not reported" (status_from_cell), and waste at 500.0 is
#: -72% on Cardiff's stored 2023-24 figure of 1,786.6 tCO2e (stored:change).
SMALL = csv_bytes(
    "Cardiff Council,2024-25,Buildings,Electricity,,,,7000.0,,,",
    "Cardiff Council,2024-25,Buildings,Natural gas,,,,8000.0,,,",
    "Cardiff Council,2024-25,Waste,,,,,500.0,,,",
    "Cardiff Council,2024-25,Commuting,,,,,N/A,,,",
)
GROUPS = ("status_from_cell", "stored:change")
EXPLAINED = {"status_from_cell": "The commuting survey is run every other year; none in 2024-25.",
             "stored:change": "Food waste collections moved to the regional contract in April 2024."}
#: 16 March 2026 was in Greenwich Mean Time, 1 July 2026 in British Summer Time (UTC+1).
SUMMER_UTC = "2026-07-01T13:52:22.123456Z"


@pytest.fixture
def browsers(site, monkeypatch):
    """The site served: the Cardiff officer, Torfaen's submitter and a reviewer signed in; the store."""
    monkeypatch.setattr(store_module, "_now", lambda: SUMMER_UTC)
    accounts = AccountStore(site)
    accounts.add("spare", PASSWORD, "submitter", ["torfaen"], "Torfaen officer")
    accounts.add("reviewer", PASSWORD, "reviewer", [], "WG reviewer")
    with serve(create_app(site, seed=False).server) as url:
        clients = {name: DashClient(url) for name in ("officer", "spare", "reviewer", "anonymous")}
        for name in ("officer", "spare", "reviewer"):
            assert clients[name].sign_in(name, PASSWORD).status_code == 303
        yield clients, SubmissionStore(site)


def submit(client: DashClient, data: bytes = SMALL, lang: str = "en", **changes):
    values = upload_values(upload_payload(data), "cardiff-2024-25.csv", "cardiff", "2024-25",
                           explanations=changes.pop("explanations", EXPLAINED), lang=lang) | changes
    response = client.callback("..up-receipt.children", values)
    assert response.status_code == 200 and not fell_back(response), response.text[:300]
    return response


def table_rows(response, table_id: str) -> dict[str, str]:
    """{first cell: second cell} of each body row of the two-column table ``table_id`` in a response."""
    body = find_prop(response.json(), "id", table_id)["children"][-1]["props"]["children"]
    return {row["props"]["children"][0]["props"]["children"]: row["props"]["children"][1]["props"]["children"]
            for row in body}


def test_each_group_of_warnings_shows_its_text_and_rows_and_asks_for_an_explanation(browsers):
    clients, _ = browsers
    for lang, label in (("en", f"Your explanation (at least {MIN_EXPLANATION_CHARS} characters)"),
                        ("cy", f"Eich esboniad ({MIN_EXPLANATION_CHARS} nod o leiaf)")):
        checked = clients["officer"].callback("up-report.children", upload_values(
            upload_payload(SMALL), "cardiff-2024-25.csv", "cardiff", "2024-25", lang=lang))
        shown = text_of(checked)
        boxes = [find_prop(checked.json(), "id", {"type": "up-explain", "key": key}) for key in GROUPS]
        assert all(box.get("required") for box in boxes), boxes  # one field per group, both there
        assert shown.count(label) == 2
        if lang == "en":
            assert "Text read as a status: spreadsheet rows 5." in shown
            assert ("More than 50% up or down on the body's figure for the year before: "
                    "Waste 2024-25, -72% on 2023-24 (1,786.6 to 500.0 tCO2e).") in shown
        else:
            assert "Testun wedi'i ddarllen fel statws: rhesi'r daenlen 5." in shown
            assert "Gwastraff 2024-25, -72% o'i gymharu â 2023-24 (1,786.6 i 500.0 tCO2e)." in shown


@pytest.mark.parametrize("explanations", [
    {},  # nothing written
    {"status_from_cell": EXPLAINED["status_from_cell"]},  # one group left out
    {**EXPLAINED, "stored:change": "ok"},  # too short to say anything
])
def test_a_warning_not_explained_stops_the_submission_and_stores_nothing(browsers, explanations):
    clients, store = browsers
    before = len(store.submissions())
    shown = text_of(submit(clients["officer"], explanations=explanations))
    assert "The return was not submitted" in shown and "Return submitted" not in shown
    assert len(store.submissions()) == before


@pytest.mark.parametrize("missing", ["up-approved-by.value", "up-approver-role.value"])
def test_the_declaration_needs_the_approver_s_name_and_role(browsers, missing):
    clients, store = browsers
    before = len(store.submissions())
    shown = text_of(submit(clients["officer"], **{missing: "  "}))
    assert "The return was not submitted" in shown
    assert len(store.submissions()) == before


def test_a_declared_explained_return_gets_a_receipt_with_totals_worked_out_by_hand(browsers):
    clients, store = browsers
    response = submit(clients["officer"])
    shown = text_of(response)
    stored = store.submissions()[-1]
    assert stored.reference == "CARDIFF-2024-25-01"  # Cardiff's first 2024-25 submission
    assert stored.declaration == {"approved_by": "Jo Bloggs", "approver_role": "Director of Resources"}
    assert {w["key"]: w["explanation"] for w in stored.warnings} == EXPLAINED
    assert "Return submitted: CARDIFF-2024-25-01" in shown
    assert "1 July 2026, 14:52 British Summer Time" in shown  # 13:52 UTC, to the minute, in London time
    assert "Approved by Jo Bloggs Approver's role Director of Resources" in shown
    assert "Cardiff officer (officer)" in shown
    assert stored.sha256 in shown and "cardiff-2024-25.csv" in shown
    by_category = table_rows(response, "rc-totals-0-categories")
    # Buildings 7,000.0 + 8,000.0; waste 500.0; commuting "N/A": not reported, never 0; total 15,500.0.
    assert by_category["Buildings"] == "15,000.0" and by_category["Waste"] == "500.0"
    assert by_category["Commuting"] == "not reported" and by_category["Fleet"] == "not reported"
    assert by_category["Total"] == "15,500.0"
    by_scope = table_rows(response, "rc-totals-0-scopes")
    # Gas is scope 1, electricity scope 2, waste scope 3.
    assert by_scope == {"Scope 1": "8,000.0", "Scope 2": "7,000.0", "Scope 3": "500.0"}
    for text in EXPLAINED.values():
        assert text in shown
    # The receipt took the Submit button's place: there is nothing left to click twice.
    assert find_prop(response.json(), "id", "up-submit") == {}
    assert response.json()["response"]["up-submit-area"]["children"] == []


def test_the_same_file_again_is_refused_naming_the_receipt_it_already_has(browsers):
    clients, store = browsers
    submit(clients["officer"])
    first = store.submissions()[-1]
    again = submit(clients["officer"])  # what a second click, or the same file chosen again, sends
    shown = text_of(again)
    assert first.reference in shown and "Return submitted" not in shown
    link = find_prop(again.json(), "id", "up-duplicate-link")
    assert link["href"] == f"/receipt/{first.submission_id}?lang=en"
    assert store.submissions()[-1].submission_id == first.submission_id  # still one


def test_the_receipt_page_in_welsh_has_the_reference_local_time_and_totals(browsers):
    clients, store = browsers
    submit(clients["officer"], lang="cy")
    stored = store.submissions()[-1]
    shown = text_of(clients["officer"].page(f"/receipt/{stored.submission_id}", "?lang=cy"))
    assert "Derbynneb CARDIFF-2024-25-01" in shown
    assert "1 Gorffennaf 2026, 14:52 Amser Haf Prydain" in shown
    assert "Adeiladau" in shown and "15,000.0" in shown and "heb ei adrodd" in shown
    assert "Cymeradwywyd gan Jo Bloggs Rôl y cymeradwywr Director of Resources" in shown and stored.sha256 in shown


def test_the_receipt_page_is_for_those_who_may_see_the_submission(browsers):
    clients, store = browsers
    submit(clients["officer"])
    stored = store.submissions()[-1]
    path = f"/receipt/{stored.submission_id}"
    assert "Receipt CARDIFF-2024-25-01" in text_of(clients["officer"].page(path))
    assert "Receipt CARDIFF-2024-25-01" in text_of(clients["reviewer"].page(path))
    for who in ("spare", "anonymous"):  # another body's submitter; someone not signed in
        r = clients[who].page(path)
        assert "There is no receipt at this address that your account can see" in text_of(r)
        assert stored.reference not in r.text and "Jo Bloggs" not in r.text and stored.sha256 not in r.text
    nowhere = text_of(clients["officer"].page("/receipt/s20990101T000000000000-00000000"))
    assert "There is no receipt at this address that your account can see" in nowhere


def test_submit_is_disabled_while_the_submission_is_on_its_way(browsers):
    """Dash disables the button from the click until the answer comes (the browser test clicks twice)."""
    clients, _ = browsers
    spec = next(d for d in clients["officer"].deps() if d["output"].startswith("..up-receipt.children"))
    assert spec["running"] == {"running": {"up-submit.disabled": True}, "runningOff": {"up-submit.disabled": False}}
