from django.core.management.base import BaseCommand

from anjian.accounts.models import Role, User
from anjian.demo.generator import DEMO_PASSWORD, DEMO_USERS


def _where(user: User) -> str:
    """Where the account works, so that who sees what can be tried: the qiye_* accounts'
    enterprise, which is also in the grid officer's grid."""
    for place in (user.enterprise, user.department, user.division):
        if place is not None:
            return f"（{place.name}）"
    return ""


class Command(BaseCommand):
    help = "Print the demo accounts (one per role) and their password."

    def handle(self, *args, **options):
        names = [u for u, _r, _w, _d in DEMO_USERS]
        found = {
            u.username: u
            for u in User.objects.filter(username__in=names).select_related(
                "enterprise", "department", "division"
            )
        }
        if not found:
            self.stdout.write("No demo accounts in this database.")
            return
        self.stdout.write("演示账号 (demo accounts) — 密码 password: " + DEMO_PASSWORD)
        for username in names:
            user = found.get(username)
            if user is None:
                continue
            role = Role(user.role).label if user.role else "-"
            line = f"  {username:<10} {role:<22} {user.display_name}  {_where(user)}"
            self.stdout.write(line.rstrip())
