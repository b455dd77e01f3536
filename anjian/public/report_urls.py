"""Routes of the public app's report pages (merged into the "public" namespace by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
