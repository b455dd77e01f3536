"""Hazard pages. Each area (ledger and steps, deadlines, files, re-checks, statistics)
keeps its own URL module; they share the "hazards" namespace."""

from django.urls import include, path

app_name = "hazards"
urlpatterns: list = [
    # area modules are included below, one line each
    path("", include("anjian.hazards.page_urls")),
    path("", include("anjian.hazards.deadline_urls")),
    path("", include("anjian.hazards.file_urls")),
    path("", include("anjian.hazards.recheck_urls")),
]
