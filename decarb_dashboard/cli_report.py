"""``decarb report --org ORG --year YEAR [--lang cy] [--peer-group type|region|ccr] [--metric METRIC] -o FILE.pdf``:
a body's report pack (report_pack.py), its place among peers in the peer group and metric chosen (as on the
My organisation page and in ``decarb compare``; default the bodies of the same type, by total emissions).

The figures are the published ones (``DECARB_PUBLISH=accepted`` applies, as for ``decarb
compare``). Exits 0 when the PDF was written, 2 for a body not in the register or a year with no
published figures for it (a coded message, nothing written), 1 when the file could not be written.
The PDF is written beside its destination and moved into place, so a failed run leaves no
partial file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from decarb_dashboard import config
from decarb_dashboard.report import say
from uploads_schema.vocabulary import vocabulary


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """Add ``decarb report`` to the ``decarb`` parser's sub-commands, its help in ``lang``."""
    p = sub.add_parser("report", help=say("help_report", lang))
    p.add_argument("--org", required=True, metavar=say("metavar_org", lang), help=say("help_org", lang))
    p.add_argument("--year", required=True, metavar=say("metavar_year", lang), help=say("help_year", lang))
    p.add_argument("--peer-group", "--peers", dest="peer_group", choices=list(vocabulary().peer_groups),
                   default="type", help=say("help_peer_group", lang))
    p.add_argument("--metric", choices=list(vocabulary().metrics), default="total", help=say("help_metric", lang))
    p.add_argument("-o", "--output", required=True, metavar=say("metavar_output", lang),
                   help=say("help_report_output", lang))
    p.add_argument("--data-dir", metavar=say("metavar_data_dir", lang), help=say("help_data_dir", lang))
    p.set_defaults(func=_cmd_report)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and move it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cmd_report(args: argparse.Namespace) -> int:
    from decarb_dashboard import report_pack
    from decarb_dashboard.engine import Engine
    from decarb_dashboard.store import SubmissionStore

    lang = getattr(args, "lang", "en")
    store = SubmissionStore(Path(args.data_dir) if args.data_dir else config.data_dir())
    accepted_only = config.publish_accepted_only()
    engine = Engine.from_store(store, accepted_only=accepted_only)
    status = report_pack.review_status(store, args.org, args.year, accepted_only)
    try:
        pdf = report_pack.report_pdf(engine, args.org, args.year, lang, status, accepted_only, args.peer_group,
                                     args.metric)
    except report_pack.NoReport as refused:
        if refused.code == "report_renderer_missing":  # the machine's fault, not the command's
            print(say("report_renderer_missing", lang), file=sys.stderr)
            return 1
        if refused.code == "report_unknown_body":
            print(say("report_unknown_body", lang, **refused.params), file=sys.stderr)
        else:
            print(say("report_no_figures", lang, **refused.params), file=sys.stderr)
        return 2
    out = Path(args.output)
    try:
        _write_atomically(out, pdf)
    except OSError as exc:
        print(say("report_write_failed", lang, path=str(out), error=exc.strerror or exc), file=sys.stderr)
        return 1
    print(say("report_written", lang, org=args.org, year=args.year, path=str(out)))
    return 0
