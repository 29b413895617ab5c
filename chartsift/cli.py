"""The `chartsift` command: a thin shell over functions that return data (DESIGN habit 6).

Each sub-command lives in `chartsift/commands/<name>.py` with `register(subparsers)`; the
handler it sets returns the process exit code.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

#: sub-command modules under chartsift/commands/, in the order `--help` lists them
COMMANDS = ("review", "schema", "evaluate", "corpus", "screen", "policy", "serve", "user", "audit")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chartsift",
        description="Review clinical chart documents against a payer's medical-necessity policy "
                    "(CP.MP.126 sacroiliac joint fusion), criterion by criterion, with the quotes that show it.")
    parser.add_argument("--version", action="version", version=f"chartsift {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"chartsift.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .logs import quiet_third_party_logging

    quiet_third_party_logging()
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
