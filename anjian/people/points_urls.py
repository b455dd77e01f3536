"""Routes of the people app's points pages (merged into the "people" namespace by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
