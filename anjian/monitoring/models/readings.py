"""Readings, rejections, aggregates and latest values (the ingestion part)."""

__all__: list[str] = []
