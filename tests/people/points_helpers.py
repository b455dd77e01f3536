"""Workers and actors for the points and responsibility-list tests (the worker pages
are another area's: rows are made directly)."""

from __future__ import annotations

from anjian.core.audit import Actor
from anjian.people.models import Worker


def act(world, name: str, via: str = "web") -> Actor:
    return Actor.for_user(world.user(name), via)


def worker(enterprise, name: str, post: str = "操作工", user=None, **extra) -> Worker:
    return Worker.objects.create(enterprise=enterprise, name=name, post=post, user=user, **extra)


def crew(world) -> dict[str, Worker]:
    """Three workers at chem_a (the employee persona is 王五), one at build_b, one in Y."""
    return {
        "wang": worker(world.chem_a, "王五", "操作工", user=world.user("employee_a")),
        "zhao": worker(world.chem_a, "赵六", "操作工"),
        "qian": worker(world.chem_a, "钱七", "电工"),
        "sun": worker(world.build_b, "孙八", "架子工"),
        "zhou": worker(world.chem_c, "周九", "操作工"),
    }
