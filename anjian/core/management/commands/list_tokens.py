import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from anjian.accounts.models import ApiToken


class Command(BaseCommand):
    help = "List API tokens (never their values): one JSON object per line."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default=None)

    def handle(self, *args, username: str | None, **options):
        rows = ApiToken.objects.select_related("user").order_by("pk")
        if username:
            rows = rows.filter(user__username=username)
        now = timezone.now()

        def when(value):
            return value.isoformat(timespec="seconds") if value else None

        for row in rows:
            state = "revoked" if row.revoked else ("expired" if row.expires_at <= now else "active")
            line = {
                "id": row.pk,
                "prefix": row.prefix,
                "name": row.name,
                "user": row.user.get_username(),
                "state": state,
                "created_at": when(row.created_at),
                "expires_at": when(row.expires_at),
                "last_used_at": when(row.last_used_at),
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
