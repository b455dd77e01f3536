"""Deployment checks of our own, run by `anjian manage check --deploy` beside Django's:
settings that 等保 level 3 needs in production and that a default would get wrong."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_security(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    problems = []
    if not os.environ.get("ANJIAN_AUDIT_KEY"):
        problems.append(
            Warning(
                "The audit key is read from a file beside the data (ANJIAN_AUDIT_KEY_FILE).",
                hint="Set ANJIAN_AUDIT_KEY from the secret store, kept out of database "
                "backups (docs/operations.md, Audit trail).",
                id="anjian.W001",
            )
        )
    elif len(settings.ANJIAN_AUDIT_KEY) < 32:
        problems.append(
            Warning(
                "ANJIAN_AUDIT_KEY is shorter than 32 characters.",
                hint="Use e.g. python3 -c 'import secrets; print(secrets.token_hex(32))'.",
                id="anjian.W002",
            )
        )
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not getattr(
        settings, "ANJIAN_TRUSTED_PROXY_COUNT", 0
    ):
        problems.append(
            Warning(
                "Behind a TLS proxy (ANJIAN_HTTPS=1) but ANJIAN_TRUSTED_PROXY_COUNT is 0: "
                "every user would share the proxy's address for the per-IP sign-in limit.",
                hint="Set ANJIAN_TRUSTED_PROXY_COUNT=1 behind one nginx that appends "
                "X-Forwarded-For (docs/operations.md, Security).",
                id="anjian.W003",
            )
        )
    return problems
