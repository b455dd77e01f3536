"""Files of the hazard ledger (notices, export, import); names are hazards:<name>."""

from django.urls import path

from . import file_views

urlpatterns = [
    path(
        "hazards/<int:pk>/notice/rectification.docx",
        file_views.notice_rectification,
        name="notice-rectification",
    ),
    path(
        "hazards/<int:pk>/notice/listing.docx",
        file_views.notice_listing,
        name="notice-listing",
    ),
    path("hazards/export.xlsx", file_views.ledger_export, name="ledger-export"),
    path("hazards/import/", file_views.hazard_import, name="import"),
    path("hazards/import/template.xlsx", file_views.import_template, name="import-template"),
]
