"""Routes of the emergency allocation pages (merged into the "emergency" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import allocation_views as views

urlpatterns: list[URLPattern] = [
    path("emergency/allocations/", views.allocation_list, name="allocations"),
    path("emergency/allocations/new/", views.allocation_new, name="allocation-new"),
    path("emergency/allocations/<int:run_id>/", views.allocation_detail, name="allocation"),
    path(
        "emergency/allocations/<int:run_id>/xlsx/",
        views.allocation_xlsx,
        name="allocation-xlsx",
    ),
]
