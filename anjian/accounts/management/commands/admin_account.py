"""Administrator accounts (三员分立) come from the command line, not from the web: the
security administrator cannot create or change them (see anjian.accounts.admin)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anjian.accounts.models import ADMIN_ROLES, Role, User
from anjian.core.audit import Actor, audit_append


class Command(BaseCommand):
    help = (
        "Create an administrator account (platform, security or audit administrator), or "
        "change an account's administrator role. Set its password afterwards with "
        "`anjian manage changepassword USERNAME`."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(str(role) for role in ADMIN_ROLES))
        parser.add_argument("--name", default="", help="display name")

    def handle(self, *args, username: str, role: str, name: str, **options):
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=username).first()
            created = user is None
            if created:
                user = User(username=username)
                user.set_unusable_password()
            elif user.is_superuser:
                raise CommandError(f"'{username}' is a superuser: use a separate account")
            before = user.role
            user.role = Role(role)
            user.display_name = name or user.display_name
            user.is_staff = True
            user.save()
            audit_append(
                actor=Actor.system("cli", "anjian manage admin_account"),
                action="create" if created else "change",
                obj=user,
                summary=f"administrator account {username}: {role}"[:255],
                changes={"role": [before, role]} if not created else {"role": role},
            )
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} {username} ({role})")
        if created:
            self.stdout.write(f"set its password: anjian manage changepassword {username}")
