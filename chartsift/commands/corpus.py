"""`chartsift corpus check DIR`: validate an annotated corpus before it is used to score anything."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("corpus", help="work with annotated corpora (check)",
                       description="Annotated corpora of SPEC section 6.")
    actions = p.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="reject gold files a scorer could not trust",
        description="Check every case folder of DIR: quotes verbatim in their document, fact types, keys and "
                    "enum values as in SPEC, one fact per key, every criterion of the case's pathway determined "
                    "and consistent with SPEC section 5. Exit 1 on any problem.")
    check.add_argument("corpus_dir", type=Path, metavar="DIR")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from chartsift.evaluation import check_corpus
    from chartsift.evaluation.corpus import case_dirs

    problems = check_corpus(args.corpus_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {args.corpus_dir}", file=sys.stderr)
        return 1
    print(f"{args.corpus_dir}: {len(case_dirs(args.corpus_dir))} cases OK")
    return 0
