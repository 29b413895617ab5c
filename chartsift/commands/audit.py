"""`chartsift audit verify`: walk the web app's hash-chained audit trail, report the first broken link."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from chartsift.web.cliargs import add_storage_args

    p = sub.add_parser("audit", help="check the reviewer web app's audit trail")
    actions = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="verify the hash chain; exit 1 at the first broken link")
    add_storage_args(verify)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from chartsift.web.audit import verify
    from chartsift.web.cliargs import open_db, settings_from

    _engine, sessions = open_db(settings_from(args))
    with sessions() as session:
        report = verify(session)
    if report.ok:
        print(f"audit chain intact: {report.rows} rows")
        return 0
    print(f"audit chain broken at row {report.broken_seq}: {report.reason}")
    return 1
