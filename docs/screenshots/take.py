"""Retake the screenshots in docs/screenshots from a running demo (`make demo`).

    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8000

Uses Debian's Chromium (/usr/bin/chromium) through Playwright; the CJK fonts come from
fonts-noto-cjk. Each shot is taken as the role that uses the page, desktop or phone.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "anjian-demo-2026"  # noqa: S105  (the printed demo password)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base) + r"/$"))


def first_link(page, pattern: str) -> str | None:
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href and re.fullmatch(pattern, href.split("?")[0]):
            return href
    return None


def shoot(browser, base: str, username: str, viewport: dict, shots) -> None:
    context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    sign_in(page, base, username)
    for name, path, full in shots:
        if callable(path):
            path = path(page, base)
        if path is None:
            print(f"skip {name}: no page found", file=sys.stderr)
            continue
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(HERE / f"{name}.png"), full_page=full)
        print(f"{name}.png  {username}  {path}")
    context.close()


def closed_major_hazard(page, base: str) -> str | None:
    page.goto(base + "/hazards/?state=closed&level=major")
    return first_link(page, r"/hazards/\d+/")


def own_risks(page, base: str) -> str | None:
    page.goto(base + "/")
    return first_link(page, r"/enterprises/\d+/risks/")


def open_alarm(page, base: str) -> str | None:
    page.goto(base + "/monitoring/alarms/")
    return first_link(page, r"/monitoring/alarms/\d+/")


def main(base: str) -> None:
    base = base.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        shoot(
            browser,
            base,
            "anweiban",
            DESKTOP,
            [
                ("home", "/", False),
                ("risk-map", "/risks/map/", True),
                ("hazard", closed_major_hazard, True),
                ("monitoring-board", "/monitoring/board/", True),
            ],
        )
        shoot(browser, base, "qiye_aqy", DESKTOP, [("safety-code", own_risks, False)])
        shoot(browser, base, "qiye_yg", PHONE, [("phone-home", "/", True)])
        # Run `anjian monitor simulate` first, so that alarms are open.
        shoot(browser, base, "qiye_aqy", PHONE, [("alarm-phone", open_alarm, True)])
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
