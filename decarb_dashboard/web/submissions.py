"""How a body's submissions are shown: the table of them and the review thread.

Shared by the upload page (a body's own history) and the review page (Welsh Government's).
"""

from __future__ import annotations

import pandas as pd
from dash import html

from decarb_dashboard.sample import SAMPLE_USER, display_name
from decarb_dashboard.store import Submission, SubmissionStore
from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import local_time, table
from decarb_dashboard.web.i18n import t


def may_see(s: Submission) -> bool:
    """Whether this request may see submission ``s`` at all: its lines, status, messages and thread.

    The one rule for every view of a submission (a body's history, the review page):
    drafts of every body it covers must be readable, so a submission shared with a
    body one does not work for, and the reviewers' messages about it, stay hidden.
    """
    return all(auth.allowed("read_drafts", o) for o in s.organisations)


def submitter_name(username: str, lang: str, full: bool = True) -> str:
    """Who submitted (or decided), as a reader is told: "Full name (username)" of the account (``full``), else
    or if the account has gone the username, and the sample loader's and the demo accounts' names in ``lang``
    (stored in English)."""
    if username == SAMPLE_USER:
        return t("submitter_sample", lang)
    if not full:
        return username
    account = auth.account_store().get(username)
    if account is None or not account.display_name:
        return username
    return f"{display_name(account, lang)} ({username})"


def visible(entries: list[Submission]) -> list[Submission]:
    """The submissions of ``entries`` this request may see (see :func:`may_see`), in the same order."""
    return [s for s in entries if may_see(s)]


def submissions_table(entries: list[Submission], lang: str, block: str) -> html.Div:
    """The submissions newest first: who sent them, when, for which bodies and years, and their review status."""
    frame = pd.DataFrame(
        [
            {
                t("col_reference", lang): s.reference or s.submission_id,
                t("col_body", lang): ", ".join(data.matcher().name(o, lang, short=True) for o in s.organisations),
                t("col_submitted_local", lang): local_time(s.submitted_at, lang),
                t("col_submitted_by", lang): submitter_name(s.submitted_by, lang),
                t("col_year", lang): ", ".join(s.reporting_years),
                t("col_lines", lang): s.line_count,
                t("col_status", lang): t(f"review_{s.status}", lang)
                + (f": {s.status_message}" if s.status_message else ""),
            }
            for s in reversed(entries)
        ]
    )
    return html.Div(table(frame, t("history_title", lang), block))


def thread_text(entry: dict, reference: str, lang: str) -> str:
    """What one entry of the audit log did, in words: "submitted CARDIFF-2024-25-03", "queried ...", "reopened ..."."""
    if entry["action"] == "submit":
        return t("thread_submit", lang, id=reference)
    if entry["action"] == "status":  # a decision recorded before the review transitions had names
        return t(f"thread_status_{entry['status']}", lang, id=reference)
    return t(f"thread_action_{entry['action']}", lang, id=reference)


def review_thread(store: SubmissionStore, entries: list[Submission], lang: str) -> html.Div:
    """Every submission and review decision of these submissions, oldest first, as a conversation
    (times in UK time to the minute, each submission by its reference)."""
    shown = visible(entries)
    references = {s.submission_id: s.reference or s.submission_id for s in shown}
    log = store.audit_log(list(references))
    items = [
        html.Li(
            [
                html.Strong(f"{local_time(e['at'], lang)}, {submitter_name(e['actor'], lang, full=False)}: "),
                thread_text(e, references.get(e["submission_id"], e["submission_id"]), lang),
                *([html.Blockquote(e["message"])] if e["action"] != "submit" and e["message"] else []),
            ]
        )
        for e in log
    ]
    return html.Div([html.H2(t("thread_title", lang)), html.Ol(items, className="thread")], id="review-thread")
