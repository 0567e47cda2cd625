"""``decarb review list|show|decide``: the review cycle from the command line (scripts rely on its JSON).

``list`` is :func:`decarb_dashboard.review.queue`, ``show`` is
:func:`decarb_dashboard.review.review_view` (its ``--json`` is that dict as it is) and
``decide`` is :func:`decarb_dashboard.review.decide`; the rules are review.py's, not these.
Exit codes: 0 done, 1 refused (the reason on standard error), 2 not understood.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from decarb_dashboard import config
from decarb_dashboard.report import say
from uploads_schema import i18n
from uploads_schema.vocabulary import vocabulary


def _store(args: argparse.Namespace):
    from decarb_dashboard.store import SubmissionStore

    return SubmissionStore(Path(args.data_dir) if args.data_dir else config.data_dir())


def _figure(value: float | None, lang: str) -> str:
    return say("not_available", lang) if value is None else i18n.number(value, 1, lang)


def _cmd_list(args: argparse.Namespace) -> int:
    from decarb_dashboard import review
    from decarb_dashboard.engine import Engine

    store = _store(args)
    rows = review.queue(store, Engine.from_store(store), status=args.status, sector=args.sector,
                        flagged=True if args.flagged else None)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(say("review_list_none", args.lang))
        return 0
    print(say("review_list_header", args.lang))
    for r in rows:
        late = say("review_late", args.lang) if r["late"] else ""
        flags = "-" if r["quality_flag_count"] is None else r["quality_flag_count"]
        change = say("not_available", args.lang) if r["change_on_last_year_pct"] is None else \
            f"{r['change_on_last_year_pct']:+.1f}%"
        print(f"{r['reference']:32} {r['organisation_id']:24} {r['reporting_year']:8} {r['status']:10} "
              f"{r['submitted_at'][:16].replace('T', ' '):16} {r['submitted_by'][:20]:20} {flags!s:>5} "
              f"{r['warning_count']:>5} {_figure(r['total_tco2e'], args.lang):>14} {change:>8}{late}")
    return 0


def _show_text(view: dict, lang: str) -> list[str]:
    """A review view as lines of text for a terminal, in ``lang``."""
    from decarb_dashboard import review

    v = view
    out = [say("review_show_title", lang, reference=v["reference"], submission_id=v["submission_id"],
               body=v["organisation_id"], year=v["reporting_year"], status=review.status_name(v["status"], lang)),
           say("review_show_submitted", lang, at=v["submitted_at"][:16].replace("T", " "), by=v["submitted_by"],
               file=v["file_name"] or "-", sha256=v["sha256"], deadline=v["deadline"],
               late=say("review_late", lang) if v["late"] else "")]
    previous = v["previous_year"]
    out.append(say("review_show_total", lang, total=_figure(v["totals"]["total_tco2e"], lang),
                   year=previous["reporting_year"] if previous else "-",
                   previous=_figure(previous["total_tco2e"], lang) if previous else say("not_available", lang)))
    for category, value in v["totals"]["by_category"].items():
        before = previous["by_category"].get(category) if previous else None
        name = vocabulary().categories[category].name(lang)
        out.append(say("review_show_category", lang, category=name, value=_figure(value, lang),
                       previous=_figure(before, lang)))
    changes = v["changes_vs_previous_version"]
    if changes is None:
        out.append(say("review_show_no_previous", lang))
    else:
        out.append(say("review_show_changes", lang, reference=changes["previous_reference"]))
        out += ["  " + review.change_in_words(c, lang) for c in changes["changes"]]
    p = v["peer_range"]
    if p["n"]:
        out.append(say("review_show_peers", lang, n=p["n"], group=p["group"], median=_figure(p["median_tco2e"], lang),
                       q1=_figure(p["q1_tco2e"], lang), q3=_figure(p["q3_tco2e"], lang)))
    for flag in v["quality_flags"]:
        out.append(say("review_show_flag", lang, kind=flag["kind"], detail=flag.get("detail") or ""))
    for warning in v["factor_warnings"]:
        out.append(say("review_show_factor_warning", lang, warning=warning))
    for w in v["warnings"]:
        text = w["text"].get(lang) or w["text"].get(i18n.default_language(), w["key"])
        out.append(say("review_show_warning", lang, text=text, explanation=w["explanation"]))
    d = v["declaration"]
    out.append(say("review_show_declaration", lang, name=d["approved_by"], role=d["approver_role"]) if d
               else say("review_show_no_declaration", lang))
    for e in v["thread"]:
        out.append(say("review_show_thread_entry", lang, at=e["at"][:16].replace("T", " "), actor=e["actor"],
                       action=e["action"], status=review.status_name(e["status"], lang),
                       message=f": {e['message']}" if e["message"] and e["action"] != "submit" else ""))
    return out



def _find(store, id_or_reference: str):
    """The submission named by its id or reference; ReturnRefused (``unknown_submission``) if there is none."""
    from decarb_dashboard import review
    from decarb_dashboard.store import StoreError

    try:
        return store.find(id_or_reference)
    except StoreError as exc:
        raise review.ReturnRefused("unknown_submission", submission_id=id_or_reference) from exc

def _cmd_show(args: argparse.Namespace) -> int:
    from decarb_dashboard import review
    from decarb_dashboard.engine import Engine
    store = _store(args)
    try:
        s = _find(store, args.submission)
        view = review.review_view(store, Engine.from_store(store), s.submission_id, args.org, args.year, args.lang)
    except review.ReturnRefused as refused:
        print(refused.reason(args.lang), file=sys.stderr)
        return 1
    print(json.dumps(view, ensure_ascii=False, indent=2) if args.json else "\n".join(_show_text(view, args.lang)))
    return 0


def _cmd_decide(args: argparse.Namespace) -> int:
    from decarb_dashboard import review
    store = _store(args)
    try:
        s = _find(store, args.submission)
        decided = review.decide(store, s.submission_id, args.action, actor=args.user, message=args.message)
    except review.ReturnRefused as refused:
        print(refused.reason(args.lang), file=sys.stderr)
        return 1
    print(say("review_decided", args.lang, reference=decided.reference, submission_id=decided.submission_id,
              status=review.status_name(decided.status, args.lang)))
    return 0


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """Add ``decarb review list|show|decide`` to the ``decarb`` parser's commands, help texts in ``lang``."""
    user = os.environ.get("DECARB_USER") or getpass.getuser()
    review = sub.add_parser("review", help=say("help_review", lang))
    commands = review.add_subparsers(dest="review_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", metavar=say("metavar_data_dir", lang), help=say("help_review_data_dir", lang))
        p.add_argument("--lang", choices=i18n.languages(), default=lang, help=say("help_review_lang", lang))

    p = commands.add_parser("list", help=say("help_review_list", lang))
    p.add_argument("--status", choices=list(vocabulary().submission_statuses), help=say("help_review_status", lang))
    p.add_argument("--sector", choices=list(vocabulary().body_types), help=say("help_review_sector", lang))
    p.add_argument("--flagged", action="store_true", help=say("help_review_flagged", lang))
    p.add_argument("--json", action="store_true", help=say("help_review_json", lang))
    common(p)
    p.set_defaults(func=_cmd_list)

    p = commands.add_parser("show", help=say("help_review_show", lang))
    p.add_argument("submission", metavar=say("metavar_submission", lang), help=say("help_review_submission", lang))
    p.add_argument("--org", metavar=say("metavar_org", lang), help=say("help_review_org", lang))
    p.add_argument("--year", metavar=say("metavar_year", lang), help=say("help_review_year", lang))
    p.add_argument("--json", action="store_true", help=say("help_review_json", lang))
    common(p)
    p.set_defaults(func=_cmd_show)

    p = commands.add_parser("decide", help=say("help_review_decide", lang))
    p.add_argument("submission", metavar=say("metavar_submission", lang), help=say("help_review_submission", lang))
    p.add_argument("--action", required=True, choices=list(vocabulary().review_actions()),
                   help=say("help_review_action", lang))
    p.add_argument("--message", metavar=say("metavar_message", lang), help=say("help_review_message", lang))
    p.add_argument("--user", default=user, metavar=say("metavar_user", lang), help=say("help_review_user", lang))
    common(p)
    p.set_defaults(func=_cmd_decide)
