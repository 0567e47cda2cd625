"""Review: Welsh Government's queue of returns awaiting review, and the view of one return to decide on.

The queue and the view are :func:`decarb_dashboard.review.queue` and
:func:`decarb_dashboard.review.review_view` (the cycle's rules and figures live
there, once); this page only lays them out. The page is a function of its
address: the filters, the order and the chosen return are in the query string,
so every row of the queue, and "previous" / "next", is a link. Reviewers and
admins see every return; only reviewers decide, and the decision callback asks
the server-side rules again, whatever the page showed.
"""

from __future__ import annotations

import math
import urllib.parse

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import review
from decarb_dashboard.store import StoreError, Submission
from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import fmt, local_time, refused, table, table_block
from decarb_dashboard.web.controls import sector_name, sign_in_prompt
from decarb_dashboard.web.flags import flag_items
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.submissions import may_see, review_thread, submitter_name
from uploads_schema import i18n
from uploads_schema.vocabulary import vocabulary

#: The queue's status filter: the statuses a current return can have, and all of them.
STATUS_FILTERS = ("submitted", "queried", "accepted", "all")
FLAGGED_FILTERS = ("all", "flagged", "unflagged")
#: The queue's columns a reviewer may sort on, each with the row's value it sorts by.
SORTS = {
    "body": lambda r: data.matcher().name(r["organisation_id"], "en", short=True),
    "year": lambda r: r["reporting_year"],
    "reference": lambda r: r["reference"],
    "submitted_at": lambda r: r["submitted_at"],
    "submitted_by": lambda r: r["submitted_by"],
    "status": lambda r: r["status"],
    "late": lambda r: bool(r["late"]),
    "flags": lambda r: r["quality_flag_count"],
    "warnings": lambda r: r["warning_count"],
    "change": lambda r: r["change_on_last_year_pct"],
}
MAX_MESSAGE_CHARS = 2000
#: Rows of the queue shown at once, so that the chosen return's view is near; the page holding it is shown.
PAGE_ROWS = 20


def _may_decide(s: Submission) -> bool:
    return all(auth.allowed("review", o) for o in s.organisations)


def filters(status: object = None, sector: object = None, flagged: object = None, sort: object = None,
            order: object = None) -> dict[str, str]:
    """The queue's filters and order from the address (or the controls), anything unknown replaced by the default."""
    sectors = set(data.registry()["type"].astype(str))
    return {
        "status": status if status in STATUS_FILTERS else "submitted",
        "sector": sector if sector in sectors else "all",
        "flagged": flagged if flagged in FLAGGED_FILTERS else "all",
        "sort": sort if sort in SORTS else "submitted_at",
        "order": order if order in ("asc", "desc") else "asc",
    }


def queue_rows(f: dict[str, str]) -> list[dict]:
    """The queue (:func:`review.queue`) with the filters ``f``, in the order ``f`` asks for (oldest first by default).

    A missing figure (no change on last year) sorts last whichever way round.
    """
    rows = review.queue(
        data.store(), data.engine(drafts=True),
        status=None if f["status"] == "all" else f["status"],
        sector=None if f["sector"] == "all" else f["sector"],
        flagged=None if f["flagged"] == "all" else f["flagged"] == "flagged",
    )
    key = SORTS[f["sort"]]
    known = sorted((r for r in rows if key(r) is not None), key=key, reverse=f["order"] == "desc")
    return known + [r for r in rows if key(r) is None]


def row_key(r: dict) -> list[str]:
    return [r["submission_id"], r["organisation_id"], r["reporting_year"]]


def address(lang: str, f: dict[str, str], key: list[str] | None = None, **change: str) -> str:
    """The review page's address with the filters ``f`` (changed by ``change``) and the chosen return ``key``."""
    params = {"lang": lang, **f, **change}
    if key:
        params.update(submission=key[0], body=key[1], year=key[2])
    return "/review?" + urllib.parse.urlencode(params)


def layout(lang: str = "en", status: str | None = None, sector: str | None = None, flagged: str | None = None,
           sort: str | None = None, order: str | None = None, submission: str | None = None,
           body: str | None = None, year: str | None = None, page: str | None = None, **_query: str) -> html.Div:
    lang = language(lang)
    if not auth.allowed("read_drafts"):
        return html.Div([html.H1(t("review_title", lang)), sign_in_prompt(lang, "/review", "review_refused")])
    f = filters(status, sector, flagged, sort, order)
    rows = queue_rows(f)
    keys = [row_key(r) for r in rows]
    key = chosen_key(keys, submission, body, year)
    return html.Div(
        [
            html.H1(t("review_title", lang)),
            html.P(t("review_intro", lang)),
            dcc.Store(id="rv-lang", data=lang),
            dcc.Store(id="rv-filters", data=f),
            dcc.Store(id="rv-key", data=key),
            dcc.Store(id="rv-version", data=0),
            filter_controls(f, lang),
            html.Div(queue_table(rows, f, key, lang, page), id="rv-queue"),
            html.Nav(queue_nav(rows, f, key, lang), id="rv-nav", **{"aria-label": t("review_nav_label", lang)}),
            html.Div(detail(key, lang), id="rv-detail"),
            html.Div(id="rv-outcome", **{"aria-live": "polite"}),
        ]
    )


def chosen_key(keys: list[list[str]], submission: object, body: object, year: object) -> list[str] | None:
    """The return the address asks for: a submission and one of its bodies and years (the first of them if the
    address names only the submission), else the first return of the queue."""
    if not isinstance(submission, str):
        return keys[0] if keys else None
    if isinstance(body, str) and isinstance(year, str):
        return [submission, body, year]
    mine = [k for k in keys if k[0] == submission]
    if mine:
        return mine[0]
    try:
        s = data.store().submission(submission)
    except StoreError:
        return [submission, "", ""]  # the view says there is no such return
    return [submission, s.organisations[0], s.reporting_years[0]]


def filter_controls(f: dict[str, str], lang: str) -> html.Div:
    sectors = sorted(set(data.registry()["type"].astype(str)), key=lambda s: sector_name(s, lang))

    def control(control_id: str, label: str, options: list[dict], value: str) -> html.Div:
        return html.Div([html.Label(label, htmlFor=control_id),
                         dcc.Dropdown(id=control_id, options=options, value=value, clearable=False)],
                        className="control")

    return html.Div(
        [
            control("rv-status", t("review_filter", lang),
                    [{"label": t(f"review_filter_{s}", lang), "value": s} for s in STATUS_FILTERS], f["status"]),
            control("rv-sector", t("review_filter_sector", lang),
                    [{"label": t("review_filter_all_sectors", lang), "value": "all"},
                     *({"label": sector_name(s, lang), "value": s} for s in sectors)], f["sector"]),
            control("rv-flagged", t("review_filter_flagged", lang),
                    [{"label": t(f"review_flagged_{s}", lang), "value": s} for s in FLAGGED_FILTERS], f["flagged"]),
        ],
        className="controls",
    )


def _change_pct(value: float | None, lang: str) -> str:
    """A change in per cent with its sign ("+7.1%", "-3.7%"); "not available" when there is none to give."""
    if value is None:
        return t("not_available", lang)
    return ("+" if value > 0 else "-" if value < 0 else "") + i18n.number(abs(value), 1, lang) + "%"


def page_of(rows: list[dict], key: list[str] | None, asked: object = None) -> int:
    """The page of the queue to show (from 1): the one asked for, else the one holding the chosen return."""
    pages = max(1, math.ceil(len(rows) / PAGE_ROWS))
    if isinstance(asked, str) and asked.isdigit() and 1 <= int(asked) <= pages:
        return int(asked)
    keys = [row_key(r) for r in rows]
    return keys.index(key) // PAGE_ROWS + 1 if key in keys else 1


def queue_table(rows: list[dict], f: dict[str, str], key: list[str] | None, lang: str, page: object = None) -> list:
    """The queue as a table, a page of PAGE_ROWS rows at a time: each column heading sorts it (again: the other
    way round), each reference opens that return's view below."""
    m = data.matcher()
    columns = [("body", "col_body"), ("year", "col_year"), ("reference", "col_reference"),
               ("submitted_at", "col_submitted_local"), ("submitted_by", "col_submitted_by"),
               ("status", "col_status"), ("late", "col_late"), ("flags", "col_quality_flags"),
               ("warnings", "col_warnings"), ("change", "col_change_last_year_pct")]

    def heading(column: str, label: str) -> html.Th:
        current = f["sort"] == column
        order = "desc" if current and f["order"] == "asc" else "asc"
        sorted_as = {"aria-sort": "ascending" if f["order"] == "asc" else "descending"} if current else {}
        return html.Th(dcc.Link(t(label, lang), href=address(lang, f, key, sort=column, order=order)),
                       scope="col", **sorted_as)

    def row(r: dict) -> html.Tr:
        chosen = row_key(r) == key
        cells = [
            m.name(r["organisation_id"], lang, short=True),
            r["reporting_year"],
            html.Strong([r["reference"], html.Span(t("review_shown_below", lang), className="visually-hidden")])
            if chosen else dcc.Link(r["reference"], href=address(lang, f, row_key(r))),
            local_time(r["submitted_at"], lang),
            submitter_name(r["submitted_by"], lang),
            t(f"review_{r['status']}", lang),
            t("late_yes" if r["late"] else "late_no", lang),
            str(r["quality_flag_count"]),
            str(r["warning_count"]),
            _change_pct(r["change_on_last_year_pct"], lang),
        ]
        return html.Tr([html.Td(c) for c in cells], className="chosen" if chosen else None)

    caption = t("review_queue_caption", lang, count=len(rows))
    if not rows:
        return [html.H2(t("review_queue_title", lang)), html.P(t("review_none", lang), id="rv-queue-empty")]
    number = page_of(rows, key, page)
    shown = rows[(number - 1) * PAGE_ROWS:number * PAGE_ROWS]
    pages = math.ceil(len(rows) / PAGE_ROWS)
    more = [] if pages == 1 else [html.Nav([
        *([dcc.Link(t("review_page_earlier", lang), href=address(lang, f, key, page=str(number - 1)),
                    id="rv-page-earlier", className="secondary-button")] if number > 1 else []),
        html.Span(t("review_page_rows", lang, first=(number - 1) * PAGE_ROWS + 1,
                    last=(number - 1) * PAGE_ROWS + len(shown), count=len(rows))),
        *([dcc.Link(t("review_page_later", lang), href=address(lang, f, key, page=str(number + 1)),
                    id="rv-page-later", className="secondary-button")] if number < pages else []),
    ], className="queue-pages", **{"aria-label": t("review_pages_label", lang)})]
    return [
        html.H2(t("review_queue_title", lang)),
        # The caption is said above the scroll box, not inside it: a <caption> is as wide as its table and
        # scrolled out of sight with it on a phone. The table takes its name from it.
        html.P(caption, id="rv-queue-caption", className="queue-caption"),
        html.Div(html.Table([html.Thead(html.Tr([heading(c, label) for c, label in columns])),
                             html.Tbody([row(r) for r in shown])],
                            className="data-table queue-table", id="rv-queue-table",
                            **{"aria-labelledby": "rv-queue-caption"}), className="table-scroll"),
        *more,
    ]


def queue_nav(rows: list[dict], f: dict[str, str], key: list[str] | None, lang: str) -> list:
    """"Previous" and "next" in the queue as it is filtered and ordered, and where the chosen return is in it."""
    keys = [row_key(r) for r in rows]
    if key not in keys:
        return []
    at = keys.index(key)
    links = [html.Span(t("review_position", lang, position=at + 1, count=len(keys)), className="queue-position")]
    if at > 0:
        links.insert(0, dcc.Link(t("review_previous", lang), href=address(lang, f, keys[at - 1]), id="rv-previous",
                                 className="secondary-button"))
    if at + 1 < len(keys):
        links.append(dcc.Link(t("review_next", lang), href=address(lang, f, keys[at + 1]), id="rv-next",
                              className="secondary-button"))
    return links


def detail(key: object, lang: str) -> html.Div:
    """One return of one submission: its figures against last year and the version it replaces, its peers,
    flags and warnings with the submitter's explanations, the declaration, the lines, the thread, and the
    decision form."""
    if not key:
        return html.Div()
    if not (isinstance(key, list) and len(key) == 3 and all(isinstance(k, str) for k in key)):
        return refused(lang, "review_unknown")
    submission_id, body, year = key
    store = data.store()
    try:
        s = store.submission(submission_id)
    except StoreError:
        return refused(lang, "review_unknown")
    if not may_see(s) or body not in s.organisations or year not in s.reporting_years:
        return refused(lang) if not may_see(s) else refused(lang, "review_unknown")
    v = review.review_view(store, data.engine(drafts=True), submission_id, body, year, lang)
    name = data.matcher().name(body, lang, short=True)
    parts: list = [
        html.H2(t("review_view_title", lang, body=name, year=year, reference=v["reference"]), id="rv-title"),
        summary(v, lang),
        totals_table(v, lang),
        version_changes(v, lang),
        peer_range(v, lang),
        quality_flags(v, lang),
        factor_warnings(v, lang),
        explained_warnings(v, lang),
        declaration(v, lang),
        lines_block(s, body, year, lang),
        review_thread(store, [e for e in store.history(body, year)], lang),
    ]
    actions = decision_actions(v["status"]) if _may_decide(s) else []
    if actions:
        parts.append(decision_form(actions, lang))
    return html.Div(parts)


def _definitions(items: list[tuple[str, object]], list_id: str) -> html.Dl:
    children: list = []
    for term, value in items:
        children += [html.Dt(term), html.Dd(value)]
    return html.Dl(children, className="headlines", id=list_id)


def summary(v: dict, lang: str) -> html.Dl:
    """Who sent the return, when, in which file, its status and its deadline."""
    status = t(f"review_{v['status']}", lang) + (f": {v['status_message']}" if v.get("status_message") else "")
    deadline = i18n.date(pd.Timestamp(v["deadline"]).date(), lang, "d MMMM y") if v.get("deadline") else ""
    return _definitions([
        (t("col_status", lang), status),
        (t("review_submitted_label", lang), t("review_submitted_value", lang, at=local_time(v["submitted_at"], lang),
                                              by=submitter_name(v["submitted_by"], lang))),
        (t("review_file_label", lang), [v.get("file_name") or "", html.Br(),
                                        html.Code(f"SHA-256 {v['sha256']}", className="sha256")]),
        (t("review_deadline_label", lang), t("review_late" if v["late"] else "review_on_time", lang,
                                             deadline=deadline)),
    ], "rv-summary")


def _tco2e(value: float | None, lang: str) -> str:
    return t("not_reported", lang) if value is None else fmt(value, 1, lang=lang)


def totals_table(v: dict, lang: str) -> html.Section:
    """Totals by category, scope and in all, this year against the body's previous year (tCO2e), with the change
    where both years have a figure (not reported is not zero: no change then)."""
    year, prev = v["reporting_year"], v.get("previous_year")
    prev_year = prev["reporting_year"] if prev else None
    cats = vocabulary().ordered_categories()
    rows: list[tuple[str, float | None, float | None]] = []
    for c in cats:
        if c.id in v["totals"]["by_category"]:
            rows.append((c.name(lang), v["totals"]["by_category"][c.id],
                         prev["by_category"].get(c.id) if prev else None))
    for scope in ("1", "2", "3"):
        rows.append((t("scope_n", lang, scope=scope), v["totals"]["by_scope"].get(scope),
                     prev["by_scope"].get(scope) if prev else None))
    rows.append((t("review_total", lang), v["totals"]["total_tco2e"], prev["total_tco2e"] if prev else None))
    now_col = t("col_year_tco2e", lang, year=year)
    frame = pd.DataFrame({
        t("col_category_or_scope", lang): [r[0] for r in rows],
        now_col: [_tco2e(r[1], lang) for r in rows],
        **({t("col_year_tco2e", lang, year=prev_year): [_tco2e(r[2], lang) for r in rows],
            t("col_change_tco2e", lang): [fmt(r[1] - r[2], 1, lang=lang) if r[1] is not None and r[2] is not None
                                          else t("not_available", lang) for r in rows]} if prev else {}),
    })
    note = [] if prev else [html.P(t("review_no_previous_year", lang, year=year), id="rv-no-previous")]
    return html.Section([html.H3(t("review_totals_title", lang)), *note,
                         table(frame, t("review_totals_caption", lang, year=year), "rv-totals", lang)],
                        className="table-scroll")


def version_changes(v: dict, lang: str) -> html.Section:
    """For a resubmission, what changed from the version it replaces, in words of the vocabulary."""
    changes = v.get("changes_vs_previous_version")
    title = html.H3(t("review_version_title", lang))
    if not changes:
        return html.Section([title, html.P(t("review_first_version", lang))], id="rv-version-changes")
    items = [html.Li(review.change_in_words(c, lang)) for c in changes["changes"]]
    intro = t("review_version_intro", lang, reference=changes["previous_reference"])
    return html.Section([title, html.P(intro), html.Ul(items) if items else html.P(t("review_version_same", lang))],
                        id="rv-version-changes")


def peer_range(v: dict, lang: str) -> html.Section:
    """Where the return's total sits among its peers: the peers' quartiles (tCO2e) and this total."""
    p = v.get("peer_range")
    title = html.H3(t("review_peers_title", lang))
    if not p or p.get("median_tco2e") is None:
        return html.Section([title, html.P(t("review_peers_none", lang))], id="rv-peers")
    group = t(f"peer_{str(p['group']).split(':')[0]}", lang)
    return html.Section([title, html.P(t(
        "review_peers_text", lang, group=group, n=p["n"], q1=fmt(p["q1_tco2e"], 0, "tCO2e", lang),
        median=fmt(p["median_tco2e"], 0, "tCO2e", lang), q3=fmt(p["q3_tco2e"], 0, "tCO2e", lang),
        value=fmt(p["value_tco2e"], 0, "tCO2e", lang)))], id="rv-peers")


def quality_flags(v: dict, lang: str) -> html.Section:
    title = html.H3(t("review_flags_title", lang))
    if not v["quality_flags"]:
        return html.Section([title, html.P(t("review_flags_none", lang))], id="rv-flags")
    frame = pd.DataFrame(v["quality_flags"]).assign(organisation_id=v["organisation_id"])
    return html.Section([title, html.Ul(flag_items(frame, v["reporting_year"], lang, link=False))], id="rv-flags",
                        className="flag-list")


def factor_warnings(v: dict, lang: str) -> html.Section:
    title = html.H3(t("review_factor_title", lang))
    found = v.get("factor_warnings") or []
    if not found:
        return html.Section([title, html.P(t("review_factor_none", lang))], id="rv-factor-warnings")
    return html.Section([title, html.Ul([html.Li(factor_warning_text(w, lang)) for w in found])],
                        id="rv-factor-warnings")


def factor_warning_text(w: object, lang: str) -> str:
    """One reported-against-computed factor warning in words (review_view gives each as its sentence)."""
    if isinstance(w, dict) and isinstance(w.get("text"), dict):
        return str(w["text"].get(lang) or w["text"].get("en", ""))
    return str(w)


def explained_warnings(v: dict, lang: str) -> html.Section:
    """The warnings the submitter was shown, each with the explanation they gave."""
    title = html.H3(t("review_warnings_title", lang))
    if not v["warnings"]:
        return html.Section([title, html.P(t("review_warnings_none", lang))], id="rv-warnings")
    items = [
        html.Li([html.P(w["text"].get(lang) or w["text"].get("en", w["key"])),
                 html.P(t("review_explanation", lang), className="explanation-label"),
                 html.Blockquote(w.get("explanation") or t("review_no_explanation", lang))])
        for w in v["warnings"]
    ]
    return html.Section([title, html.Ul(items, className="explained-warnings")], id="rv-warnings")


def declaration(v: dict, lang: str) -> html.Section:
    d = v.get("declaration")
    title = html.H3(t("review_declaration_title", lang))
    text = t("review_declaration_text", lang, name=d["approved_by"], role=d["approver_role"]) if d else \
        t("review_declaration_none", lang)
    return html.Section([title, html.P(text)], id="rv-declaration")


def lines_block(s: Submission, body: str, year: str, lang: str) -> html.Div:
    """The return's lines as submitted, in the vocabulary's words in ``lang``, with CSV and Excel downloads of
    them all (made on the server)."""
    lines = data.store().lines(s.submission_id, body, year)
    v = vocabulary()

    def named(terms: dict, code: object) -> str:
        if code is None or code is pd.NA or (isinstance(code, float) and math.isnan(code)):
            return ""
        term = terms.get(code)
        return term.name(lang) if term else str(code)

    frame = pd.DataFrame({
        t("col_line_category", lang): [named(v.categories, c) for c in lines["category"]],
        t("col_line_source", lang): [named(v.sources, (str(c), x)) if isinstance(x, str) else ""
                                     for c, x in zip(lines["category"], lines["source"], strict=True)],
        t("col_line_scope", lang): ["" if pd.isna(x) else str(int(x)) for x in lines["scope"]],
        t("col_line_activity_amount", lang): ["" if pd.isna(x) else fmt(float(x), 0, lang=lang)
                                              for x in lines["activity_amount"]],
        t("col_line_activity_unit", lang): [named(v.units, u) for u in lines["activity_unit"]],
        t("col_line_emissions_tco2e", lang): ["" if pd.isna(x) else fmt(float(x), 2, lang=lang)
                                              for x in lines["emissions_tco2e"]],
        t("col_line_status", lang): [named(v.statuses, x) for x in lines["status"]],
        t("col_line_method", lang): [named(v.methods, x) for x in lines["method"]],
    })
    return html.Div([html.H3(t("review_lines_title", lang)),
                     table_block("rv-lines", frame, t("review_lines_caption", lang, count=len(lines)), lang)],
                    id="rv-lines", className="table-scroll")


def decision_actions(status: str) -> list[str]:
    """The decisions a reviewer may take on a return in ``status`` (review_transitions.csv, through review.py)."""
    return [tr.action for tr in review.transitions_from(status) if tr.who == "reviewer"]


def decision_form(actions: list[str], lang: str) -> html.Div:
    """The decision: a radio of the decisions allowed now with none chosen, a message, and one button."""
    return html.Div(
        [
            html.H3(t("review_decide", lang)),
            html.Fieldset(
                [
                    html.Legend(t("review_decision", lang)),
                    dcc.RadioItems(id="rv-decision", options=[{"label": t(f"review_action_{a}", lang), "value": a}
                                                              for a in actions], value=None),
                ]
            ),
            html.Label(t("review_message_label", lang), htmlFor="rv-message"),
            dcc.Textarea(id="rv-message", value="", maxLength=MAX_MESSAGE_CHARS, className="message-box"),
            html.Button(t("review_record", lang), id="rv-record", className="primary-button"),
        ],
        className="decision-form",
    )


def on_filters(status: object, sector: object, flagged: object, _version: object, f: object, key: object,
               lang: str) -> tuple:
    """The queue again after a filter changed or a decision was recorded (the order and the chosen return kept)."""
    lang = language(lang)
    if not auth.allowed("read_drafts"):
        raise dash.exceptions.PreventUpdate
    f = f if isinstance(f, dict) else {}
    f = filters(status, sector, flagged, f.get("sort"), f.get("order"))
    rows = queue_rows(f)
    key = key if isinstance(key, list) else None
    return queue_table(rows, f, key, lang), queue_nav(rows, f, key, lang), f


def on_version(_version: object, key: object, lang: str) -> html.Div:
    """The chosen return's view again, after a decision (its status, thread and decisions have changed)."""
    if not auth.allowed("read_drafts"):
        raise dash.exceptions.PreventUpdate
    return detail(key, language(lang))


def on_decide(_clicks: int | None, key: object, action: object, message: object, version: object,
              lang: str) -> tuple:
    """Record a reviewer's decision through :func:`review.decide` (accept, query or reopen; the message it needs)."""
    lang = language(lang)
    account = auth.current_account()
    submission_id = key[0] if isinstance(key, list) and key and isinstance(key[0], str) else ""
    try:
        s = data.store().submission(submission_id)
    except StoreError:
        return refused(lang, "review_unknown"), dash.no_update
    if account is None or not _may_decide(s):
        return refused(lang), dash.no_update
    if action not in decision_actions(s.status):
        return refused(lang, "review_choose_decision"), dash.no_update
    message = message.strip() if isinstance(message, str) else ""
    if len(message) > MAX_MESSAGE_CHARS:
        return refused(lang, "review_message_too_long"), dash.no_update
    try:
        done = review.decide(data.store(), s.submission_id, action, actor=account, message=message or None)
    except review.ReturnRefused as refusal:
        return html.Div(refusal.reason(lang), className="error-summary", role="alert", id="refused"), dash.no_update
    shown = html.P(t(f"review_done_{action}", lang, reference=done.reference), role="status", id="rv-done",
                   className="receipt")
    return shown, (version if isinstance(version, int) else 0) + 1


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/review", layout=layout, title="Review returns")
    app.callback(
        Output("rv-queue", "children"),
        Output("rv-nav", "children"),
        Output("rv-filters", "data"),
        Input("rv-status", "value"),
        Input("rv-sector", "value"),
        Input("rv-flagged", "value"),
        Input("rv-version", "data"),
        State("rv-filters", "data"),
        State("rv-key", "data"),
        State("rv-lang", "data"),
        prevent_initial_call=True,
    )(on_filters)
    app.callback(
        Output("rv-detail", "children"),
        Input("rv-version", "data"),
        State("rv-key", "data"),
        State("rv-lang", "data"),
        prevent_initial_call=True,
    )(on_version)
    app.callback(
        Output("rv-outcome", "children"),
        Output("rv-version", "data"),
        Input("rv-record", "n_clicks"),
        State("rv-key", "data"),
        State("rv-decision", "value"),
        State("rv-message", "value"),
        State("rv-version", "data"),
        State("rv-lang", "data"),
        prevent_initial_call=True,
    )(on_decide)
