"""Public exposure over HTTP (issue 15)."""

from ninja import Router

router = Router(tags=["public"])
