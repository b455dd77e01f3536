"""Browser tests: a live server and Debian's Chromium driven by Playwright.

* The live server shares pytest-django's in-memory SQLite connection with the test, so
  no file database is needed (ANJIAN_SQLITE_TEST_PATH can stay unset).
* Playwright's sync API runs an event loop in the test thread. While it runs, Django
  refuses ORM calls from that thread and hands out a different connection object, so
  the browser is function-scoped: it starts after the database (and the world) are set
  up and stops before the database is flushed and restored for the next test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def browser(db, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    # Only the test's own reads (no request in flight) happen while the loop runs.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
