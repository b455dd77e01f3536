"""Every demo account walks its own pages in a real browser, and no page shows
untranslated text.

For each demo account (one per role) Chromium signs in, starts at the home page and
follows same-origin links breadth first. Each *kind* of page is seen once per account:
pages are told apart by their URL pattern plus the names of their query parameters, so
/hazards/1/ and /hazards/2/ count once. On every page the visible text, the <title>,
and the placeholder, title and aria-label attributes may hold no ASCII word (two or
more Latin letters in a row) outside ALLOWED below. The failure lists every page with
its words, so one run shows all of them.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.urls import Resolver404, resolve, reverse

from anjian.demo.generator import DEMO_PASSWORD, DEMO_USERS, build_demo
from tests.e2e.test_browser import DESKTOP

# Which words a page shows does not depend on the database; the walk (about 550 pages)
# runs once, on SQLite, to keep CI short. Every page's PostgreSQL path is exercised by
# the page tests that run on both.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "postgresql", reason="the language walk runs on SQLite"
    ),
]

ADMINS = {"admin", "secadmin", "auditor"}
ADMIN_PAGE_CAP = 15  # Django admin pages per administrator: enough to see the kinds
WORD = re.compile(r"[A-Za-z]{2,}")

# ASCII words that are legitimately on the pages. Each is a code, a unit, a format or a
# standard's name, never English prose.
ALLOWED = {
    # The product's Latin wordmark next to 安监 in the header.
    "anjian",
    # Risk assessment methods by their standard abbreviations (作业条件危险性分析 etc.).
    "LEC",
    "LS",
    "MES",
    # Chinese standard prefixes: GB 18218, GB/T 33000, AQ/T 9006 …
    "GB",
    "AQ",
    # The US injury rates the accident statistics name when saying they cannot be shown.
    "OSHA",
    # Data and document formats named on buttons and hints.
    "Excel",
    "Word",
    "PDF",
    "PNG",
    "JPEG",
    "JPG",
    "GeoJSON",
    "JSON",
    "API",
    "ID",
    "SVG",  # the QR code's printable download next to PNG
    "WebP",  # a photo format the upload accepts
    "xlsx",  # the file extension of the Excel templates
    # Units.
    "km",
    "kg",
    "kPa",
    "kV",
    "MB",  # upload size limits
    # Monitoring units (GB/T 50493: %LEL, ppm; pressure in MPa; methane as %CH4).
    "LEL",
    "ppm",
    "MPa",
    "CH",
    # Registry numbers and standard prefixes.
    "CAS",  # CAS number of a hazardous chemical (GB 18218)
    "hc",  # item numbers of the major-hazard criteria (hc2017-12), given as an example
    "DB",  # local standards (DB33/T …) a grading profile is named after
    # Steelmaking furnaces by their trade names in the national checklist items
    # (AOD 炉, VOD 炉, LF 精炼炉, RH 真空精炼).
    "AOD",
    "VOD",
    "LF",
    "RH",
    # 自动体外除颤器（AED）: the device's name in the emergency supplies catalogue.
    "AED",
}

# Words still shown on a page because of code outside this test's reach (the owner is
# named); remove an entry as soon as its cause is fixed. The test fails on any other word.
KNOWN_OPEN: dict[str, set[str]] = {}

# The Django admin's data (changelist rows, read-only values, filter values) is rendered
# by anjian/*/admin.py: raw codes there are reported (printed) but do not fail this test;
# the admin's own headings, buttons, labels and help are checked like any page.
ADMIN_DATA = "#result_list tbody, div.readonly, #changelist-filter li"

# Django names and paths that are not pages: leaving, switching language, files.
SKIP_NAMES = {
    "logout",
    "admin:logout",
    "set_language",
    "inbox-read",
    "inbox-read-all",
    "hazards:photo",
    "risks:siteplan-image",
    "risks:code-qr",
    "risks:jurisdiction-map-data",
}
SKIP_PREFIXES = ("/api/", "/i18n/", "/static/", "/media/")
# Query keys that page or sort the same page (and the admin's own bookkeeping keys).
SAME_KIND_KEYS = {"page", "p", "o", "_facets", "_changelist_filters", "_to_field", "_popup"}
FILE_SUFFIX = re.compile(r"\.(xlsx|xls|docx|doc|pdf|png|jpe?g|gif|svg|csv|json|zip)$", re.I)

# The rendered text (innerText), leaving out code shown by design (<code>, <kbd>, .mono:
# credit codes, document numbers) and text marked as another language (the language
# switch names English in English), plus drop-down options and the attributes.
READ_PAGE = """(ADMIN_DATA) => {
  const skip = "code, kbd, .mono, body [lang]:not([lang|=zh]), " + ADMIN_DATA;
  // Hidden one by one through the CSSOM: the CSP refuses an injected <style>.
  const hidden = Array.from(document.querySelectorAll(skip));
  for (const el of hidden) el.style.setProperty("display", "none", "important");
  const text = document.body.innerText;
  for (const el of hidden) el.style.removeProperty("display");
  const attrs = Array.from(document.querySelectorAll("option"), (o) => o.textContent);
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
    if (el.closest(skip)) continue;
    for (const name of ["placeholder", "title", "aria-label"]) {
      const value = el.getAttribute(name);
      if (value) attrs.push(value);
    }
  }
  for (const el of document.querySelectorAll("input[type=submit], input[type=button]")) {
    if (el.value && !el.closest(skip)) attrs.push(el.value);
  }
  const links = Array.from(document.querySelectorAll("a[href]:not([download])"),
    (a) => new URL(a.getAttribute("href"), location.href).href);
  const data = Array.from(document.querySelectorAll(ADMIN_DATA), (el) => el.innerText);
  return {title: document.title, text, attrs, links, data};
}"""


def page_kind(path: str, query: str) -> tuple[str, str, tuple[str, ...]] | None:
    """The kind of page a link opens, or None when it is not a page to walk."""
    if path.startswith(SKIP_PREFIXES) or FILE_SUFFIX.search(path):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name in SKIP_NAMES:
        return None
    keys = tuple(sorted({k for k, _v in parse_qsl(query, keep_blank_values=True)} - SAME_KIND_KEYS))
    return match.view_name, match.route, keys


def foreign_words(texts: list[str], known: set[str] = frozenset()) -> list[str]:
    words = {word for text in texts for word in WORD.findall(text)}
    return sorted(words - ALLOWED - known)


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(base + reverse("home"))


# Pages worth a full-page screenshot besides home, in order of preference (two a role).
SHOT_PAGES = (
    "hazards:ledger",
    "risks:enterprise",
    "enterprise-list",
    "admin:index",
    "admin:accounts_user_changelist",
    "admin:core_auditentry_changelist",
    "inbox",
)


@dataclass
class Walk:
    problems: list[str] = field(default_factory=list)
    admin_data: dict[str, list[str]] = field(default_factory=dict)
    visited: int = 0


def static_from_memory(cache: dict):
    """Serve /static/ from memory after the first fetch: the live server would send the
    stylesheet and script again on every page."""

    def handle(route):
        url = route.request.url
        if url not in cache:
            fetched = route.fetch()
            cache[url] = (fetched.status, fetched.headers, fetched.body())
        status, headers, body = cache[url]
        route.fulfill(status=status, headers=headers, body=body)

    return handle


def walk(browser, base: str, username: str, shots: Path, static: dict) -> Walk:
    """Walk one account's pages breadth first, one page of each kind."""
    context = browser.new_context(
        viewport=DESKTOP, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"}
    )
    context.route("**/static/**", static_from_memory(static))
    page = context.new_page()
    sign_in(page, base, username)
    result = Walk()
    origin = urlsplit(base).netloc
    home = reverse("home")
    queue = deque([home])
    seen = {page_kind(home, "")}
    admin_pages = 0
    shots_left = 2
    while queue:
        url = queue.popleft()
        try:
            response = page.goto(base + url, wait_until="domcontentloaded")
        except Exception as error:  # a link that turns out to be a download
            if "Download is starting" in str(error):
                continue
            raise
        result.visited += 1
        headers = response.headers if response else {}
        if "text/html" not in headers.get("content-type", ""):
            continue
        status = response.status
        if status not in (200, 403):
            result.problems.append(f"{username} {url}: HTTP {status}")
        found = page.evaluate(READ_PAGE, ADMIN_DATA)
        name = resolve(urlsplit(url).path).view_name
        words = foreign_words(
            [found["title"], found["text"], *found["attrs"]], KNOWN_OPEN.get(name, set())
        )
        if words:
            result.problems.append(f"{username} {url}: {' '.join(words)}")
        data_words = foreign_words(found["data"])
        if data_words:
            result.admin_data[name] = data_words
        if status != 200:
            continue
        if url == home or (shots_left and name in SHOT_PAGES):
            shots_left -= url != home
            slug = name.replace(":", "-")
            page.screenshot(path=str(shots / f"{username}-{slug}.png"), full_page=True)
        for link in found["links"]:
            target = urlsplit(link)
            if target.netloc != origin:
                continue
            kind = page_kind(target.path, target.query)
            if kind is None or kind in seen:
                continue
            if kind[0].startswith("admin:"):
                if username not in ADMINS or admin_pages >= ADMIN_PAGE_CAP:
                    continue
                admin_pages += 1
            seen.add(kind)
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    context.close()
    return result


def test_given_demo_when_every_role_walks_its_pages_then_no_untranslated_text(
    live_server, browser, artifacts, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo(enterprises=40, seed=7)
    shots = artifacts / "walk"
    shots.mkdir(exist_ok=True)
    started = time.perf_counter()
    problems: list[str] = []
    counts: list[str] = []
    static: dict = {}
    for username, _role, _where, _name in DEMO_USERS:
        walked = walk(browser, live_server.url, username, shots, static)
        problems += walked.problems
        counts.append(f"{username} {walked.visited}")
        for name, words in walked.admin_data.items():
            print(f"admin data {username} {name}: {' '.join(words)}")
    print(f"walked in {time.perf_counter() - started:.1f}s: {', '.join(counts)}")
    assert not problems, "Untranslated text or a bad status:\n" + "\n".join(problems)
