"""`chartsift user`: add, list and disable reviewer web app accounts (passwords hashed with argon2)."""
from __future__ import annotations

import argparse
import getpass
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from chartsift.web.cliargs import add_storage_args

    p = sub.add_parser("user", help="manage accounts of the reviewer web app")
    actions = p.add_subparsers(dest="user_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an account (password prompted)")
    add.add_argument("name")
    add.add_argument("--role", choices=["reviewer", "admin"], default="reviewer")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    lst = actions.add_parser("list", help="list accounts")
    dis = actions.add_parser("disable", help="disable an account (its sessions end)")
    dis.add_argument("name")
    for a in (add, lst, dis):
        add_storage_args(a)
    p.set_defaults(handler=run)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if first != getpass.getpass("Again: "):
        raise ValueError("the passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import delete, select

    from chartsift.web import audit
    from chartsift.web.auth import UserError, add_user
    from chartsift.web.cliargs import open_db, settings_from
    from chartsift.web.models import LoginSession, User

    _engine, sessions = open_db(settings_from(args))
    try:
        with sessions() as session, session.begin():
            if args.user_action == "add":
                user = add_user(session, args.name, args.role, _password(args))
                audit.append(session, "user_change", f"user:{user.name}/add:{user.role}", user="cli", request_id=None)
                print(f"added {user.name} ({user.role})")
            elif args.user_action == "disable":
                user = session.scalar(select(User).where(User.name == args.name))
                if user is None:
                    raise UserError(f"no user {args.name!r}")
                user.active = False
                session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
                audit.append(session, "user_change", f"user:{user.name}/disable", user="cli", request_id=None)
                print(f"disabled {user.name}")
            else:
                for user in session.scalars(select(User).order_by(User.name)):
                    print(f"{user.name}\t{user.role}\t{'active' if user.active else 'disabled'}")
    except (UserError, ValueError) as exc:
        print(f"chartsift: error: {exc}", file=sys.stderr)
        return 2
    return 0
