"""People permit over HTTP (issue 15)."""

from ninja import Router

router = Router(tags=["people"])
