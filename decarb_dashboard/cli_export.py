"""``decarb export [--versions] --format csv|xlsx|parquet|zip -o FILE [--lang cy]``: the open data (open_data.py).

The published lines (``DECARB_PUBLISH=accepted``: accepted returns only, as on the ``/data`` page): every
current return, or with ``--versions`` every stored version. The data dictionary, the licence and the coverage
of each year go with them in the language of ``--lang``: beside a CSV (``FILE-dictionary.csv``,
``FILE-coverage.csv``, ``FILE-README.txt``), inside an Excel file (sheets), a Parquet file (its metadata) or a
zip (the CSVs). Each file is written beside its destination and moved into place, so a failed run leaves no
partial file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from decarb_dashboard import config
from decarb_dashboard.cli_report import _write_atomically
from decarb_dashboard.report import say


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """Add ``decarb export`` to the ``decarb`` parser's sub-commands, its help in ``lang``."""
    from decarb_dashboard.open_data import FORMATS

    p = sub.add_parser("export", help=say("help_export", lang))
    p.add_argument("--format", choices=list(FORMATS), default="csv", help=say("help_export_format", lang))
    p.add_argument("--versions", action="store_true", help=say("help_export_versions", lang))
    p.add_argument("-o", "--output", required=True, metavar=say("metavar_output", lang), help=say("help_output", lang))
    p.add_argument("--data-dir", metavar=say("metavar_data_dir", lang), help=say("help_data_dir", lang))
    p.set_defaults(func=_cmd_export)


def _cmd_export(args: argparse.Namespace) -> int:
    from decarb_dashboard import open_data
    from decarb_dashboard.engine import Engine
    from decarb_dashboard.store import SubmissionStore

    lang = getattr(args, "lang", None) or "en"
    store = SubmissionStore(Path(args.data_dir) if args.data_dir else config.data_dir())
    accepted_only = config.publish_accepted_only()
    engine = Engine.from_store(store, accepted_only=accepted_only)
    data = open_data.build(store, engine, "versions" if args.versions else "current", lang, accepted_only)
    path = Path(args.output)
    if args.format == "csv":
        files = open_data.beside_files(data, path.name)
        for name, content in files.items():
            _write_atomically(path.with_name(name), content)
        print(say("exported", lang, count=len(data.lines), path=path))
        print(say("exported_beside", lang, files=", ".join(str(path.with_name(n)) for n in list(files)[1:])))
    else:
        _write_atomically(path, open_data.file_bytes(data, args.format))
        print(say("exported", lang, count=len(data.lines), path=path))
    return 0
