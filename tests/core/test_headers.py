"""Security headers and the deploy check (等保 level 3): a Content-Security-Policy without
inline script on every page, Permissions-Policy, HSTS and the HTTPS redirect when
ANJIAN_HTTPS=1, and `anjian manage check --deploy` clean in the production settings that
docs/operations.md documents."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from anjian.core import headers

ROOT = Path(__file__).resolve().parents[2]


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_given_any_page_then_csp_forbids_inline_script_and_framing(world):
    c = Client()
    c.force_login(world.user("coordinator_x"))
    for url in ("/login/", "/", "/enterprises/", "/hazards/", "/risks/map/"):
        response = c.get(url)
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["default-src"] + policy["style-src-elem"]
        assert "geolocation=(self)" in response["Permissions-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"


def test_given_the_api_then_the_same_policy(world):
    response = Client().get("/api/v1/openapi.json")
    assert "script-src 'self'" in response["Content-Security-Policy"]


TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted(
    (ROOT / "anjian").rglob("templates/**/*.html")
)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_given_a_template_then_no_inline_script_or_event_handler(path):
    # What the policy would block: keep pages working under it.
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "on* attribute"
    assert "javascript:" not in text


def test_given_the_error_page_then_its_style_block_is_allowed_by_hash():
    policy = directives(headers.content_security_policy())
    assert len(policy["style-src-elem"]) == 2 and policy["style-src-elem"][1].startswith("'sha256-")


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_given_https_settings_then_plain_http_redirected_and_hsts_sent(db):
    c = Client()
    plain = c.get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    secure = c.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANJIAN_", "PYTEST", "DJANGO")) and k != "DATABASE_URL"
    }
    env.update(
        {
            "ANJIAN_VAR_DIR": str(tmp_path),
            "ANJIAN_HTTPS": "1",
            "ANJIAN_SECRET_KEY": secrets.token_urlsafe(50),
            "ANJIAN_AUDIT_KEY": secrets.token_hex(32),
            "ANJIAN_ALLOWED_HOSTS": "anjian.example.gov.cn",
            "ANJIAN_TRUSTED_PROXY_COUNT": "1",
            **extra,
        }
    )
    return env


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    anjian = Path(sys.executable).with_name("anjian")
    return subprocess.run(
        [str(anjian), "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_given_the_documented_production_settings_then_check_deploy_is_clean(tmp_path):
    result = run_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_given_https_off_then_check_deploy_complains(tmp_path):
    # The check is real: without the HTTPS settings it fails.
    result = run_check(production_env(tmp_path, ANJIAN_HTTPS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("extra", "warning"),
    [
        ({"ANJIAN_AUDIT_KEY": ""}, "anjian.W001"),
        ({"ANJIAN_AUDIT_KEY": "short"}, "anjian.W002"),
        ({"ANJIAN_TRUSTED_PROXY_COUNT": "0"}, "anjian.W003"),
    ],
)
def test_given_a_weak_production_setting_then_our_deploy_check_names_it(tmp_path, extra, warning):
    result = run_check(production_env(tmp_path, **extra))
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr
