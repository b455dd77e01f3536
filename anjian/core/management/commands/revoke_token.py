from django.core.management.base import BaseCommand, CommandError

from anjian.accounts.models import ApiToken
from anjian.accounts.services import token_revoke
from anjian.core.audit import Actor


class Command(BaseCommand):
    help = "Revoke an API token, named by its id or by the prefix `anjian token list` shows."

    def add_arguments(self, parser):
        parser.add_argument("token", help="id or prefix (aj_…)")

    def handle(self, *args, token: str, **options):
        if token.isdigit():
            rows = list(ApiToken.objects.filter(pk=int(token)))
        else:
            rows = list(ApiToken.objects.filter(prefix=token))
        if not rows:
            raise CommandError(f"no token '{token}'")
        if len(rows) > 1:
            ids = ", ".join(str(row.pk) for row in rows)
            raise CommandError(f"prefix '{token}' names several tokens ({ids}): give the id")
        row = token_revoke(actor=Actor.system("cli", "anjian token revoke"), token=rows[0])
        self.stdout.write(f"revoked {row.pk} {row.prefix} {row.name}")
