"""The command-line frame the ledger exports share: a user whose scope is exported, the
ledger page's filters as NAME=VALUE, a file, and one JSON line saying what was written.
Each command names its writer (a function taking actor, filters and a binary stream)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from anjian.accounts.models import User
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.hazards import ledger


class LedgerExportCommand(BaseCommand):
    out_help = "Path of the file to write."

    def writer(self) -> Callable[..., int]:  # pragma: no cover - each command sets it
        raise NotImplementedError

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="Username whose scope is exported.")
        parser.add_argument("--out", required=True, help=self.out_help)
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A ledger filter (q, state, level, enterprise, division, overdue, …).",
        )

    def handle(self, *args: Any, user: str, out: str, filters: list[str], **options: Any) -> None:
        account = User.objects.filter(username=user).first()
        if account is None or not scoping.is_active_user(account):
            raise CommandError(f"No active user with a role named {user!r}.")
        params: dict[str, list[str]] = {}
        for item in filters:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter takes NAME=VALUE, got {item!r}.")
            params.setdefault(name.strip(), []).append(value.strip())
        parsed, errors = ledger.parse_filters(params)
        if errors:
            raise CommandError(json.dumps(errors, ensure_ascii=False))
        started = time.monotonic()
        stream: IO[bytes]
        with open(out, "wb") as stream:
            count = self.writer()(
                actor=Actor.for_user(account, "cli"), filters=parsed, stream=stream
            )
        self.stdout.write(
            json.dumps(
                {"rows": count, "file": out, "seconds": round(time.monotonic() - started, 1)},
                ensure_ascii=False,
            )
        )
