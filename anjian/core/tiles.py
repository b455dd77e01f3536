"""The home page is a column of tiles that the capabilities contribute.

Each app that has something to show on the home page keeps a `home_tiles` module that
registers its tiles here; the dashboard app (above every capability) discovers those
modules and renders the tiles that have something for the signed-in user, in order. So a
new capability adds its tile in its own app, without touching the ground floor or the
dashboard.

A tile is a template and a function of the user that returns the template's context, or
None when the tile has nothing for that user (wrong role, nothing in scope).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TileContext = Callable[[Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Tile:
    name: str
    order: int
    template: str
    context: TileContext


_TILES: dict[str, Tile] = {}


def register(name: str, *, order: int, template: str) -> Callable[[TileContext], TileContext]:
    """Register `func(user) -> dict | None` as the home tile `name`.

    Order: 10 to-dos, 20 quick actions, 30-49 figures and what is urgent today, 50-79
    cards (an enterprise's own facts), 90 administration.
    Registering the same name again replaces it (module reloads in tests)."""

    def decorate(func: TileContext) -> TileContext:
        _TILES[name] = Tile(name=name, order=order, template=template, context=func)
        return func

    return decorate


def registered() -> list[Tile]:
    return sorted(_TILES.values(), key=lambda tile: (tile.order, tile.name))


@dataclass(frozen=True)
class Shown:
    """A tile with its context for one user, as the home template iterates it."""

    name: str
    template: str
    data: dict[str, Any]


def tiles_for(user: Any) -> list[Shown]:
    shown: list[Shown] = []
    for tile in registered():
        data = tile.context(user)
        if data is not None:
            shown.append(Shown(name=tile.name, template=tile.template, data=data))
    return shown
