"""``decarb users ...``: the accounts of a deployment (:mod:`decarb_dashboard.accounts`), the same operations as
the Accounts page, each recorded in the accounts audit with who ran it (``cli:<operating-system user>``).

``add``, ``edit`` (e-mail, language, name), ``assign`` (role and bodies), ``list``, ``disable``, ``enable``,
``set-password`` (typed twice, or ``--password-stdin``), ``reset-password`` (a one-time link, e-mailed when the
account has an address and ``DECARB_PUBLIC_URL`` is set, else printed once) and ``audit`` (who did what to
which account, when).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from decarb_dashboard import config, notify
from uploads_schema import i18n

ACTIONS = ["add", "edit", "assign", "list", "disable", "enable", "set-password", "reset-password", "audit"]
#: How many audit entries ``decarb users audit`` prints unless told (``--limit``).
AUDIT_SHOWN = 50


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """Add ``decarb users`` to the ``decarb`` parser's sub-commands, its help in ``lang``."""
    p = sub.add_parser("users", help=say("help_users", lang))
    p.add_argument("action", choices=ACTIONS, metavar="{" + ",".join(ACTIONS) + "}",
                   help=say("help_users_action", lang))
    p.add_argument("username", nargs="?", metavar=say("metavar_username", lang), help=say("help_username", lang))
    p.add_argument("--role", choices=["submitter", "reviewer", "admin"], default=None, help=say("help_role", lang))
    p.add_argument("--body", action="append", metavar=say("metavar_body", lang), help=say("help_user_body", lang))
    p.add_argument("--name", "--display-name", dest="name", metavar=say("metavar_name", lang),
                   help=say("help_user_name", lang))
    p.add_argument("--password-stdin", action="store_true", help=say("help_password_stdin", lang))
    p.add_argument("--email", metavar=say("metavar_email", lang), help=say("help_user_email", lang))
    p.add_argument("--language", metavar=say("metavar_language", lang),
                   help=say("help_user_language", lang, languages=", ".join(i18n.languages())))
    p.add_argument("--json", action="store_true", help=say("help_json", lang))
    p.add_argument("--limit", type=int, default=AUDIT_SHOWN, metavar=say("metavar_limit", lang),
                   help=say("users_limit_help", lang))
    p.add_argument("--data-dir", metavar=say("metavar_data_dir", lang), help=say("help_data_dir", lang))
    p.set_defaults(func=_cmd_users)


def say(key: str, lang: str | None = None, **params: object) -> str:
    """``key`` of the ``cli`` catalogue in ``lang``, by default the language of the command running (``--lang``)."""
    from decarb_dashboard import cli  # cli imports this module

    return cli.say(key, lang, **params)


def cli_actor() -> str:
    """Who the audit says ran a command: ``cli:`` and the operating-system user (``cli:unknown`` if none)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input with --password-stdin, else typed twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(say("password_new"))
    if first != getpass.getpass(say("password_again")):
        raise ValueError(say("password_differ"))
    return first


def _list(accounts, args: argparse.Namespace) -> int:
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


def _audit(accounts, args: argparse.Namespace) -> int:
    entries = accounts.audit(args.username, limit=max(args.limit, 1))
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=2))
        return 0
    if not entries:
        print(say("users_audit_empty"))
        return 0
    print(say("users_audit_header"))
    for e in entries:
        detail = "; ".join(f"{k}: {v}" for k, v in e["detail"].items())
        print(f"{e['at']:21} {e['actor']:24} {e['action']:13} {e['username']:32} {detail}")
    return 0


def _reset(accounts, args: argparse.Namespace, actor: str) -> int:
    from decarb_dashboard.accounts import issue_password_reset

    base = notify.public_url()
    issued = issue_password_reset(accounts, args.username, actor=actor, actor_name=actor, base_url=base)
    if issued.emailed_to:
        print(say("users_reset_emailed", user=issued.username, email=issued.emailed_to, hours=issued.hours))
    else:
        print(say("users_reset_link", user=issued.username, hours=issued.hours))
        print(issued.link)
        if base is None:
            print(say("users_reset_no_public_url"))
    return 0


def _cmd_users(args: argparse.Namespace) -> int:
    from decarb_dashboard.accounts import AccountError, AccountStore

    data_dir = Path(args.data_dir) if args.data_dir else config.data_dir()
    accounts = AccountStore(data_dir)
    actor = cli_actor()
    try:
        if args.action == "list":
            return _list(accounts, args)
        if args.action == "audit":
            return _audit(accounts, args)
        if not args.username:
            print(say("users_needs_name", action=args.action), file=sys.stderr)
            return 2
        if args.action == "add":
            account = accounts.add(args.username, _password(args), args.role or "submitter", args.body or [],
                                   args.name, email=args.email, language=args.language or "", actor=actor)
            print(say("user_added_for", user=account.username, role=account.role, bodies=", ".join(account.bodies))
                  if account.bodies else say("user_added", user=account.username, role=account.role))
        elif args.action == "edit":
            account = accounts.edit(args.username, email=args.email, language=args.language,
                                    display_name=args.name, actor=actor)
            print(say("user_changed", user=account.username, email=account.email or "-",
                      language=account.language or "-"))
        elif args.action == "assign":
            current = accounts.get(args.username)
            if current is None:
                raise AccountError("account_unknown", username=repr(args.username))
            role = args.role or current.role
            account = accounts.assign(args.username, role, args.body or [], actor=actor)
            print(say("users_assigned", user=account.username, role=account.role,
                      bodies=", ".join(account.bodies) or "-"))
        elif args.action == "set-password":
            accounts.set_password(args.username, _password(args), actor=actor)
            print(say("password_changed", user=args.username))
        elif args.action == "reset-password":
            return _reset(accounts, args, actor)
        else:
            accounts.set_disabled(args.username, args.action == "disable", actor=actor)
            print(say("user_disabled", user=args.username) if args.action == "disable"
                  else say("user_enabled", user=args.username))
    except (AccountError, ValueError) as exc:
        print(say("error", error=exc), file=sys.stderr)
        return 1
    return 0
