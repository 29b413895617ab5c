"""Progress of a screening run: cases/s, pages/s, ETA and errors.

A rich progress bar on a terminal; plain periodic lines otherwise (or without rich), so
overnight logs stay readable. Reporters write to the stream they are given (the CLI's stderr);
the library's default reports nothing.
"""
from __future__ import annotations

import time
from typing import TextIO

from .ledger import Outcome


class Rates:
    """Counters of the cases reviewed in this run."""

    def __init__(self, total: int, skipped: int):
        self.total, self.skipped = total, skipped
        self.done = self.errors = self.pages = 0
        self.start = time.monotonic()

    def add(self, outcome: Outcome) -> None:
        self.done += 1
        self.pages += outcome.pages
        self.errors += outcome.status == "error"

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.start, 1e-9)

    @property
    def remaining(self) -> int:
        return self.total - self.skipped - self.done

    def line(self) -> str:
        cps, pps = self.done / self.elapsed, self.pages / self.elapsed
        eta = _duration(self.remaining / cps) if cps > 0 else "?"
        return (f"screen: {self.skipped + self.done}/{self.total} cases ({self.skipped} already done), "
                f"{cps:.2f} cases/s, {pps:.1f} pages/s, {self.errors} errors, ETA {eta}")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


class NullProgress:
    """Reports nothing (the library default)."""

    def start(self, total: int, skipped: int) -> None:
        self.rates = Rates(total, skipped)

    def update(self, outcome: Outcome) -> None:
        self.rates.add(outcome)

    def close(self) -> None:
        pass


class PlainProgress(NullProgress):
    """A line every `interval` seconds and one at the end (for logs and pipes)."""

    def __init__(self, stream: TextIO, interval: float = 10.0):
        self.stream, self.interval = stream, interval
        self._last = 0.0

    def start(self, total: int, skipped: int) -> None:
        super().start(total, skipped)
        self._last = time.monotonic()
        self._emit()

    def update(self, outcome: Outcome) -> None:
        super().update(outcome)
        if time.monotonic() - self._last >= self.interval:
            self._emit()

    def close(self) -> None:
        self._emit()

    def _emit(self) -> None:
        self._last = time.monotonic()
        self.stream.write(self.rates.line() + "\n")
        self.stream.flush()


class RichProgress(NullProgress):
    """A rich progress bar with cases/s, pages/s, ETA and error count."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("screen"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rates]}"),
                             TimeRemainingColumn(), console=Console(file=stream), transient=False)
        self._task = None

    def start(self, total: int, skipped: int) -> None:
        super().start(total, skipped)
        self._bar.start()
        self._task = self._bar.add_task("screen", total=total, completed=skipped, rates="")

    def update(self, outcome: Outcome) -> None:
        super().update(outcome)
        r = self.rates
        self._bar.update(self._task, advance=1, rates=f"{r.done / r.elapsed:.2f} cases/s "
                                                      f"{r.pages / r.elapsed:.1f} pages/s {r.errors} errors")

    def close(self) -> None:
        self._bar.stop()


def for_stream(stream: TextIO, interval: float = 10.0) -> NullProgress:
    """A rich bar when `stream` is a terminal and rich is installed, else plain lines."""
    if stream.isatty():
        try:
            return RichProgress(stream)
        except ImportError:
            pass
    return PlainProgress(stream, interval)
