"""`chartsift audit verify`: walk the web app's hash-chained audit trail, report the first broken link."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    from chartsift.web.cliargs import add_storage_args

    p = sub.add_parser("audit", help="check the reviewer web app's audit trail")
    actions = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="verify the hash chain and its head; exit 1 at the first broken link",
                                description="Walk the hash-chained audit trail; compare its end with the head "
                                            "checkpoints (DATA_DIR/audit-head.log), so that deleted last rows "
                                            "are found too. Exit 1 at the first broken link.")
    add_storage_args(verify)
    verify.add_argument("--head", type=Path, metavar="FILE",
                        help="the head checkpoint file to compare with (default DATA_DIR/audit-head.log; give a "
                             "copy kept elsewhere to detect a truncation by someone who can write the data folder)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from chartsift.web.audit import verify
    from chartsift.web.cliargs import open_db, settings_from

    settings = settings_from(args)
    _engine, sessions = open_db(settings)
    with sessions() as session:
        report = verify(session, head=args.head or settings.audit_head_file)
    if report.ok:
        print(f"audit chain intact: {report.rows} rows")
        return 0
    print(f"audit chain broken at row {report.broken_seq}: {report.reason}")
    return 1
