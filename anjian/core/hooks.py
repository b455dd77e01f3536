"""Calls from the ground floor (the registry) to capabilities that keep data derived from
it, without the registry importing them: a capability registers its function in its
AppConfig.ready, and the registry's services call the hook inside their transaction, so
the derived data change with the registry or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Regrouped = Callable[..., Any]
_regrouped: list[Regrouped] = []

# Past this many enterprises a hook is told "all" rather than the list (one query over the
# registry beats a long IN list, which SQLite also caps).
MANY = 5000


def on_enterprises_regrouped(function: Regrouped) -> Regrouped:
    """Register `function(enterprise_ids=…)`: called when enterprises changed grid,
    industry or duties (enterprise_ids None: possibly any)."""
    if function not in _regrouped:
        _regrouped.append(function)
    return function


def enterprises_regrouped(enterprise_ids: Iterable[int] | None) -> None:
    ids = None if enterprise_ids is None else list(enterprise_ids)
    if ids is not None and len(ids) > MANY:
        ids = None
    for function in _regrouped:
        function(enterprise_ids=ids)
