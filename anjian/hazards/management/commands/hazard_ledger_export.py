"""Export a user's hazard ledger to an .xlsx file, without the download cap: for a whole
city's or province's ledger (millions of rows, sheets rolling over at a million) and the
benchmark. Scoped exactly as the page (the user's jurisdiction) and audited (via "cli")."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from anjian.accounts.models import User
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.hazards import ledger, ledger_excel


class Command(BaseCommand):
    help = (
        "Write the hazard ledger (隐患排查治理台账) a user may see to an Excel file; filters as "
        "on the ledger page, e.g. --filter level=major --filter state=open."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username whose scope is exported.")
        parser.add_argument("--out", required=True, help="Path of the .xlsx file to write.")
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
            count = ledger_excel.ledger_export(
                actor=Actor.for_user(account, "cli"), filters=parsed, stream=stream
            )
        self.stdout.write(
            json.dumps(
                {"rows": count, "file": out, "seconds": round(time.monotonic() - started, 1)},
                ensure_ascii=False,
            )
        )
