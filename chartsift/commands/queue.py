"""`chartsift queue import`: put a `chartsift screen` output folder into the reviewer web app's worklist."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    from chartsift.web.cliargs import add_storage_args

    p = sub.add_parser("queue", help="the reviewer web app's worklist: import screen results",
                       description="Manage the reviewer web app's queue of cases.")
    actions = p.add_subparsers(dest="queue_action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import", help="queue every case of a `chartsift screen` output folder, with its review",
        description="Queue one case per case of OUT (a `chartsift screen --out` folder): a reviewed case with its "
                    "review (not reviewed again; confidences and needs-review kept), a case screening could not "
                    "review as failed with its error code. A case id already in the queue is skipped "
                    "(duplicate_case_id), so importing again adds nothing. With --cases (the screen's INPUT folder), "
                    "each case also gets its case.json's patient identifiers, receipt and urgency, and its documents "
                    "when unchanged since the screen run, so the evidence viewer shows their pages. The web app's "
                    "'Import screen run' page (/queue/import) does the same from a .zip of OUT, without --cases.")
    imp.add_argument("out", type=Path, metavar="OUT", help="the output folder of `chartsift screen`")
    imp.add_argument("--cases", type=Path, default=None, metavar="INPUT",
                     help="the INPUT the screen run read (a folder of case folders or PDFs, or its manifest)")
    imp.add_argument("--user", required=True, metavar="NAME",
                     help="the account that imports (an existing web app user; the cases show it as their uploader)")
    imp.add_argument("--assign", default=None, metavar="NAME", help="assign every imported case to this user")
    add_storage_args(imp)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from chartsift.web.cliargs import open_db, settings_from
    from chartsift.web.queue_import import QueueImportError, import_screen

    settings = settings_from(args)
    engine, sessions = open_db(settings)
    try:
        report = import_screen(settings, sessions, args.out, user=args.user, cases=args.cases, assign=args.assign)
    except QueueImportError as exc:
        print(f"chartsift: error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for case_id, code in report.skipped:
        print(f"chartsift: skipped [{code}] {case_id}: the case id is already in the queue", file=sys.stderr)
    documents = f"; {report.documents} documents attached" if args.cases else ""
    left_out = f", {report.documents_left_out} left out (changed since the screen run or missing)" \
        if report.documents_left_out else ""
    print(f"queued {report.imported} of {report.rows} screened cases ({report.reviewed} with their review, "
          f"{report.failed} failed; {len(report.skipped)} skipped{documents}{left_out})")
    return 0
