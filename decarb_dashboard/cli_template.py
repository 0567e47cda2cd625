"""``decarb template``: a return to fill in, the same file the upload page gives (:mod:`return_template`).

``--format csv|xlsx`` with ``--org BODY`` holds the body's lines of the year before ``--year``
from the store (``--data-dir``), or one example row; ``--lang cy`` writes it in Welsh;
``--format md`` the format documentation. Without ``-o`` the file is written under its own
name (``cardiff-2024-25-return-template-cy.xlsx``) in the current folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from decarb_dashboard import config
from decarb_dashboard.registry import load_registry
from decarb_dashboard.report import say
from decarb_dashboard.return_template import return_template
from decarb_dashboard.store import SubmissionStore
from uploads_schema import template


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """Add ``decarb template`` to the ``decarb`` parser's sub-commands, its help in ``lang``."""
    p = sub.add_parser("template", help=say("help_template", lang))
    p.add_argument("--format", choices=["csv", "xlsx", "md"], default="xlsx", help=say("help_template_format", lang))
    p.add_argument("-o", "--output", metavar=say("metavar_output", lang), help=say("help_template_output", lang))
    p.add_argument("--org", metavar=say("metavar_org", lang), help=say("help_template_org", lang))
    p.add_argument("--year", metavar=say("metavar_year", lang), help=say("help_template_year", lang))
    p.add_argument("--data-dir", metavar=say("metavar_data_dir", lang), help=say("help_data_dir", lang))
    p.set_defaults(func=_cmd_template)


def _cmd_template(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", "en")
    if args.format == "md":
        data, name = template.format_markdown().encode("utf-8"), "upload-format.md"
    else:
        # The command line's --org and --year are already a register id and a year label (cli._run).
        root = Path(args.data_dir) if args.data_dir else config.data_dir()
        registry = load_registry(root)
        body, year = args.org, args.year
        store = SubmissionStore(root) if body and (root / "store.sqlite").exists() else None
        data, name = return_template(args.format, lang, registry, store, body, year)
    return write_output(data, args.output or name, lang)


def write_output(data: bytes, output: str, lang: str) -> int:
    """Write a template's bytes to ``output`` ("-": standard output) and say where; the projects template's too."""
    if output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(output).write_bytes(data)
        print(say("wrote", lang, path=output))
    return 0
