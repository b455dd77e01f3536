"""The ground floor's home tile: what is waiting for the user (their unread to-dos)."""

from __future__ import annotations

from anjian.core import tiles


@tiles.register("core.todo", order=10, template="core/_todo.html")
def todo(user) -> dict | None:
    # The template reads the to-dos itself ({% inbox_todo %}) and shows nothing when none.
    return {} if user.is_authenticated else None
