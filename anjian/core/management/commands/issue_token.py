from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anjian.accounts.models import ApiToken, User, hash_token
from anjian.core.audit import Actor, audit_append


class Command(BaseCommand):
    help = "Issue an API token for a user (machine client). The raw token is printed once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user '{username}'")
        raw = ApiToken.new_raw_key()
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=name, key_hash=hash_token(raw), prefix=raw[:8]
            )
            audit_append(
                actor=Actor.system("cli", "anjian token create"),
                action="create",
                obj=token,
                summary=f"token {name} for {username}",
            )
        self.stdout.write(raw)
