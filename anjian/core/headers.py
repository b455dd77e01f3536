"""Security headers on every response: Content-Security-Policy and Permissions-Policy
(等保 level 3, intrusion prevention). Django's SecurityMiddleware adds the others (nosniff,
Referrer-Policy, Cross-Origin-Opener-Policy, HSTS and the HTTPS redirect when
ANJIAN_HTTPS=1).

The pages load their scripts from /static/ only (vendored ECharts and the small page
scripts); no page has an inline script or an on* attribute, so script-src is 'self' with
no 'unsafe-inline' and no nonce: an injected <script> or onerror= never runs. Style
attributes stay allowed (style-src-attr): ECharts' tooltips and a few templates set
them, and CSS cannot run script. The standalone 500 page keeps its one <style> block by
its hash. A response that set its own policy keeps it (uploaded files are served with a
stricter, sandboxed one).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CSP_HEADER = "Content-Security-Policy"


@cache
def _error_page_style_hashes() -> tuple[str, ...]:
    hashes = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        try:
            text = (directory / "500.html").read_text(encoding="utf-8")
        except OSError:
            continue
        for block in re.findall(r"<style>(.*?)</style>", text, flags=re.S):
            digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return tuple(hashes)


@cache
def content_security_policy() -> str:
    directives: dict[str, list[str]] = {
        key: list(value) for key, value in settings.ANJIAN_CONTENT_SECURITY_POLICY.items()
    }
    directives.setdefault("style-src-elem", ["'self'"]).extend(_error_page_style_hashes())
    return "; ".join(f"{key} {' '.join(values)}".strip() for key, values in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = content_security_policy()
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.ANJIAN_PERMISSIONS_POLICY
        return response
