"""The ``decarb`` command line (also ``python -m decarb_dashboard``).

Exit codes of ``decarb validate``: 0 valid, 1 read but has errors, 2 could not be read at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from decarb_dashboard import config


def _cmd_validate(args: argparse.Namespace) -> int:
    from decarb_dashboard.validate import validate_upload

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"decarb: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    max_bytes = int(args.max_mb * 1024 * 1024) if args.max_mb is not None else None
    report = validate_upload(data, path.name, organisation=args.org, reporting_year=args.year,
                             max_bytes=max_bytes)
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
        print(f"wrote {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="decarb", description="Annual carbon returns of Welsh public bodies.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a return (CSV or .xlsx) and print the report")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--org", help="the body the return is for (fills blank cells; other bodies are errors)")
    p.add_argument("--year", help="the financial year, e.g. 2022-23 (fills blank cells)")
    p.add_argument("--lang", choices=["en", "cy"], default="en", help="language of the messages")
    p.add_argument("--max-mb", type=float, default=None,
                   help=f"largest file accepted in MB (default {config.DEFAULT_MAX_UPLOAD_MB:g}, "
                        "or $DECARB_MAX_UPLOAD_MB)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("template", help="write a blank return, or the format documentation")
    p.add_argument("--format", choices=["csv", "xlsx", "md"], default="xlsx")
    p.add_argument("-o", "--output", required=True, help="file to write, or - for standard output")
    p.set_defaults(func=_cmd_template)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "org", None):
        from decarb_dashboard.registry import OrganisationMatcher, load_registry

        found = OrganisationMatcher(load_registry(config.data_dir())).resolve(args.org)
        if found is None:
            print(f"decarb: no body called {args.org!r} in the register", file=sys.stderr)
            return 2
        args.org = found
    if getattr(args, "year", None):
        from decarb_dashboard import years

        try:
            args.year = years.label(years.parse(args.year))
        except years.YearProblem:
            print(f"decarb: {args.year!r} is not a financial year such as 2022-23", file=sys.stderr)
            return 2
    return int(args.func(args))
