"""Routes of the emergency resource pages (merged into the "emergency" namespace by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
