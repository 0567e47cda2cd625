"""The review cycle's rules, in one place: what must be explained and declared before a return is stored,
which decisions may follow which, and what a reviewer sees of a submission.

The web pages and the ``decarb`` command call only these functions:

- :func:`warnings_to_explain` groups what a return's check warned about: the
  validation report's warnings by their code (``column_unknown`` ...) and the checks
  of the new figures against the stored ones (:func:`decarb_dashboard.peers.checks_against_stored`)
  by their kind (``stored:peer_range``, ``stored:change``). The submitter writes ONE
  explanation per group (at least :data:`MIN_EXPLANATION_CHARS` characters), not one
  per row: ten unknown columns are one thing to explain.
- :func:`submit_return` refuses a return that is not valid, has a group unexplained,
  has no declaration (the senior officer who approved it and their role), or is a
  file already stored for the same bodies and years; else it stores it with its
  declaration and explained warnings.
- :func:`decide` makes one move of ``uploads_schema/vocabulary/review_transitions.csv``
  (accept, query, reopen, reply, withdraw), checking who may make it and that a
  message is given where one is required.

Every refusal is a :class:`ReturnRefused` whose :meth:`ReturnRefused.reason` says
what went wrong and how to put it right, in the reader's language (the ``reasons``
catalogue, keys ``refused_<code>``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from decarb_dashboard import accounts, reasons
from decarb_dashboard.peers import checks_against_stored
from decarb_dashboard.report import ValidationReport
from decarb_dashboard.store import (
    DuplicateSubmission,
    StatusChanged,
    StoreError,
    StoreFull,
    Submission,
    SubmissionStore,
)
from uploads_schema import i18n
from uploads_schema.vocabulary import ReviewTransition, vocabulary

log = logging.getLogger(__name__)
#: An explanation shorter than this (after trimming) does not explain anything.
MIN_EXPLANATION_CHARS = 10
#: Longer explanations, messages and declarations are refused rather than cut.
MAX_TEXT_CHARS = 2000
MAX_DECLARATION_CHARS = 200
#: The prefix of the keys of the checks against stored figures (``stored:peer_range``, ``stored:change``).
STORED_PREFIX = "stored:"
#: Rows named in a group's sentence; the rest are counted.
ROWS_NAMED = 10


class ReturnRefused(Exception):
    """A return or a decision the review cycle refuses; ``code`` says which rule, ``reason(lang)`` says it in words."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.reason("en"))

    @property
    def groups(self) -> tuple[str, ...]:
        """The keys of the warning groups still unexplained (code ``unexplained``), else empty."""
        return tuple(g.key for g in self.params.get("groups", ()))

    def reason(self, lang: str = "en") -> str:
        """Return what was refused and how to put it right, in ``lang`` (actions, statuses and groups named in it)."""
        said = dict(self.params)
        if "groups" in said:
            said["groups"] = "; ".join(g.name(lang) for g in self.params["groups"])
        if "action" in said:
            said["action"] = action_name(str(said["action"]), lang)
        if "allowed" in said:
            said["allowed"] = ", ".join(action_name(a, lang) for a in self.params["allowed"]) or "-"
        if "status" in said:
            said["status"] = status_name(str(said["status"]), lang)
        return reasons.text("refused_" + self.code, lang, **said)


def action_name(action: str, lang: str = "en") -> str:
    """Return a review action's verb (accept, query ...) in ``lang``; an unknown one as given."""
    return reasons.text("action_" + action, lang) if action in vocabulary().review_actions() else action


def status_name(status: str, lang: str = "en") -> str:
    """Return a submission status's name in ``lang`` (the dashboard's words, ``review_<status>``)."""
    return i18n.gettext("web", "review_" + status, lang) if status in vocabulary().submission_statuses else status


# ---- what the submitter must explain -------------------------------------------------------------
@dataclass(frozen=True)
class WarningToExplain:
    """One group of warnings the submitter explains once: an issue code, or a kind of check against stored figures.

    ``key`` is the issue code (``column_unknown``) or ``stored:<kind>``; ``count`` how
    many warnings the group has; ``rows`` the spreadsheet rows of those listed (empty
    for the checks against stored figures, which are per category); ``details`` what
    the sentence names (the first issue's message, or each category's figures).
    """

    key: str
    count: int
    rows: tuple[int, ...]
    details: tuple[tuple[tuple[str, object], ...], ...] = ()

    def name(self, lang: str = "en") -> str:
        """Return the group's short name (an issue's title), for a list of what is still unexplained."""
        if self.key.startswith(STORED_PREFIX):
            return reasons.text("explain_name_" + self.key.removeprefix(STORED_PREFIX), lang)
        return i18n.gettext("messages", f"{self.key}.title", lang)

    def text(self, lang: str = "en") -> str:
        """Return one sentence: what these warnings say and where, in ``lang``."""
        if self.key == STORED_PREFIX + "peer_range":
            items = "; ".join(reasons.text("explain_item_peer_range", lang, category=_category(d["category"], lang),
                                           year=d["reporting_year"], ratio=f"{d['ratio']:,.1f}",
                                           median=f"{d['peer_median_tco2e']:,.1f}")
                              for d in map(dict, self.details))
            return reasons.text("explain_peer_range", lang, items=items)
        if self.key == STORED_PREFIX + "change":
            items = "; ".join(reasons.text("explain_item_change", lang, category=_category(d["category"], lang),
                                           year=d["reporting_year"], pct=f"{d['change_pct']:+.0f}",
                                           previous=d["previous_year"], before=f"{d['before_tco2e']:,.1f}",
                                           now=f"{d['now_tco2e']:,.1f}")
                              for d in map(dict, self.details))
            return reasons.text("explain_change", lang, items=items)
        title = i18n.gettext("messages", f"{self.key}.title", lang)
        if not self.rows:
            return reasons.text("explain_issue", lang, title=title, count=self.count)
        rows = ", ".join(str(r) for r in self.rows[:ROWS_NAMED])
        if self.count > ROWS_NAMED or self.count > len(self.rows):
            return reasons.text("explain_issue_some_rows", lang, title=title, count=self.count, rows=rows)
        return reasons.text("explain_issue_rows", lang, title=title, rows=rows)

    def stored(self, explanation: str) -> dict:
        """Return the group as the store keeps it: key, count, rows, its text in every language, the explanation."""
        return {"key": self.key, "count": self.count, "rows": list(self.rows),
                "text": {lang: self.text(lang) for lang in i18n.languages()}, "explanation": explanation}


def _category(category_id: str, lang: str) -> str:
    term = vocabulary().categories.get(category_id)
    return term.name(lang) if term else category_id


def warnings_to_explain(report: ValidationReport, engine) -> list[WarningToExplain]:
    """Return the groups of warnings of a valid return the submitter must explain, one explanation per group.

    The report's warnings grouped by issue code (in the order they first appear), then
    :func:`decarb_dashboard.peers.checks_against_stored` against ``engine``'s stored figures
    grouped by kind (``stored:peer_range``, ``stored:change``). ``count`` is every warning of
    the code, listed or not; ``rows`` the rows of those the report lists.
    """
    groups: dict[str, list[int]] = {}
    for issue in report.warnings:
        groups.setdefault(issue.code, [])
        if issue.row is not None:
            groups[issue.code].append(int(issue.row))
    out = [WarningToExplain(code, int(report.counts.get(code, len(rows))), tuple(sorted(set(rows))))
           for code, rows in groups.items()]
    if report.lines is not None and not report.lines.empty:
        checks = checks_against_stored(report.lines, engine.categories, engine.registry)
        for kind in ("peer_range", "change"):
            found = checks[checks["kind"] == kind]
            if found.empty:
                continue
            fields = ["category", "reporting_year", "ratio", "peer_median_tco2e"] if kind == "peer_range" else \
                ["category", "reporting_year", "change_pct", "previous_year", "before_tco2e", "now_tco2e"]
            details = tuple(tuple((f, _plain(getattr(r, f))) for f in fields)
                            for r in found.itertuples(index=False))
            out.append(WarningToExplain(STORED_PREFIX + kind, len(found), (), details))
    return out


def _plain(value: object) -> object:
    """A value as JSON keeps it (numpy numbers as Python ones)."""
    return value.item() if hasattr(value, "item") else value


# ---- submitting ----------------------------------------------------------------------------------
def _clean_declaration(declaration: dict | None) -> dict:
    declaration = declaration if isinstance(declaration, dict) else {}
    approved_by = str(declaration.get("approved_by") or "").strip()
    role = str(declaration.get("approver_role") or "").strip()
    if not approved_by or not role:
        raise ReturnRefused("no_declaration")
    if len(approved_by) > MAX_DECLARATION_CHARS or len(role) > MAX_DECLARATION_CHARS:
        raise ReturnRefused("declaration_too_long", max=MAX_DECLARATION_CHARS)
    return {"approved_by": approved_by, "approver_role": role}


def submit_return(store: SubmissionStore, engine, report: ValidationReport, raw: bytes, *, submitted_by: str,
                  file_name: str | None, explanations: dict[str, str], declaration: dict) -> Submission:
    """Store a checked return with its declaration and an explanation of each group of warnings.

    ``explanations`` maps each :class:`WarningToExplain` key to the submitter's words;
    ``declaration`` is ``{"approved_by": name, "approver_role": role}``. Raises
    :class:`ReturnRefused` (nothing stored) with code ``not_valid``, ``no_declaration``,
    ``declaration_too_long``, ``unexplained`` (naming the groups), ``explanation_too_long``,
    ``duplicate`` (naming the stored submission's reference and id) or ``disk_full``.
    """
    if not report.valid or report.lines is None:
        raise ReturnRefused("not_valid")
    clean = _clean_declaration(declaration)
    explanations = {k: str(v).strip() for k, v in (explanations or {}).items() if isinstance(v, str)}
    groups = warnings_to_explain(report, engine)
    missing = [g for g in groups if len(explanations.get(g.key, "")) < MIN_EXPLANATION_CHARS]
    if missing:
        raise ReturnRefused("unexplained", groups=tuple(missing), min=MIN_EXPLANATION_CHARS)
    if any(len(explanations[g.key]) > MAX_TEXT_CHARS for g in groups):
        raise ReturnRefused("explanation_too_long", max=MAX_TEXT_CHARS)
    try:
        submission_id = store.submit(report.lines, raw, submitted_by=submitted_by, file_name=file_name,
                                     declaration=clean, warnings=[g.stored(explanations[g.key]) for g in groups])
    except DuplicateSubmission as exc:
        raise ReturnRefused("duplicate", reference=exc.reference, submission_id=exc.submission_id) from exc
    except StoreFull as exc:
        raise ReturnRefused("disk_full") from exc
    submission = store.submission(submission_id)
    _announce("submitted", submission, submitted_by, None)
    return submission


# ---- deciding ------------------------------------------------------------------------------------
def transitions_from(status: str) -> list[ReviewTransition]:
    """Return the moves allowed from ``status`` (``review_transitions.csv``), in file order."""
    return [t for t in vocabulary().review_transitions if t.from_status == status]


def _may(account: accounts.Account, transition: ReviewTransition, s: Submission) -> bool:
    """Whether a signed-in account may make ``transition`` on ``s``: a reviewer, or a submitter of every body in it."""
    permission = "review" if transition.who == "reviewer" else "submit"
    return all(accounts.allowed(account, permission, org) for org in s.organisations)


def decide(store: SubmissionStore, submission_id: str, action: str, *, actor: str | accounts.Account,
           message: str | None = None) -> Submission:
    """Make one move of the review cycle on a submission and return it as it now stands.

    ``action`` is one of ``review_transitions.csv`` (accept, query, reopen, reply,
    withdraw) allowed from the submission's status. ``actor`` is the signed-in
    :class:`~decarb_dashboard.accounts.Account` (its role and bodies are checked against
    the move's ``who``), or a name: the command line, run by whoever may open the data
    directory, is trusted to act for either side. Raises :class:`ReturnRefused` with code
    ``unknown_submission``, ``not_allowed``, ``not_permitted``, ``message_required``,
    ``message_too_long`` or ``status_changed`` (someone decided first); nothing changes then.
    """
    try:
        s = store.submission(submission_id if isinstance(submission_id, str) else "")
    except StoreError as exc:
        raise ReturnRefused("unknown_submission", submission_id=submission_id) from exc
    possible = [t for t in transitions_from(s.status) if t.action == action]
    if not possible:
        raise ReturnRefused("not_allowed", action=action, status=s.status,
                            allowed=tuple(t.action for t in transitions_from(s.status)))
    if isinstance(actor, accounts.Account):
        possible = [t for t in possible if _may(actor, t, s)]
        if not possible:
            raise ReturnRefused("not_permitted", action=action)
        name = actor.username
    else:
        name = str(actor)
    transition = possible[0]
    message = message.strip() if isinstance(message, str) and message.strip() else None
    if transition.message_required and message is None:
        raise ReturnRefused("message_required", action=action)
    if message is not None and len(message) > MAX_TEXT_CHARS:
        raise ReturnRefused("message_too_long", max=MAX_TEXT_CHARS)
    try:
        store.change_status(s.submission_id, transition.to_status, actor=name, action=transition.action,
                            from_status=s.status, message=message)
    except StatusChanged as exc:
        raise ReturnRefused("status_changed", submission_id=s.submission_id) from exc
    decided = store.submission(s.submission_id)
    _announce(transition.event, decided, name, message)
    return decided


def _announce(event: str, submission: Submission, actor: str, message: str | None) -> None:
    """Tell the people concerned of a step of the cycle (``event``: submitted, queried, accepted, reopened,
    replied, withdrawn).

    The one place the cycle's events leave this module. E-mail (``decarb_dashboard.notify``)
    is connected here; it never raises and never blocks, and nor may this.
    """
    log.info("review event %s: %s (%s) by %s%s", event, submission.reference, submission.submission_id, actor,
             f": {message}" if message else "")

