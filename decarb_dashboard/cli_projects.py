"""``decarb projects validate|submit|list|template``: a body's net zero projects from the command line (issue 18).

``validate`` and ``submit`` check a projects file as the upload page does
(:func:`decarb_dashboard.projects.validate_projects_upload`); ``submit`` stores a valid one as the body's
new projects (:meth:`decarb_dashboard.store.SubmissionStore.submit_projects`), printing its reference;
``list`` prints a body's current projects; ``template`` writes a file to fill in (the body's current
projects, or three examples). Exit codes: 0 done, 1 the file has errors (nothing stored), 2 not read.
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import os
import sys
from pathlib import Path

from decarb_dashboard import config
from decarb_dashboard.cli_template import write_output
from decarb_dashboard.report import say
from uploads_schema import i18n


def _root(args: argparse.Namespace) -> Path:
    return Path(args.data_dir) if args.data_dir else config.data_dir()


def _store(args: argparse.Namespace):
    from decarb_dashboard.store import SubmissionStore

    return SubmissionStore(_root(args))


def _check(args: argparse.Namespace, registry=None):
    """Return (the file's bytes, its report), or None when the file cannot be read (said on standard error)."""
    from decarb_dashboard.projects import validate_projects_upload

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(say("cannot_read", args.lang, path=path, reason=exc.strerror or exc), file=sys.stderr)
        return None
    return data, validate_projects_upload(data, path.name, organisation=args.org, registry=registry)


def _cmd_validate(args: argparse.Namespace) -> int:
    from decarb_dashboard.registry import load_registry

    checked = _check(args, load_registry(_root(args)))
    if checked is None:
        return 2
    report = checked[1]
    print(report.to_json(args.lang) if args.json else report.to_text(args.lang))
    return 0 if report.valid else 1 if report.readable else 2


def _cmd_submit(args: argparse.Namespace) -> int:
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
    reference = store.submit_projects(report.lines, data, submitted_by=args.user, file_name=Path(args.file).name)
    print(reference)
    print(say("projects_stored", args.lang, reference=reference, count=len(report.lines)), file=sys.stderr)
    return 0


def _plain(value: object) -> object:
    """A cell as JSON says it: a figure not given is null, never NaN or 0."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _cmd_list(args: argparse.Namespace) -> int:
    from uploads_schema.projects import project_statuses
    from uploads_schema.vocabulary import vocabulary

    projects = _store(args).current_projects(args.org)
    if args.json:
        rows = [{k: _plain(v) for k, v in p.items()} for p in projects.to_dict("records")]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if projects.empty:
        print(say("projects_none", args.lang, org=args.org))
        return 0
    v, lang = vocabulary(), args.lang
    print(say("projects_list_header", lang))
    for p in projects.to_dict("records"):
        if _plain(p["saving_tco2e"]) is not None:
            saving = say("projects_saving", lang, saving=i18n.number(p["saving_tco2e"], 1, lang))
        else:
            saving = say("projects_change", lang, change=i18n.number(p["activity_change"], 0, lang),
                         unit=p["activity_unit"])
        cost = "" if _plain(p["cost_gbp"]) is None else "£" + i18n.number(p["cost_gbp"], 0, lang)
        print(f"{p['project'][:36]:36} {project_statuses()[p['status']].name(lang):16} {p['start_year']:8} "
              f"{v.categories[p['category']].name(lang)[:18]:18} {saving:>28} {cost:>12}")
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from decarb_dashboard.matcher import matcher_for
    from decarb_dashboard.registry import load_registry
    from uploads_schema import projects_template as t

    lang, root = args.lang, _root(args)
    if args.format == "md":
        data = t.projects_markdown().encode("utf-8")
        output = args.output or "projects-format.md"
        return write_output(data, output, lang)
    projects = None
    if args.org:
        name = matcher_for(load_registry(root)).name(args.org, lang)
        if (root / "store.sqlite").exists() or config.database_url():
            projects = _store(args).current_projects(args.org)
    else:  # the examples are Cardiff Council's, as the return's example row is: they pass the check as they are
        name = matcher_for(load_registry(root)).name("cardiff", lang)
    current = projects is not None and not projects.empty
    rows = t.project_rows(projects, name, lang) if current else t.example_rows(name, lang)
    data = t.csv_projects_template(rows, lang) if args.format == "csv" else t.xlsx_projects_template(rows, lang,
                                                                                                     current)
    return write_output(data, args.output or t.projects_template_file_name(args.format, lang, args.org), lang)


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """Add ``decarb projects validate|submit|list|template`` to the ``decarb`` parser's commands, help in ``lang``."""
    user = os.environ.get("DECARB_USER") or getpass.getuser()
    projects = sub.add_parser("projects", help=say("help_projects", lang))
    commands = projects.add_subparsers(dest="projects_command", required=True)

    def common(p: argparse.ArgumentParser, org_required: bool = False) -> None:
        p.add_argument("--org", required=org_required, metavar=say("metavar_org", lang),
                       help=say("help_projects_org", lang))
        p.add_argument("--data-dir", metavar=say("metavar_data_dir", lang), help=say("help_data_dir", lang))
        p.add_argument("--lang", choices=i18n.languages(), default=lang, help=say("help_lang", lang))

    p = commands.add_parser("validate", help=say("help_projects_validate", lang))
    p.add_argument("file", metavar=say("metavar_file", lang), help=say("help_projects_file", lang))
    p.add_argument("--json", action="store_true", help=say("help_validate_json", lang))
    common(p)
    p.set_defaults(func=_cmd_validate)

    p = commands.add_parser("submit", help=say("help_projects_submit", lang))
    p.add_argument("file", metavar=say("metavar_file", lang), help=say("help_projects_file", lang))
    p.add_argument("--as", dest="user", default=user, metavar=say("metavar_user", lang),
                   help=say("help_submit_user", lang))
    common(p)
    p.set_defaults(func=_cmd_submit)

    p = commands.add_parser("list", help=say("help_projects_list", lang))
    p.add_argument("--json", action="store_true", help=say("help_json", lang))
    common(p, org_required=True)
    p.set_defaults(func=_cmd_list)

    p = commands.add_parser("template", help=say("help_projects_template", lang))
    p.add_argument("--format", choices=["csv", "xlsx", "md"], default="xlsx", help=say("help_template_format", lang))
    p.add_argument("-o", "--output", metavar=say("metavar_output", lang), help=say("help_template_output", lang))
    common(p)
    p.set_defaults(func=_cmd_template)
