"""The `chartsift` command: a thin shell over functions that return data (DESIGN habit 6).

Each sub-command lives in `chartsift/commands/<name>.py` with `register(subparsers)`; the
handler it sets returns the process exit code.
"""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from . import __version__

#: sub-command modules under chartsift/commands/, in the order `--help` lists them
COMMANDS = ("review", "schema", "evaluate", "corpus", "screen", "policy", "serve", "queue", "user", "audit")
#: top-level modules of the optional extras (pyproject's [project.optional-dependencies]) -> the extra
EXTRA_OF_MODULE = {"fastapi": "web", "starlette": "web", "uvicorn": "web", "sqlalchemy": "web", "alembic": "web",
                   "multipart": "web", "python_multipart": "web", "argon2": "web", "psycopg": "web",
                   "dask": "dask", "distributed": "dask"}
#: exit status of a command whose reader went away (`chartsift schema | head`): 128 + SIGPIPE, as a C tool's
BROKEN_PIPE_EXIT = 128 + signal.SIGPIPE
#: exit status of a command that needs an extra that is not installed
MISSING_EXTRA_EXIT = 1


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
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's flush at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except ModuleNotFoundError as exc:
        extra = EXTRA_OF_MODULE.get((exc.name or "").split(".")[0])
        if extra is None:
            raise
        print(f"chartsift {args.command}: needs the optional '{extra}' dependencies (module {exc.name} is not "
              f"installed): pip install 'chartsift[{extra}]' (in a checkout: .venv/bin/pip install -e '.[{extra}]')",
              file=sys.stderr)
        return MISSING_EXTRA_EXIT


def _reader_gone() -> int:
    """stdout's reader closed the pipe: stop quietly. Python would otherwise report the error again when it
    flushes stdout at exit, so stdout is pointed at /dev/null first (the recipe of Python's `signal` docs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured in a test)
        pass
    return BROKEN_PIPE_EXIT


if __name__ == "__main__":
    sys.exit(main())
