"""Routes of the public app's exposure pages (merged into the "public" namespace by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
