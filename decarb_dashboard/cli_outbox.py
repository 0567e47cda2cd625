"""``decarb outbox list [--json]`` and ``decarb outbox send``: the e-mail notifications' outbox (notify.py).

``list`` says whether mail can be sent (the SMTP settings, or what is missing), how many
messages are pending, sent and failed, and the newest messages; ``send`` delivers every
pending message now, whatever its wait, and exits 0 when all went, 1 when any is still
pending or failed (or mail is not configured), 2 when the data directory has no store.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from decarb_dashboard import config, notify
from decarb_dashboard.report import say


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """Add ``decarb outbox`` to the ``decarb`` parser's sub-commands, its help in ``lang``."""
    p = sub.add_parser("outbox", help=say("outbox_help", lang))
    p.add_argument("action", choices=["list", "send"], help=say("outbox_action_help", lang))
    p.add_argument("--json", action="store_true", help=say("outbox_json_help", lang))
    p.add_argument("--status", choices=notify.OUTBOX_STATUSES, help=say("outbox_status_help", lang))
    p.add_argument("--limit", type=int, default=50, help=say("outbox_limit_help", lang))
    p.add_argument("--data-dir", help=say("outbox_data_dir_help", lang))
    p.set_defaults(func=_cmd_outbox)


def _cmd_outbox(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", "en")
    root = Path(args.data_dir) if args.data_dir else config.data_dir()
    try:
        if args.action == "send":
            return _send(root, lang)
        return _list(root, args, lang)
    except FileNotFoundError as exc:
        print(say("error", lang, error=exc), file=sys.stderr)
        return 2


def _send(root: Path, lang: str) -> int:
    result = notify.deliver_pending(root, everything=True)
    if result.not_configured is not None:
        print(say("error", lang, error=result.not_configured.text(lang)), file=sys.stderr)
        return 1
    print(say("outbox_sent", lang, sent=result.sent, retrying=result.retrying, failed=result.failed))
    return 0 if result.retrying == result.failed == 0 else 1


def _list(root: Path, args: argparse.Namespace, lang: str) -> int:
    counts = notify.outbox_counts(root)
    rows = notify.outbox_rows(root, limit=max(args.limit, 0), status=args.status)
    state = notify.mail_state()
    problem = state.text(lang) if isinstance(state, notify.MailNotConfigured) else None
    if args.json:
        print(json.dumps({"schema_version": 1, "configured": problem is None, "problem": problem,
                          "server": None if problem else state.describe(), "counts": counts, "messages": rows},
                         indent=2, ensure_ascii=False))
        return 0
    print(problem or say("outbox_configured", lang, server=state.describe()))
    print(say("outbox_counts", lang, **counts))
    if rows:
        print(say("outbox_header", lang))
    for row in rows:
        print(f"{row['entry']:>6} {row['status']:8} {row['attempts']:>3} {row['created_at']:20} "
              f"{row['recipient']:32} {row['subject']}")
        if row["last_error"]:
            print(say("outbox_last_error", lang, error=row["last_error"], next=row["next_attempt_at"] or "-"))
    return 0
