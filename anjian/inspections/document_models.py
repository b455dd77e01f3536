"""Enforcement documents as issued (issue 12 item 8): models, imported by models.py."""

__all__: list[str] = []
