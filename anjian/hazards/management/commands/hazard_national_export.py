"""Export the hazards a user may see in the shape of the national table t_yhzlxx, as
JSON Lines (one record per line, the table's keys and codes): for the provincial
dual-prevention platform. Scoped as the ledger page and audited (via "cli")."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from anjian.accounts.models import User
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.hazards import ledger, national


class Command(BaseCommand):
    help = (
        "Write the hazards a user may see as t_yhzlxx JSON Lines; filters as on the ledger "
        "page, e.g. --filter level=major --filter state=open."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username whose scope is exported.")
        parser.add_argument("--out", required=True, help="Path of the .jsonl file to write.")
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A ledger filter (q, state, level, enterprise, division, overdue, …).",
        )

    def handle(self, *args, user, out, filters, **options):
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
        with open(out, "wb") as stream:
            count = national.national_export(
                actor=Actor.for_user(account, "cli"), filters=parsed, stream=stream
            )
        self.stdout.write(
            json.dumps(
                {"rows": count, "file": out, "seconds": round(time.monotonic() - started, 1)},
                ensure_ascii=False,
            )
        )
