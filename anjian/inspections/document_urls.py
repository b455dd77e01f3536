"""Enforcement documents (issue 12 item 8): an inspection's documents, the issue form per
kind, a document's page, its correction and its download. Under "enforcement/" so that no
path meets inspections' catch-all "inspections/<pk>/<action>/"."""

from django.urls import path

from . import document_views as views

app_name = "enforcement_documents"
urlpatterns = [
    path("enforcement/inspections/<int:pk>/documents/", views.document_list, name="list"),
    path(
        "enforcement/inspections/<int:pk>/documents/<slug:kind>/new/",
        views.document_issue,
        name="issue",
    ),
    path("enforcement/documents/<int:pk>/", views.document_detail, name="detail"),
    path("enforcement/documents/<int:pk>/correct/", views.document_correct, name="correct"),
    path("enforcement/documents/<int:pk>/download/", views.document_download, name="download"),
]
