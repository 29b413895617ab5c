"""`chartsift schema`: the JSON Schema of the review result."""
from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of the review result",
                       description="Print the JSON Schema of ReviewResult (the output of `chartsift review --json`).")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from models import ReviewResult

    print(json.dumps(ReviewResult.model_json_schema(), indent=2))
    return 0
