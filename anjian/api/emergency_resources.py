"""Emergency resources over HTTP (issue 14)."""

from ninja import Router

router = Router(tags=["emergency"])
