"""Routes of the emergency plan pages (merged into the "emergency" namespace by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
