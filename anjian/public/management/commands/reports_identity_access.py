"""Grant or withdraw the permission to read whistleblowers' identities
(public.read_reporter_identity) — the security administrator's decision (三员分立: the
accounts admin exposes no permissions, so it is granted here, audited)."""

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anjian.accounts.models import REGULATOR_ROLES, User
from anjian.core.audit import Actor, audit_append


class Command(BaseCommand):
    help = "Grant (or with --revoke withdraw) public.read_reporter_identity; --list shows holders."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--revoke", action="store_true")
        parser.add_argument("--list", action="store_true")
        parser.add_argument("--by", default="security_admin", help="Who decided (recorded).")

    def handle(self, *args, username, revoke, list, by, **options):
        perm = Permission.objects.get(
            content_type__app_label="public", codename="read_reporter_identity"
        )
        if list:
            for user in User.objects.filter(user_permissions=perm).order_by("username"):
                self.stdout.write(user.username)
            return
        if not username:
            raise CommandError("give a username")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        if not revoke and user.role not in REGULATOR_ROLES:
            raise CommandError("only a regulator (coordinator or department officer) may hold it")
        with transaction.atomic():
            if revoke:
                user.user_permissions.remove(perm)
            else:
                user.user_permissions.add(perm)
            audit_append(
                actor=Actor.system("cli", by),
                action="identity_perm_revoke" if revoke else "identity_perm_grant",
                obj=user,
                summary=f"public.read_reporter_identity {'withdrawn from' if revoke else 'granted to'} {username}",
            )
        self.stdout.write(("withdrawn from " if revoke else "granted to ") + username)
