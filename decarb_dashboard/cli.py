"""The ``decarb`` command line (also ``python -m decarb_dashboard``).

What it prints for people is the ``cli`` domain of the gettext catalogues (:func:`say`),
in the language of ``--lang`` where a command has it (validate, submit), else English.

Exit codes of ``decarb validate``: 0 valid, 1 read but has errors, 2 could not be read at all.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from decarb_dashboard import cli_review, config
from decarb_dashboard.report import say
from uploads_schema import i18n
from uploads_schema.vocabulary import vocabulary


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


def _cmd_template(args: argparse.Namespace) -> int:
    from uploads_schema import template

    if args.format == "csv":
        data = template.csv_template()
    elif args.format == "xlsx":
        data = template.xlsx_template()
    else:
        data = template.format_markdown().encode("utf-8")
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
        print(say("wrote", path=args.output))
    return 0


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


def _cmd_export(args: argparse.Namespace) -> int:
    from decarb_dashboard import export
    from decarb_dashboard.matcher import OrganisationMatcher
    from decarb_dashboard.registry import load_registry

    store = _store(args)
    frame = export.export_table(store.current_lines(), OrganisationMatcher(load_registry(store.root)))
    export.write(frame, args.format, Path(args.output))
    print(say("exported", count=len(frame), path=args.output))
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
            raise FlatFileError(say("factors_too_large", size_mb=f"{path.stat().st_size / 2**20:.0f}",
                                    max_mb=MAX_FLAT_FILE_BYTES // 2**20))
        result = import_flat_file(path.read_bytes(), path.name, store.root)
    except (OSError, FlatFileError, ValueError) as exc:
        print(say("factors_cannot_import", path=path, error=exc), file=sys.stderr)
        return 1
    print(say("factors_imported", count=len(result.imported), year=result.factor_year, file=path.name))
    if result.missing:
        print(say("factors_missing", items=", ".join(result.missing)))
    return 0


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input with --password-stdin, else typed twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(say("password_new"))
    if first != getpass.getpass(say("password_again")):
        raise ValueError(say("password_differ"))
    return first


def _cmd_users(args: argparse.Namespace) -> int:
    from decarb_dashboard.accounts import AccountError, AccountStore

    data_dir = Path(args.data_dir) if args.data_dir else config.data_dir()
    accounts = AccountStore(data_dir)
    try:
        if args.action == "list":
            rows = accounts.list()
            if args.json:
                print(json.dumps([{"username": a.username, "display_name": a.display_name, "role": a.role,
                                   "bodies": list(a.bodies), "disabled": a.disabled, "email": a.email,
                                   "language": a.language} for a in rows], indent=2))
                return 0
            print(say("users_header"))
            for a in rows:
                state = say("user_disabled_state") if a.disabled else say("user_active")
                print(f"{a.username:32} {a.role:10} {state:9} {a.email or '-':32} {a.language or '-':4} "
                      f"{', '.join(a.bodies)}")
            return 0
        if not args.username:
            print(say("users_needs_name", action=args.action), file=sys.stderr)
            return 2
        if args.action == "add":
            account = accounts.add(args.username, _password(args), args.role, args.body or [], args.name,
                                   email=args.email, language=args.language or "")
            print(say("user_added_for", user=account.username, role=account.role, bodies=", ".join(account.bodies))
                  if account.bodies else say("user_added", user=account.username, role=account.role))
        elif args.action == "edit":
            account = accounts.edit(args.username, email=args.email, language=args.language,
                                    display_name=args.name)
            print(say("user_changed", user=account.username, email=account.email or "-",
                      language=account.language or "-"))
        elif args.action == "set-password":
            accounts.set_password(args.username, _password(args))
            print(say("password_changed", user=args.username))
        else:
            accounts.set_disabled(args.username, args.action == "disable")
            print(say("user_disabled", user=args.username) if args.action == "disable"
                  else say("user_enabled", user=args.username))
    except (AccountError, ValueError) as exc:
        print(say("error", error=exc), file=sys.stderr)
        return 1
    return 0


def _cmd_store(args: argparse.Namespace) -> int:
    """decarb store check|repair|rebuild-catalogue|backup DIR|restore BACKUP: look after the data directory."""
    from decarb_dashboard import maintenance
    from decarb_dashboard.store import StoreError

    data_dir = Path(args.data_dir) if args.data_dir else config.data_dir()
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
    except (StoreError, OSError) as exc:
        print(say("error", error=exc), file=sys.stderr)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="decarb", description="Annual carbon returns of Welsh public bodies.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a return (CSV or .xlsx) and print the report")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--org", help="the body the return is for (fills blank cells; other bodies are errors)")
    p.add_argument("--year", help="the financial year, e.g. 2022-23 (fills blank cells)")
    p.add_argument("--lang", choices=i18n.languages(), default="en", help="language of the messages")
    p.add_argument("--max-mb", type=float, default=None,
                   help=f"largest file accepted in MB (default {config.DEFAULT_MAX_UPLOAD_MB:g}, "
                        "or $DECARB_MAX_UPLOAD_MB)")
    p.set_defaults(func=_cmd_validate)

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", help="the data directory (default $DECARB_DATA_DIR or ./var/decarb-data)")

    user = os.environ.get("DECARB_USER") or getpass.getuser()
    p = sub.add_parser("submit", help="validate a return and store it; prints the submission id")
    p.add_argument("file")
    store_options(p)
    p.add_argument("--user", default=user, help="who is submitting (default: your login name)")
    p.add_argument("--org", help="the body the return is for")
    p.add_argument("--year", help="the financial year, e.g. 2022-23")
    p.add_argument("--lang", choices=i18n.languages(), default="en")
    p.add_argument("--max-mb", type=float, default=None)
    p.add_argument("--approved-by", help=say("help_submit_approved_by"))
    p.add_argument("--approver-role", help=say("help_submit_approver_role"))
    p.add_argument("--explain", action="append", metavar="KEY=TEXT", help=say("help_submit_explain"))
    p.set_defaults(func=_cmd_submit)

    p = sub.add_parser("history", help="list a body's submissions, oldest first")
    p.add_argument("--org", required=True, help="registry id of the body, e.g. cardiff")
    p.add_argument("--year", help="only submissions covering this financial year")
    p.add_argument("--json", action="store_true")
    store_options(p)
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("status", help="query, accept or withdraw a submission")
    p.add_argument("submission")
    p.add_argument("--set", required=True,
                   choices=[s.id for s in vocabulary().submission_statuses.values() if s.reviewer_may_set])
    p.add_argument("--message", help="why (required for a query)")
    p.add_argument("--user", default=user)
    store_options(p)
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("export", help="write the current returns of all bodies and years")
    p.add_argument("--format", choices=["csv", "xlsx", "parquet"], default="csv")
    p.add_argument("-o", "--output", required=True)
    store_options(p)
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("compare", help="compare a body's return for a year with its past and its peers")
    p.add_argument("--org", required=True)
    p.add_argument("--year", required=True)
    p.add_argument("--peer-group", choices=list(vocabulary().peer_groups), default="type")
    p.add_argument("--metric", choices=list(vocabulary().metrics), default="total")
    p.add_argument("--without-supply-chain", action="store_true", help="leave out the spend-based supply chain")
    p.add_argument("--json", action="store_true")
    store_options(p)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("overview", help="all Wales, each sector and region for a year, with coverage")
    p.add_argument("--year", required=True)
    p.add_argument("--gap-fill", action="store_true",
                   help="also give totals with each missing body-category carried forward from its latest year")
    p.add_argument("--json", action="store_true")
    store_options(p)
    p.set_defaults(func=_cmd_overview)

    p = sub.add_parser("factors", help="list the emission factors, or import an official UK flat file")
    p.add_argument("action", choices=["list", "import"])
    p.add_argument("file", nargs="?")
    store_options(p)
    p.set_defaults(func=_cmd_factors)

    p = sub.add_parser("users", help="manage the accounts that may sign in to the dashboard")
    p.add_argument("action", choices=["add", "edit", "list", "disable", "enable", "set-password"])
    p.add_argument("username", nargs="?", help="the account's user name (an email address will do)")
    p.add_argument("--role", choices=["submitter", "reviewer", "admin"], default="submitter")
    p.add_argument("--body", action="append", help="a body a submitter submits for (repeat for several)")
    p.add_argument("--name", help="the person's name as shown in the history")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--email", help="where the review cycle's notifications go (edit: an empty value removes it)")
    p.add_argument("--language", help=f"the notifications' language: {', '.join(i18n.languages())}, or an empty "
                                      "value for every language, Welsh first")
    p.add_argument("--json", action="store_true")
    store_options(p)
    p.set_defaults(func=_cmd_users)

    p = sub.add_parser("store", help="check, repair, rebuild, back up or restore the data directory")
    p.add_argument("action", choices=["check", "repair", "rebuild-catalogue", "backup", "restore"])
    p.add_argument("dir", nargs="?", help="backup: the new directory to write; restore: the backup to restore")
    p.add_argument("--json", action="store_true", help="check and repair: print what was found as JSON")
    store_options(p)
    p.set_defaults(func=_cmd_store)

    p = sub.add_parser("bodies", help="list the register of bodies, or add or edit a body (kept with its history)")
    p.add_argument("action", choices=["add", "edit", "list"])
    p.add_argument("id", nargs="?", help="the body's id: lower-case letters, digits and _, e.g. transport_for_wales")
    p.add_argument("--name", help="the official English name")
    p.add_argument("--name-cy", help="the official Welsh name (default: the English one)")
    p.add_argument("--short-name", help="the name used day to day (default: the official one)")
    p.add_argument("--short-name-cy")
    p.add_argument("--type", help="council, health_board, nhs_trust, fire_rescue_authority, national_park_authority, "
                                  "welsh_government or sponsored_body")
    p.add_argument("--region", help="North Wales, Mid Wales, South West Wales or South East Wales")
    p.add_argument("--coverage", choices=["local", "national"])
    p.add_argument("--ccr", action=argparse.BooleanOptionalAction, default=None,
                   help="a member of the Cardiff Capital Region")
    p.add_argument("--ons-code", help="the ONS code, e.g. W06000015")
    p.add_argument("--aliases", help="other names, separated by |")
    p.add_argument("--population", type=int, help="residents served")
    p.add_argument("--population-year", type=int, help="the year of the population figure")
    p.add_argument("--staff-fte", type=float, help="staff, full-time equivalents")
    p.add_argument("--floor-area-m2", type=float, help="floor area, square metres")
    p.add_argument("--gross-expenditure-gbp-m", type=float, help="gross expenditure, GBP million")
    p.add_argument("--own-baseline-year", help="a baseline the body keeps besides the scheme's 2019-20, e.g. 2018-19")
    p.add_argument("--provenance", help="where the figures come from")
    p.add_argument("--user", default=user, help="who makes the change (kept in the register's history)")
    p.add_argument("--json", action="store_true")
    store_options(p)
    p.set_defaults(func=_cmd_bodies)

    cli_review.add_commands(sub, i18n.default_language())

    p = sub.add_parser("template", help="write a blank return, or the format documentation")
    p.add_argument("--format", choices=["csv", "xlsx", "md"], default="xlsx")
    p.add_argument("-o", "--output", required=True, help="file to write, or - for standard output")
    p.set_defaults(func=_cmd_template)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = getattr(args, "lang", "en")
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
