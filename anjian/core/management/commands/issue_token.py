from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from anjian.accounts.models import User
from anjian.accounts.services import token_issue
from anjian.core.audit import Actor


class Command(BaseCommand):
    help = "Issue an API token for a user (machine client). The raw token is printed once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"validity in days (default ANJIAN_API_TOKEN_DAYS, now {settings.ANJIAN_API_TOKEN_DAYS})",
        )

    def handle(self, *args, username: str, name: str, days: int | None, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user '{username}'")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        token, raw = token_issue(
            actor=Actor.system("cli", "anjian token create"), user=user, name=name, days=days
        )
        self.stdout.write(raw)
        self.stderr.write(f"expires {token.expires_at.isoformat(timespec='seconds')}")
