"""`chartsift policy list` and `chartsift policy show ID`: the policies as data, with their own wording."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("policy", help="list the payer policies, or show one's criteria",
                       description="List the bundled payer policies, or print one policy's criterion tree "
                                   "with the policy's own wording.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list policies: id, revision, dates in force, pathways")
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="print one policy's criterion tree (or its FHIR Questionnaire)")
    show.add_argument("policy_id", metavar="ID", help="policy id, e.g. CP.MP.126")
    show.add_argument("--on", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                      help="show the revision in force on this date (default: the latest)")
    show.add_argument("--fhir", action="store_true",
                      help="print the policy as a FHIR R4 Questionnaire (JSON): one choice item per criterion, "
                           "nested as the tree, answers met / not_met / insufficient")
    show.set_defaults(handler=run_show)


def run_list(args: argparse.Namespace) -> int:
    from evaluator import available_policies

    rows = [("ID", "REVISION", "PAYER", "IN FORCE", "PATHWAYS (CPT)", "FILE")]
    for p in available_policies():
        pathways = ", ".join(f"{name} {'/'.join(cpts)}" for name, cpts in p.pathways.items())
        rows.append((p.id, p.revision, p.payer, f"{p.effective_from} to {p.effective_to or 'now'}", pathways, p.file))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def run_show(args: argparse.Namespace) -> int:
    from evaluator import UnknownPolicyError, load_policy
    from evaluator.render import policy_tree

    try:
        policy = load_policy(args.policy_id, args.on)
    except UnknownPolicyError as exc:
        print(f"chartsift: {exc}", file=sys.stderr)
        return 2
    if args.fhir:
        from chartsift.fhir import checked_questionnaire, dumps

        sys.stdout.write(dumps(checked_questionnaire(policy)))
        return 0
    print(f"{policy.id} {policy.title} ({policy.payer}), revision {policy.revision}, in force "
          f"{policy.effective.from_} to {policy.effective.to or 'now'}")
    for pathway in policy.pathways:
        print(f"  pathway {pathway.name}: CPT {', '.join(pathway.cpt)} -> criterion {pathway.criterion}")
    if policy.always:
        print(f"  every pathway: {', '.join(policy.always)}")
    for flag in policy.flags:
        print(f"  flag {flag.kind}: {flag.message}")
    print()
    for line in policy_tree(policy):
        print(textwrap.shorten(line, 400) if len(line) > 400 else line)
    return 0
