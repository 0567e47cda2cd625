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

import json
import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from decarb_dashboard import accounts, deadlines, measures, notify, peers, reasons, rollups, years
from decarb_dashboard.compare import json_ready
from decarb_dashboard.memo import per_object
from decarb_dashboard.normalise import normalise
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
    _announce("submitted", submission, submitted_by, None, store=store)
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

    ``submission_id`` may be the reference. ``action`` is one of ``review_transitions.csv``
    (accept, query, reopen, reply, withdraw) allowed from the submission's status. ``actor`` is the signed-in
    :class:`~decarb_dashboard.accounts.Account` (its role and bodies are checked against
    the move's ``who``), or a name: the command line, run by whoever may open the data
    directory, is trusted to act for either side. Raises :class:`ReturnRefused` with code
    ``unknown_submission``, ``not_allowed``, ``not_permitted``, ``message_required``,
    ``message_too_long`` or ``status_changed`` (someone decided first); nothing changes then.
    """
    try:
        s = store.find(submission_id if isinstance(submission_id, str) else "")
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
    _announce(transition.event, decided, name, message, store=store)
    return decided


def _announce(event: str, submission: Submission, actor: str, message: str | None, *,
              store: SubmissionStore | None = None) -> None:
    """Tell the people concerned of a step of the cycle (``event``: submitted, queried, accepted, reopened,
    replied, withdrawn).

    The one place the cycle's events leave this module. E-mail (``decarb_dashboard.notify``)
    is connected here; it never raises and never blocks, and nor may this.
    """
    log.info("review event %s: %s (%s) by %s%s", event, submission.reference, submission.submission_id, actor,
             f": {message}" if message else "")
    notify.notify(event, submission, actor=actor, message=message, store=store)


# ---- what the reviewer sees ------------------------------------------------------------------------
#: The columns of :func:`queue`'s rows, in order.
QUEUE_COLUMNS = ["submission_id", "reference", "organisation_id", "reporting_year", "status", "submitted_at",
                 "submitted_by", "late", "quality_flag_count", "warning_count", "total_tco2e", "previous_total_tco2e",
                 "change_on_last_year_pct"]
#: The columns of :func:`body_statuses`.
BODY_STATUS_COLUMNS = ["organisation_id", "status", "late", "deadline", "submission_id", "reference"]
#: A body-year's status on the Wales page: its current return's, or not submitted.
NOT_SUBMITTED = "not_submitted"
#: The metric a submission's peer range is worked out on (``metrics.csv``): total tCO2e.
PEER_RANGE_METRIC = "total"


def _number(value: object) -> float | None:
    """A figure as JSON keeps it: None for missing (never 0), Python float otherwise."""
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class _Totals:
    """A return's figures as the engine works them out: category table, facts, factor warnings."""

    categories: pd.DataFrame
    facts: pd.DataFrame
    factor_warnings: list  # each a Reason (normalise's warnings), said in the reader's language by review_view

    def as_json(self) -> dict:
        """``{total_tco2e, by_category {category: tCO2e | null}, by_scope {"1", "2", "3", "unsplit"}}``.

        The total is gross of land over the reported categories (as ``decarb compare``'s);
        a category not reported, or not computed, is null, never 0; each scope sums the
        lines of the reported categories (land left out), ``unsplit`` the category totals
        that were not split by scope.
        """
        reported = self.categories[self.categories["status"] == "reported"]
        cells = dict(zip(reported["category"].astype(str), reported["tco2e"], strict=True))
        by_category = {c.id: _number(cells.get(c.id)) for c in vocabulary().ordered_categories()}
        t = measures.totals(self.categories)
        total = _number(t["total_tco2e"].iloc[0]) if len(t) else None
        facts = self.facts[self.facts["category"].astype(str).isin(set(cells))]
        scopes = measures.scope_totals(facts)
        per_scope = dict(zip(scopes["scope"].astype(int), scopes["tco2e"], strict=True))
        by_scope = {str(n): _number(per_scope.get(n)) for n in (1, 2, 3)} | {"unsplit": _number(per_scope.get(0))}
        return {"total_tco2e": total, "by_category": by_category, "by_scope": by_scope}


def _totals_of(lines: pd.DataFrame, factors: pd.DataFrame) -> _Totals:
    facts, warnings = normalise(lines, factors)
    return _Totals(measures.category_table(facts), facts, list(warnings["message"]))


def submission_totals(store: SubmissionStore, engine, submission_id: str) -> dict[tuple[str, str], dict]:
    """Return {(body, year): totals} of every return in a submission, as ``review_view``'s ``totals`` of each.

    The submission's lines are read and normalised once, not once per body and year (a receipt
    shows every return of its file); ``engine`` gives the factors.
    """
    lines = store.lines(submission_id)
    facts, _warnings = normalise(lines, engine.factors)
    categories = measures.category_table(facts)
    out = {}
    for org, year in sorted(lines[["organisation_id", "reporting_year"]].astype(str).drop_duplicates()
                            .itertuples(index=False, name=None)):
        mine = (categories["organisation_id"].astype(str) == org) & (categories["reporting_year"].astype(str) == year)
        own = (facts["organisation_id"].astype(str) == org) & (facts["reporting_year"].astype(str) == year)
        out[(org, year)] = json_ready(_Totals(categories[mine.to_numpy()], facts[own.to_numpy()], []).as_json())
    return out


def _line_key(r) -> tuple[str, str | None, int | None]:
    """A line's (category, source, scope): how two versions' lines are matched (as ``SubmissionStore.diff`` does)."""
    return (str(r.category), None if pd.isna(r.source) else str(r.source), None if pd.isna(r.scope) else int(r.scope))


def _per_line(facts: pd.DataFrame) -> dict[tuple, float | None]:
    """tCO2e per (category, source, scope) line: the reported figure, else the computed one; None without either."""
    out: dict[tuple, float | None] = {}
    for r in facts.itertuples(index=False):
        key = _line_key(r)
        value = _number(r.emissions_tco2e)
        out[key] = value if out.get(key) is None else (out[key] + value if value is not None else out[key])
    return out


def _changes(store: SubmissionStore, engine, before_id: str, s: Submission, org: str, year: str,
             now: _Totals) -> dict:
    """What changed from version ``before_id`` to ``s``, line by line, with the figures as the engine counts them."""
    diff = store.diff(before_id, s.submission_id, org, year)
    before = _totals_of(store.lines(before_id, org, year), engine.factors)
    old, new = _per_line(before.facts), _per_line(now.facts)
    changes = []
    for r in diff.itertuples(index=False):
        key = _line_key(r)
        changes.append({"category": key[0], "source": key[1], "scope": key[2], "change": r.change,
                        "before_tco2e": old.get(key) if r.change != "added" else None,
                        "after_tco2e": new.get(key) if r.change != "removed" else None})
    reference = store.submission(before_id).reference
    return {"previous_submission_id": before_id, "previous_reference": reference, "changes": changes,
            "totals_before": before.as_json()}


def _flags_of_year(engine, year: str) -> pd.DataFrame:
    """Every body's quality flags in ``year``, worked out once per engine (the pages' cache: ``peers.year_flags``)."""
    return peers.year_flags(engine, year)


def _peer_range(engine, org: str, year: str, value: float | None) -> dict:
    """Where a total stands among the other bodies of its type in ``year`` (their current returns)."""
    group, members = peers.peer_bodies(engine.registry, org, "type")
    v = engine.values
    others = v[(v["metric"] == PEER_RANGE_METRIC) & (v["reporting_year"] == year) & v["value"].notna()
               & v["organisation_id"].astype(str).isin(set(members) - {org})]
    figures = np.sort(others["value"].to_numpy(dtype=float))
    out = {"group": group, "n": len(figures), "q1_tco2e": None, "median_tco2e": None, "q3_tco2e": None,
           "value_tco2e": value, "rank": None, "quartile": None}
    if len(figures):
        out["q1_tco2e"], out["median_tco2e"], out["q3_tco2e"] = peers.quartiles(figures)
        if value is not None:
            place = peers.standing(value, figures, member=False)
            out["rank"], out["quartile"] = place["rank"], place["quartile"]
    return out


def _first_submitted_at(history: list[Submission]) -> str | None:
    times = [h.submitted_at for h in history if h.status != "withdrawn"]
    return min(times) if times else None


def review_view(store: SubmissionStore, engine, submission_id: str, organisation_id: str | None = None,
                reporting_year: str | None = None, lang: str = "en") -> dict:
    """Return everything a reviewer needs of one body-year of a submission (``decarb review show --json``).

    ``engine`` is over every current return (:meth:`Engine.from_store` without
    ``accepted_only``): the previous year, the peers and the quality flags come from it;
    ``lang`` is the language of the factor warnings.
    ``submission_id`` may be the submission's reference (``CARDIFF-2024-25-03``);
    ``organisation_id`` and ``reporting_year`` default to the submission's first. Keys:
    ``submission_id, reference, organisation_id, reporting_year, status, status_message,
    submitted_at, submitted_by, file_name, sha256, deadline, late, totals, previous_year,
    changes_vs_previous_version, peer_range, quality_flags, factor_warnings, warnings,
    declaration, thread`` (``docs/store.md`` describes each). Quality flags are those of
    the body-year while this submission is its current return (else an empty list).
    Raises :class:`ReturnRefused` (``unknown_submission``, ``not_part``).
    """
    try:
        s = store.find(submission_id if isinstance(submission_id, str) else "")
    except StoreError as exc:
        raise ReturnRefused("unknown_submission", submission_id=submission_id) from exc
    org = organisation_id or s.organisations[0]
    year = reporting_year or s.reporting_years[0]
    try:
        lines = store.lines(s.submission_id, org, year)
    except StoreError as exc:
        raise ReturnRefused("not_part", submission_id=s.submission_id, organisation_id=org,
                            reporting_year=year) from exc
    now = _totals_of(lines, engine.factors)
    totals = now.as_json()
    previous_year = years.previous(year)
    before_lines = store.current_lines(org, previous_year)
    previous = None if before_lines.empty else {"reporting_year": previous_year,
                                                **_totals_of(before_lines, engine.factors).as_json()}
    before_id = store.previous_version(s.submission_id, org, year)
    history = store.history(org, year)
    current = store.current_parts(org)
    is_current = bool(((current["reporting_year"] == year) & (current["submission_id"] == s.submission_id)).any())
    flags = []
    if is_current:
        found = _flags_of_year(engine, year)
        found = peers.with_details(found[found["organisation_id"] == org])  # worded for this body's alone
        flags = [{k: v for k, v in row.items() if k not in ("organisation_id", "reporting_year")}
                 for row in json_ready(found.to_dict("records"))]
        flags = [{k: v for k, v in f.items() if v is not None or k in ("category", "source")} for f in flags]
    references = {h.submission_id: h.reference for h in history}
    thread = [{**e, "reference": references.get(e["submission_id"])}
              for e in store.audit_log([h.submission_id for h in history])]
    return json_ready({
        "submission_id": s.submission_id, "reference": s.reference, "organisation_id": org, "reporting_year": year,
        "status": s.status, "status_message": s.status_message, "submitted_at": s.submitted_at,
        "submitted_by": s.submitted_by, "file_name": s.file_name, "sha256": s.sha256,
        "deadline": deadlines.deadline(year).isoformat(),
        "late": deadlines.is_late(year, _first_submitted_at(history), store.history_until()),
        "totals": totals, "previous_year": previous,
        "changes_vs_previous_version": None if before_id is None else _changes(store, engine, before_id, s, org,
                                                                               year, now),
        "peer_range": _peer_range(engine, org, year, totals["total_tco2e"]),
        "quality_flags": flags, "factor_warnings": [str(reasons.said(m, lang)) for m in now.factor_warnings],
        "warnings": [dict(w) for w in s.warnings], "declaration": s.declaration, "thread": thread,
    })


def queue(store: SubmissionStore, engine, *, status: str | None = None, sector: str | None = None,
          flagged: bool | None = None) -> list[dict]:
    """Return the review queue: one row per (submission, body, year) that is current or awaits review.

    Columns :data:`QUEUE_COLUMNS`, oldest submission first. ``status`` keeps one status;
    ``sector`` one body type; ``flagged`` True keeps the rows with quality flags, False
    those without (either leaves out the superseded rows, which have no count).
    ``quality_flag_count`` is of the body-year while the row is its current return (else
    null); ``warning_count`` the warnings the submitter explained; ``total_tco2e`` gross of
    land; ``previous_total_tco2e`` the body's current return of the year before;
    ``change_on_last_year_pct`` like for like over the categories reported in both years
    (null when none, or no previous year). ``engine`` is over every current return.

    The whole queue is worked out once per engine and store version (a decision changes the
    version), over the whole table at once; the filters then only choose among its rows.
    """
    rows = per_object(engine, ("review queue", str(store.root), store.version()), lambda: _queue_rows(store, engine))
    if sector is not None:
        types = engine.registry.set_index("id")["type"].astype(str).to_dict()
    return [dict(r) for r in rows
            if (status is None or r["status"] == status)
            and (sector is None or types.get(r["organisation_id"]) == sector)
            and (flagged is None or (r["quality_flag_count"] is not None and bool(r["quality_flag_count"]) == flagged))]


def _rounded(values: pd.Series) -> list[float | None]:
    """Figures as :func:`json_ready` gives them (Python floats rounded to 4 places, None for missing)."""
    return [None if v is None or v != v else round(v, 4) for v in values.astype(float).tolist()]


def _queue_rows(store: SubmissionStore, engine) -> list[dict]:
    """Every row of the queue, unfiltered, in :data:`QUEUE_COLUMNS` (see :func:`queue`)."""
    parts = store.review_parts()
    if parts.empty:
        return []
    parts = parts.reset_index(drop=True)
    previous_of = {y: years.previous(y) for y in parts["reporting_year"].unique()}
    parts["previous_year"] = parts["reporting_year"].map(previous_of)
    by_return = measures.totals(engine.categories)[["organisation_id", "reporting_year", "total_tco2e"]].astype(
        {"organisation_id": str, "reporting_year": str})
    parts = parts.merge(by_return, on=["organisation_id", "reporting_year"], how="left")
    parts = parts.merge(by_return.rename(columns={"reporting_year": "previous_year",
                                                  "total_tco2e": "previous_total_tco2e"}),
                        on=["organisation_id", "previous_year"], how="left")
    current = parts["current"].to_numpy()
    # the change on last year of every current row, over the engine's table in one pass
    changes = measures.like_for_like_pcts(engine.categories, parts.loc[current, [
        "organisation_id", "reporting_year", "previous_year"]].itertuples(index=False, name=None))
    change = [changes.get(k) for k in parts[["organisation_id", "reporting_year", "previous_year"]].itertuples(
        index=False, name=None)]
    flag_count: list[int | None] = [None] * len(parts)
    for year, rows in parts[current].groupby("reporting_year").groups.items():
        counts = _flags_of_year(engine, year)["organisation_id"].astype(str).value_counts()
        found = parts.loc[rows, "organisation_id"].map(counts).fillna(0).astype(int).tolist()
        for i, n in zip(rows.tolist(), found, strict=True):
            flag_count[i] = n
    total = _rounded(parts["total_tco2e"])
    for i in np.flatnonzero(~current).tolist():  # a superseded submission still awaiting review: its own figures
        r = parts.iloc[i]
        org, year, previous = r["organisation_id"], r["reporting_year"], r["previous_year"]
        own = _totals_of(store.lines(r["submission_id"], org, year), engine.factors)
        total[i] = json_ready(own.as_json()["total_tco2e"])
        c = engine.categories
        both = pd.concat([own.categories, c[(c["organisation_id"] == org) & (c["reporting_year"] == previous)]],
                         ignore_index=True)
        change[i] = measures.like_for_like(both, org, year, previous)["change_pct"]
    warning_counts = {w: sum(int(x.get("count", 0)) for x in json.loads(w)) if isinstance(w, str) and w else 0
                      for w in parts["warnings"].unique()}
    history = store.history_until()
    said: dict[tuple, bool] = {}  # the parts of one file share their first submission: each pair decided once
    late = []
    for y, first in zip(parts["reporting_year"], parts["first_submitted_at"], strict=True):
        first = first if isinstance(first, str) else None
        if (y, first) not in said:
            said[(y, first)] = deadlines.is_late(y, first, history)
        late.append(said[(y, first)])
    columns = {
        "submission_id": parts["submission_id"].tolist(), "reference": parts["reference"].tolist(),
        "organisation_id": parts["organisation_id"].tolist(), "reporting_year": parts["reporting_year"].tolist(),
        "status": parts["status"].tolist(), "submitted_at": parts["submitted_at"].tolist(),
        "submitted_by": parts["submitted_by"].tolist(), "late": late, "quality_flag_count": flag_count,
        "warning_count": [warning_counts[w] for w in parts["warnings"]], "total_tco2e": total,
        "previous_total_tco2e": _rounded(parts["previous_total_tco2e"]),
        "change_on_last_year_pct": [None if v is None or v != v else round(float(v), 4) for v in change],
    }
    return [dict(zip(QUEUE_COLUMNS, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def change_in_words(change: dict, lang: str = "en") -> str:
    """Say one line's change between versions in ``lang``, with the vocabulary's names.

    "Buildings, natural gas: 1,200.0 → 1,350.5 tCO2e"; "...: added, 30.0 tCO2e";
    "...: removed (was 12.0 tCO2e)". A line without a figure says so ("no figure").
    """
    v = vocabulary()
    category = v.categories.get(change["category"])
    name = category.name(lang) if category else str(change["category"])
    if change.get("source"):
        source = v.sources.get((change["category"], change["source"]))
        said = source.name(lang) if source else str(change["source"])
        if len(said) > 1 and said[1].islower():  # "Natural gas" -> "natural gas", but "LPG" stays
            said = said[0].lower() + said[1:]
        name = f"{name}, {said}"

    def figure(value: object) -> str:
        return reasons.text("change_words_no_figure", lang) if value is None else i18n.number(float(value), 1, lang)

    kind = change["change"]
    if kind == "added":
        return reasons.text("change_words_added", lang, line=name, after=figure(change.get("after_tco2e")))
    if kind == "removed":
        return reasons.text("change_words_removed", lang, line=name, before=figure(change.get("before_tco2e")))
    return reasons.text("change_words_changed", lang, line=name, before=figure(change.get("before_tco2e")),
                        after=figure(change.get("after_tco2e")))


def current_statuses(store: SubmissionStore, version: int, accepted_only: bool = False) -> pd.DataFrame:
    """:meth:`SubmissionStore.current_statuses`, read once per store, ``version`` and ``accepted_only``: every year's
    (50,000 returns at 5,000 bodies x 10 years), for the Wales page's column of each year shown and the public
    pages' marks alike, not once for each. Treat it as read-only."""
    return per_object(store, ("current statuses", version, accepted_only),
                      lambda: store.current_statuses(accepted_only=accepted_only))


def body_statuses(store: SubmissionStore, registry: pd.DataFrame, reporting_year: str) -> pd.DataFrame:
    """Return every expected body's status for ``reporting_year`` (the Wales page's column).

    Columns :data:`BODY_STATUS_COLUMNS`: ``status`` is its current return's (submitted,
    queried, accepted) or ``not_submitted``; ``late`` is a first submission after the
    deadline, or none yet once the deadline has passed; ``deadline`` the year's
    (:func:`decarb_dashboard.deadlines.deadline`); ``submission_id``, ``reference`` of the
    current return (null when none).
    """
    current = current_statuses(store, store.version())
    current = current[current["reporting_year"] == reporting_year].drop_duplicates("organisation_id")
    due = deadlines.deadline(reporting_year)
    overdue = deadlines.is_overdue(reporting_year)
    history = store.history_until()
    # every expected body at once: a merge, not a look-up per body
    out = pd.DataFrame({"organisation_id": rollups.expected_bodies(registry, reporting_year)}).merge(
        current[["organisation_id", "status", "first_submitted_at", "submission_id", "reference"]],
        on="organisation_id", how="left")
    has_return = out["status"].notna().to_numpy()
    out["late"] = [deadlines.is_late(reporting_year, first if isinstance(first, str) else None, history) if has
                   else overdue for has, first in zip(
        has_return, out["first_submitted_at"].astype(object).tolist(), strict=True)]
    out["status"] = out["status"].astype(object).where(has_return, NOT_SUBMITTED)
    out["deadline"] = due
    out = out[BODY_STATUS_COLUMNS]
    for column in ("submission_id", "reference"):  # null, not NaN, where there is no return
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out
