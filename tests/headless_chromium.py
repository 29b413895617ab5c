"""Headless Debian chromium for the browser tests, launched one way: Playwright drives the system browser (no
browser download), or the CLI tests run it as a command. One place for the binary and its flags."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
#: no sandbox (containers), no GPU, no calls home: the same flags for Playwright and the command line
FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)")


@contextmanager
def chromium() -> Iterator:
    """A Playwright browser on Debian's chromium, closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()


def console_errors(page) -> list[str]:
    """The page's console errors, collected from now on (a CSP violation or a script error lands here)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors
