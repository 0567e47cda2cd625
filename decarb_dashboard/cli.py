"""The ``decarb`` command line (also ``python -m decarb_dashboard``).

What it prints for people is the ``cli`` domain of the gettext catalogues (:func:`say`), in the
language of ``--lang`` (which every command takes, before or after its name): its help texts,
argparse's own words ("usage:", "error:"), its messages and the errors it reports.

Exit codes of ``decarb validate``: 0 valid, 1 read but has errors, 2 could not be read at all.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import functools
import getpass
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from decarb_dashboard import (
    cli_export,
    cli_outbox,
    cli_plan,
    cli_projects,
    cli_report,
    cli_review,
    cli_template,
    cli_users,
    config,
    report,
)
from decarb_dashboard.reasons import ReasonError
from uploads_schema import i18n
from uploads_schema.models import BODY_TYPES, REGIONS
from uploads_schema.vocabulary import vocabulary

#: The msgctxt of argparse's own words in the ``cli`` catalogue (their msgids are argparse's English).
ARGPARSE_CONTEXT = "argparse"
#: The language of the command running (``--lang``), in which :func:`say` speaks unless told otherwise.
_reader: contextvars.ContextVar[str | None] = contextvars.ContextVar("decarb_reader_language", default=None)


def say(key: str, lang: str | None = None, **params: object) -> str:
    """Return ``key`` of the ``cli`` catalogue in ``lang``, by default the language of the command running.

    An error among ``params`` (a store's, an account's, a flat file's) is said in that language too.
    """
    return report.say(key, lang or _reader.get() or i18n.default_language(), **params)


def _check(args: argparse.Namespace, registry=None):
    """Validate the file named in ``args``: return (its bytes, the report), or None if it cannot be read."""
    from decarb_dashboard.validate import validate_upload

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(say("cannot_read", args.lang, path=path, reason=exc.strerror or exc), file=sys.stderr)
        return None
    max_bytes = int(args.max_mb * 1024 * 1024) if args.max_mb is not None else None
    return data, validate_upload(data, path.name, organisation=args.org, reporting_year=args.year,
                                 max_bytes=max_bytes, registry=registry, path=path)


def _cmd_validate(args: argparse.Namespace) -> int:
    checked = _check(args)
    if checked is None:
        return 2
    report = checked[1]
    print(report.to_json(args.lang) if args.json else report.to_text(args.lang))
    if report.valid:
        return 0
    return 1 if report.readable else 2


def _os_error(exc: OSError) -> str:
    """An error of the operating system, said in the reader's language: the file, the system's words, what to do."""
    reason = exc.strerror or str(exc)
    return say("os_error", path=exc.filename, reason=reason) if exc.filename else say("os_error_no_path", reason=reason)


def _store(args: argparse.Namespace):
    from decarb_dashboard.store import SubmissionStore

    return SubmissionStore(Path(args.data_dir) if args.data_dir else config.data_dir())


def _explanations(pairs: list[str] | None) -> dict[str, str] | None:
    """``--explain KEY=TEXT`` options as {key: text}, or None if one has no ``=``."""
    out = {}
    for pair in pairs or []:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            return None
        out[key.strip()] = text
    return out


def _cmd_submit(args: argparse.Namespace) -> int:
    from decarb_dashboard import review
    from decarb_dashboard.engine import Engine
    from decarb_dashboard.registry import load_registry

    store = _store(args)
    checked = _check(args, load_registry(store.root))
    if checked is None:
        return 2
    data, report = checked
    if not report.valid:
        print(report.to_text(args.lang), file=sys.stderr)
        print(say("nothing_stored", args.lang), file=sys.stderr)
        return 1 if report.readable else 2
    explanations = _explanations(args.explain)
    if explanations is None:
        print(say("submit_bad_explain", args.lang), file=sys.stderr)
        return 2
    engine = Engine.from_store(store)
    declaration = {"approved_by": args.approved_by, "approver_role": args.approver_role}
    try:
        submission = review.submit_return(store, engine, report, data, submitted_by=args.user,
                                          file_name=Path(args.file).name, explanations=explanations,
                                          declaration=declaration)
    except review.ReturnRefused as refused:
        if refused.code == "duplicate":
            print(refused.params["submission_id"])  # the receipt a script looks for, as a success prints its own
        print(refused.reason(args.lang), file=sys.stderr)
        if refused.code == "unexplained":
            for group in review.warnings_to_explain(report, engine):
                if group.key in refused.groups:
                    print(say("submit_unexplained_group", args.lang, group=group.key, text=group.text(args.lang)),
                          file=sys.stderr)
        return 1
    print(submission.submission_id)
    print(say("submit_stored", args.lang, reference=submission.reference), file=sys.stderr)
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    from decarb_dashboard.store import submission_json

    store = _store(args)
    history = store.history(args.org, args.year)
    if args.json:
        print("[" + ",\n".join(submission_json(s) for s in history) + "]")
        return 0
    if not history:
        print(say("history_none_in_year", org=args.org, year=args.year) if args.year
              else say("history_none", org=args.org))
        return 0
    current = set(store.current_parts().query("organisation_id == @args.org")["submission_id"])
    print(say("history_header"))
    for s in history:
        mark = say("history_current") if s.submission_id in current else ""
        print(f"{s.submission_id:34} {s.submitted_at:28} {s.submitted_by[:16]:16} {s.line_count:>6}  "
              f"{s.status:10} {', '.join(s.reporting_years)}{mark}")
        if s.status_message:
            print(f"{'':34} {s.status}: {s.status_message}")
    return 0


#: ``decarb status --set``'s statuses and the review move that reaches each (``decarb review decide``).
STATUS_ACTIONS = {"queried": "query", "accepted": "accept", "withdrawn": "withdraw"}


def _cmd_status(args: argparse.Namespace) -> int:
    from decarb_dashboard import review

    try:
        review.decide(_store(args), args.submission, STATUS_ACTIONS[args.set], actor=args.user, message=args.message)
    except review.ReturnRefused as refused:
        print(say("error", error=refused.reason()), file=sys.stderr)
        return 1
    print(f"{args.submission}: {args.set}")
    return 0


def _fmt(value: object, unit: str = "", digits: int = 1, signed: bool = False) -> str:
    if value is None:
        return say("not_available")
    if isinstance(value, float | int):
        return f"{value:{'+' if signed else ''},.{digits}f}{unit}"
    return str(value)


def _cmd_compare(args: argparse.Namespace) -> int:
    from decarb_dashboard.compare import compare
    from decarb_dashboard.engine import Engine

    store = _store(args)
    engine = Engine.from_store(store, accepted_only=config.publish_accepted_only())
    if args.year not in engine.years():
        print(say("no_returns", year=args.year), file=sys.stderr)
        return 2
    result = compare(engine, args.org, args.year, peer_group=args.peer_group, metric=args.metric,
                     include_supply_chain=not args.without_supply_chain)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    r, peer = result, result["peer_group"]
    key = peer["metric"]
    out = [f"{r['organisation']['name']}, {r['reporting_year']}",
           say("compare_total", total=_fmt(r["total_tco2e"], " tCO2e"),
               without_supply_chain=_fmt(r["total_without_supply_chain_tco2e"], " tCO2e"),
               land=_fmt(r["land_tco2e"], " tCO2e")),
           say("compare_change_baseline", baseline_year=r["baseline_year"],
               pct=_fmt(r["change_vs_baseline_pct"], "%"), tco2e=_fmt(r["change_vs_baseline_tco2e"], " tCO2e"),
               count=len(r["change_vs_baseline_categories"])),
           say("compare_change_last_year", pct=_fmt(r["change_year_on_year_pct"], "%"),
               tco2e=_fmt(r["change_year_on_year_tco2e"], " tCO2e")), "", say("compare_by_category")]
    for c in r["categories"]:
        change = _fmt(c["change_vs_baseline_pct"], "%") if c["change_vs_baseline_reason"] is None \
            else c["change_vs_baseline_reason"]
        value = _fmt(c["tco2e"], " tCO2e") if c["tco2e"] is not None else c["status"]
        out.append(say("compare_category_row", category=c["category"], value=value, change=change))
    out += ["", say("compare_intensities", items="; ".join(f"{k} {_fmt(v, digits=3)}"
                                                            for k, v in r["intensities"].items())),
            say("compare_peer", name=peer["name"], rank=peer["rank"], count=peer["peer_count"], metric=key,
                percentile=_fmt(peer["percentile"], digits=0), quartile=peer["quartile"],
                median=_fmt(peer["peer_median_" + key]))]
    if peer["left_out"]:
        out.append(say("compare_left_out", items="; ".join(f"{b} ({why})" for b, why in peer["left_out"].items())))
    if peer["note"]:
        out.append(say("compare_note", note=peer["note"]))
    t = r["trajectory"]
    out.append(say("compare_trajectory", status=t["status"], required=_fmt(t["required_reduction_pct"], "%"),
                   achieved=_fmt(t["achieved_reduction_pct"], "%")))
    for flag in r["quality_flags"]:
        out.append(say("compare_quality_flag", kind=flag["kind"], category=flag["category"] or "",
                       detail=flag["detail"]))
    for warning in r["factor_warnings"]:
        out.append(say("compare_factor_warning", warning=warning))
    print("\n".join(out))
    return 0


def _coverage_text(c: dict) -> str:
    share = "" if c["baseline_share_pct"] is None else say("coverage_share", pct=f"{c['baseline_share_pct']:.1f}")
    mark = say("coverage_provisional") if c["provisional"] else ""
    return say("coverage", reported=c["bodies_reported"], expected=c["bodies_expected"], share=share,
               provisional=mark)


def _cmd_overview(args: argparse.Namespace) -> int:
    from decarb_dashboard import peers, rollups
    from decarb_dashboard.compare import json_ready
    from decarb_dashboard.engine import Engine

    engine = Engine.from_store(_store(args), accepted_only=config.publish_accepted_only())
    if args.year not in engine.years():
        print(say("no_returns", year=args.year), file=sys.stderr)
        return 2
    flags = peers.quality_flags(engine.facts, engine.categories, engine.values, engine.registry, args.year)
    result = json_ready(rollups.overview(engine.categories, engine.registry, args.year, flags, args.gap_fill))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    w, path = result["all_wales"], result["trajectory"]
    lfl = w["like_for_like"]
    out = [say("overview_all_wales", year=args.year, total=_fmt(w["total_tco2e"], " tCO2e"),
               coverage=_coverage_text(w["coverage"]))]
    if w["gap_filled_tco2e"] is not None:
        out.append(say("overview_gap_filled", total=_fmt(w["gap_filled_tco2e"], " tCO2e"),
                       filled=_fmt(w["gap_fill"]["filled_tco2e"], " tCO2e"), count=len(w["gap_fill"]["cells"])))
    out.append(say("overview_change", count=len(lfl["bodies"]),
                   pct=_fmt(lfl["change_vs_baseline_pct"], "%", signed=True),
                   tco2e=_fmt(lfl["change_vs_baseline_tco2e"], " tCO2e", signed=True)))
    out.append(say("overview_trajectory", baseline=_fmt(path["baseline_tco2e"], " tCO2e"), status=path["status"],
                   required=_fmt(path["required_reduction_pct"], "%"),
                   achieved=_fmt(path["achieved_reduction_pct"], "%")))
    for label, key in ((say("overview_by_sector"), "by_sector"), (say("overview_by_region"), "by_region")):
        out += ["", label]
        for name, g in result[key].items():
            out.append(f"  {name:24} {_fmt(g['total_tco2e'], ' tCO2e'):>20}  {_coverage_text(g['coverage'])}")
    flagged = w["flagged_figures"]
    if flagged:
        items = "; ".join(f"{f['organisation_id']} {f['category']} ({f['kind']})" for f in flagged[:10])
        out += ["", say("overview_flagged", count=len(flagged), items=items + ("; ..." if len(flagged) > 10 else ""))]
    print("\n".join(out))
    return 0


def _cmd_factors(args: argparse.Namespace) -> int:
    from decarb_dashboard.factors import MAX_FLAT_FILE_BYTES, FlatFileError, import_flat_file, load_factors

    store = _store(args)
    if args.action == "list":
        table = load_factors(store.root)
        print(table.to_string(index=False))
        return 0
    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_FLAT_FILE_BYTES:  # refused before it is read
            raise FlatFileError("flat_file_too_large", size_mb=f"{path.stat().st_size / 2**20:.0f}",
                                max_mb=MAX_FLAT_FILE_BYTES // 2**20)
        result = import_flat_file(path.read_bytes(), path.name, store.root)
    except OSError as exc:
        print(_os_error(exc), file=sys.stderr)
        return 1
    except (FlatFileError, ValueError) as exc:
        print(say("factors_cannot_import", path=path, error=exc), file=sys.stderr)
        return 1
    print(say("factors_imported", count=len(result.imported), year=result.factor_year, file=path.name))
    if result.missing:
        print(say("factors_missing", items=", ".join(result.missing)))
    return 0


def _cmd_store(args: argparse.Namespace) -> int:
    """decarb store check|repair|rebuild-catalogue|backup DIR|restore BACKUP: look after the data directory."""
    from decarb_dashboard import maintenance
    from decarb_dashboard.store import StoreError

    data_dir = Path(args.data_dir) if args.data_dir else config.data_dir()
    if args.action == "migrate":
        from decarb_dashboard import cli_store_migrate

        return cli_store_migrate.run(args)
    if config.database_url():  # the other actions look after a data directory's files; PostgreSQL has none
        print(say("store_action_needs_data_directory", action=args.action), file=sys.stderr)
        return 2
    try:
        if args.action == "rebuild-catalogue":
            rebuilt = maintenance.rebuild_catalogue(data_dir)
            print(say("store_rebuilt", path=data_dir / "store.sqlite",
                      submissions=say("store_submissions", count=rebuilt.submissions),
                      files=say("store_files", count=rebuilt.parts)))
            for sid, why in sorted(rebuilt.left_out.items()):
                print(say("store_left_out", submission=sid, reason=why))
            for path in rebuilt.damaged:
                print(say("store_damaged_unknown", path=path))
            print(say("store_statuses_reset"))
            return 0
        if args.action == "restore":
            if not args.dir:
                print(say("store_restore_needs_dir"), file=sys.stderr)
                return 2
            manifest = maintenance.restore(Path(args.dir), data_dir)
            print(say("store_restored", count=len(manifest["files"]), made_at=manifest["made_at"], dir=data_dir))
            return 0
        store = _store(args)
        if args.action == "backup":
            if not args.dir:
                print(say("store_backup_needs_dir"), file=sys.stderr)
                return 2
            manifest = maintenance.backup(store, Path(args.dir))
            print(say("store_backed_up", count=len(manifest["files"]), dir=args.dir))
            return 0
        if args.action == "repair":
            result, moved = maintenance.repair(store)
            for path in moved:
                print(say("store_quarantined", path=path))
            print(say("store_removed_leftovers", count=len(result.leftovers)))
        else:
            result = maintenance.check(store)
        if args.json:
            print(json.dumps({"parts_checked": result.parts_checked, "ok": result.ok,
                              "damaged": [dict(zip(("path", "organisation_id", "reporting_year", "submission_id",
                                                    "reason", "current"), d, strict=True)) for d in result.damaged],
                              "unreferenced": result.unreferenced, "leftovers": result.leftovers}, indent=2))
        else:
            print(say("store_checked", count=result.parts_checked))
            for path, org, year, sid, why, current in result.damaged:
                where = {"reason": why, "path": path, "org": org, "year": year, "submission": sid}
                print(say("store_damaged_current", **where) if current else say("store_damaged", **where))
            if result.unreferenced:
                print(say("store_unreferenced", count=len(result.unreferenced)))
            if result.leftovers:
                print(say("store_leftovers", count=len(result.leftovers)))
            if result.ok:
                print(say("store_no_damage"))
        return 0 if args.action == "repair" or result.ok else 1
    except StoreError as exc:
        print(say("error", error=exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(_os_error(exc), file=sys.stderr)
        return 1


#: ``decarb bodies add|edit`` options and the register column each sets.
BODY_OPTIONS = {"name": "name_en", "name_cy": "name_cy", "short_name": "short_name_en",
                "short_name_cy": "short_name_cy", "type": "type", "region": "region", "coverage": "coverage",
                "ccr": "ccr_member", "ons_code": "ons_code", "aliases": "aliases", "population": "population",
                "population_year": "population_year", "staff_fte": "staff_fte", "floor_area_m2": "floor_area_m2",
                "gross_expenditure_gbp_m": "gross_expenditure_gbp_m", "own_baseline_year": "own_baseline_year",
                "provenance": "provenance"}


def _cmd_bodies(args: argparse.Namespace) -> int:
    """decarb bodies add ID ... | edit ID ... | list [--json]: the register of bodies, kept in the store."""
    from decarb_dashboard.registry import RegisterError, add_body, edit_body, load_registry, rows_of

    data_dir = Path(args.data_dir) if args.data_dir else config.data_dir()
    if args.action == "list":
        rows = rows_of(load_registry(data_dir))
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        print(say("bodies_header"))
        for r in rows:
            print(f"{r['id']:32} {r['type']:24} {r['region']:17} {r['own_baseline_year'] or '':12} {r['name_en']}")
        return 0
    if not args.id:
        print(say("bodies_needs_id", action=args.action), file=sys.stderr)
        return 2
    values = {column: getattr(args, option) for option, column in BODY_OPTIONS.items()}
    try:
        if args.action == "add":
            row = add_body(data_dir, {"id": args.id, **values}, actor=args.user)
        else:
            row = edit_body(data_dir, args.id, values, actor=args.user)
    except RegisterError as exc:
        print(say("bodies_not_stored", error=exc), file=sys.stderr)
        return 1
    body = {"id": row["id"], "name": row["name_en"], "type": row["type"], "region": row["region"]}
    print(say("body_added", **body) if args.action == "add" else say("body_changed", **body))
    return 0


def _choices(values: list[str] | tuple[str, ...]) -> str:
    """The metavar argparse would show for a positional's choices, so that its error names no English word."""
    return "{" + ",".join(values) + "}"


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """Return the ``decarb`` parser with its help texts in ``lang`` (default: the language of the command running).

    argparse's own words ("usage:", "error:") come from the catalogue only while :func:`argparse_in` is in force.
    """
    lang = lang or _reader.get() or i18n.default_language()
    token = _reader.set(lang)  # what say() below says, it says in lang
    try:
        return _parser(lang)
    finally:
        _reader.reset(token)


def _parser(lang: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="decarb", description=say("help_decarb"))
    parser.add_argument("--lang", choices=i18n.languages(), default=lang, help=say("help_lang"))
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help=say("help_validate"))
    p.add_argument("file", metavar=say("metavar_file"), help=say("help_return_file"))
    p.add_argument("--json", action="store_true", help=say("help_validate_json"))
    p.add_argument("--org", metavar=say("metavar_org"), help=say("help_validate_org"))
    p.add_argument("--year", metavar=say("metavar_year"), help=say("help_validate_year"))
    p.add_argument("--lang", choices=i18n.languages(), default=lang, help=say("help_lang"))
    p.add_argument("--max-mb", type=float, default=None, metavar=say("metavar_max_mb"),
                   help=say("help_max_mb", default=f"{config.DEFAULT_MAX_UPLOAD_MB:g}"))
    p.set_defaults(func=_cmd_validate)

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", metavar=say("metavar_data_dir"), help=say("help_data_dir"))

    user = os.environ.get("DECARB_USER") or getpass.getuser()
    p = sub.add_parser("submit", help=say("help_submit"))
    p.add_argument("file", metavar=say("metavar_file"), help=say("help_return_file"))
    store_options(p)
    p.add_argument("--user", default=user, metavar=say("metavar_user"), help=say("help_submit_user"))
    p.add_argument("--org", metavar=say("metavar_org"), help=say("help_submit_org"))
    p.add_argument("--year", metavar=say("metavar_year"), help=say("help_year"))
    p.add_argument("--lang", choices=i18n.languages(), default="en", help=say("help_lang"))
    p.add_argument("--max-mb", type=float, default=None, metavar=say("metavar_max_mb"),
                   help=say("help_max_mb", default=f"{config.DEFAULT_MAX_UPLOAD_MB:g}"))
    p.add_argument("--approved-by", metavar=say("metavar_name"), help=say("help_submit_approved_by"))
    p.add_argument("--approver-role", metavar=say("metavar_role"), help=say("help_submit_approver_role"))
    p.add_argument("--explain", action="append", metavar=say("metavar_explain"), help=say("help_submit_explain"))
    p.set_defaults(func=_cmd_submit)

    p = sub.add_parser("history", help=say("help_history"))
    p.add_argument("--org", required=True, metavar=say("metavar_org"), help=say("help_history_org"))
    p.add_argument("--year", metavar=say("metavar_year"), help=say("help_history_year"))
    p.add_argument("--json", action="store_true", help=say("help_json"))
    store_options(p)
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("status", help=say("help_status"))
    p.add_argument("submission", metavar=say("metavar_submission"), help=say("help_status_submission"))
    p.add_argument("--set", required=True, help=say("help_status_set"),
                   choices=[status.id for status in vocabulary().submission_statuses.values()
                            if status.reviewer_may_set])
    p.add_argument("--message", metavar=say("metavar_message"), help=say("help_status_message"))
    p.add_argument("--user", default=user, metavar=say("metavar_user"), help=say("help_change_user"))
    store_options(p)
    p.set_defaults(func=_cmd_status)

    cli_export.add_commands(sub, lang)  # decarb export: the open data (cli_export.py)

    p = sub.add_parser("compare", help=say("help_compare"))
    p.add_argument("--org", required=True, metavar=say("metavar_org"), help=say("help_org"))
    p.add_argument("--year", required=True, metavar=say("metavar_year"), help=say("help_year"))
    p.add_argument("--peer-group", choices=list(vocabulary().peer_groups), default="type", help=say("help_peer_group"))
    p.add_argument("--metric", choices=list(vocabulary().metrics), default="total", help=say("help_metric"))
    p.add_argument("--without-supply-chain", action="store_true", help=say("help_without_supply_chain"))
    p.add_argument("--json", action="store_true", help=say("help_json"))
    store_options(p)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("overview", help=say("help_overview"))
    p.add_argument("--year", required=True, metavar=say("metavar_year"), help=say("help_year"))
    p.add_argument("--gap-fill", action="store_true", help=say("help_gap_fill"))
    p.add_argument("--json", action="store_true", help=say("help_json"))
    store_options(p)
    p.set_defaults(func=_cmd_overview)

    p = sub.add_parser("factors", help=say("help_factors"))
    p.add_argument("action", choices=["list", "import"], metavar=_choices(["list", "import"]),
                   help=say("help_factors_action"))
    p.add_argument("file", nargs="?", metavar=say("metavar_file"), help=say("help_factors_file"))
    store_options(p)
    p.set_defaults(func=_cmd_factors)

    cli_users.add_commands(sub, lang)

    actions = ["check", "repair", "rebuild-catalogue", "backup", "restore", "migrate"]
    p = sub.add_parser("store", help=say("help_store"))
    p.add_argument("action", choices=actions, metavar=_choices(actions), help=say("help_store_action"))
    p.add_argument("dir", nargs="?", metavar=say("metavar_dir"), help=say("help_store_dir"))
    p.add_argument("--json", action="store_true", help=say("help_store_json"))
    store_options(p)
    p.set_defaults(func=_cmd_store)

    p = sub.add_parser("bodies", help=say("help_bodies"))
    p.add_argument("action", choices=["add", "edit", "list"], metavar=_choices(["add", "edit", "list"]),
                   help=say("help_bodies_action"))
    p.add_argument("id", nargs="?", metavar=say("metavar_id"), help=say("help_body_id"))
    p.add_argument("--name", metavar=say("metavar_name"), help=say("help_body_name"))
    p.add_argument("--name-cy", metavar=say("metavar_name_cy"), help=say("help_body_name_cy"))
    p.add_argument("--short-name", metavar=say("metavar_short_name"), help=say("help_body_short_name"))
    p.add_argument("--short-name-cy", metavar=say("metavar_short_name_cy"), help=say("help_body_short_name_cy"))
    p.add_argument("--type", metavar=say("metavar_type"), help=say("help_body_type", types=", ".join(BODY_TYPES)))
    p.add_argument("--region", metavar=say("metavar_region"), help=say("help_body_region", regions=", ".join(REGIONS)))
    p.add_argument("--coverage", choices=["local", "national"], help=say("help_body_coverage"))
    p.add_argument("--ccr", action=argparse.BooleanOptionalAction, default=None, help=say("help_body_ccr"))
    p.add_argument("--ons-code", metavar=say("metavar_ons_code"), help=say("help_body_ons_code"))
    p.add_argument("--aliases", metavar=say("metavar_aliases"), help=say("help_body_aliases"))
    p.add_argument("--population", type=int, metavar=say("metavar_population"), help=say("help_body_population"))
    p.add_argument("--population-year", type=int, metavar=say("metavar_population_year"),
                   help=say("help_body_population_year"))
    p.add_argument("--staff-fte", type=float, metavar=say("metavar_staff_fte"), help=say("help_body_staff_fte"))
    p.add_argument("--floor-area-m2", type=float, metavar=say("metavar_floor_area_m2"),
                   help=say("help_body_floor_area_m2"))
    p.add_argument("--gross-expenditure-gbp-m", type=float, metavar=say("metavar_gross_expenditure_gbp_m"),
                   help=say("help_body_gross_expenditure_gbp_m"))
    p.add_argument("--own-baseline-year", metavar=say("metavar_own_baseline_year"),
                   help=say("help_body_own_baseline_year"))
    p.add_argument("--provenance", metavar=say("metavar_provenance"), help=say("help_body_provenance"))
    p.add_argument("--user", default=user, metavar=say("metavar_user"), help=say("help_change_user"))
    p.add_argument("--json", action="store_true", help=say("help_json"))
    store_options(p)
    p.set_defaults(func=_cmd_bodies)

    cli_review.add_commands(sub, lang)
    cli_outbox.add_commands(sub, lang)
    cli_report.add_commands(sub, lang)

    cli_template.add_commands(sub, lang)
    cli_projects.add_commands(sub, lang)
    cli_plan.add_commands(sub, lang)

    # Every command takes --lang (a command added later too); the error of a missing command names no English word.
    for command in sub.choices.values():
        if command.get_default("lang") is None:
            command.add_argument("--lang", choices=i18n.languages(), default=lang, help=say("help_lang"))
    sub.metavar = _choices(list(sub.choices))
    return parser


def _language_asked(argv: list[str]) -> str:
    """The language of ``--lang`` wherever it is on the command line (English if none, or one not supported).

    Read before the parser is built, so that its help texts and argparse's own words are in that language.
    """
    pre = argparse.ArgumentParser(prog="decarb", add_help=False, exit_on_error=False)
    pre.add_argument("--lang")
    try:
        return i18n.language(pre.parse_known_args(argv)[0].lang)
    except argparse.ArgumentError:  # "--lang" with no value: the parser proper says so
        return i18n.default_language()


@contextlib.contextmanager
def argparse_in(lang: str) -> Iterator[None]:
    """Make argparse say its own words ("usage:", "error:", "show this help message and exit") in ``lang``.

    argparse looks each up with the ``gettext`` and ``ngettext`` it imported as ``argparse._`` and
    ``argparse.ngettext``; for as long as this lasts they read the ``cli`` catalogue's entries of context
    "argparse", whose msgids are argparse's own English.
    """
    translations = i18n.translations("cli", lang)
    saved = argparse._, argparse.ngettext
    argparse._ = functools.partial(translations.pgettext, ARGPARSE_CONTEXT)
    argparse.ngettext = functools.partial(translations.npgettext, ARGPARSE_CONTEXT)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = _language_asked(argv)
    token = _reader.set(lang)
    try:
        with argparse_in(lang):
            args = build_parser(lang).parse_args(argv)
        args.lang = lang
        return _run(args, lang)
    finally:
        _reader.reset(token)


def _run(args: argparse.Namespace, lang: str) -> int:
    """Resolve the bodies and the year named on the command line, then run the command."""
    # Bodies named on the command line (--org, a submitter's --body) become register ids here, once.
    named = ([args.org] if getattr(args, "org", None) else []) + (getattr(args, "body", None) or [])
    if named:
        from decarb_dashboard.matcher import matcher_for
        from decarb_dashboard.registry import load_registry

        data_dir = Path(args.data_dir) if getattr(args, "data_dir", None) else config.data_dir()
        matcher = matcher_for(load_registry(data_dir))
        ids = {name: matcher.resolve(name) for name in named}
        unknown = [name for name in named if ids[name] is None]
        if unknown:
            print(say("no_body", lang, name=repr(unknown[0])), file=sys.stderr)
            return 2
        if getattr(args, "org", None):
            args.org = ids[args.org]
        if getattr(args, "body", None):
            args.body = [ids[name] for name in args.body]
    if getattr(args, "year", None):
        from decarb_dashboard import years

        try:
            args.year = years.label(years.parse(args.year))
        except years.YearProblem:
            print(say("not_a_year", lang, year=repr(args.year)), file=sys.stderr)
            return 2
    if getattr(args, "command", None) == "factors" and args.action == "import" and not args.file:
        print(say("factors_needs_file"), file=sys.stderr)
        return 2
    from decarb_dashboard.store import CatalogueLost

    try:
        return int(args.func(args))
    except CatalogueLost as exc:
        print(say("error", lang, error=exc), file=sys.stderr)
        return 2
    except ReasonError as exc:  # a refusal a command did not expect: said, not a traceback
        print(say("error", lang, error=exc), file=sys.stderr)
        return 1
    except OSError as exc:  # a file that cannot be written (decarb template, export), a full disk
        print(_os_error(exc), file=sys.stderr)
        return 1
