"""Routes of the people app's worker, training and certificate pages (merged into the
"people" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import training_views as views

urlpatterns: list[URLPattern] = [
    path("people/workers/", views.workers, name="workers"),
    path("people/workers/new/", views.worker_new, name="worker-new"),
    path("people/workers/<int:pk>/", views.worker, name="worker"),
    path("people/workers/<int:pk>/edit/", views.worker_edit, name="worker-edit"),
    path("people/workers/<int:pk>/trainings/new/", views.training_new, name="training-new"),
    path(
        "people/workers/<int:pk>/certificates/new/", views.certificate_new, name="certificate-new"
    ),
    path("people/certificates/", views.certificates, name="certificates"),
    path(
        "people/certificates/<int:pk>/review/",
        views.certificate_review,
        name="certificate-review",
    ),
    path(
        "people/certificates/<int:pk>/revoke/",
        views.certificate_revoke,
        name="certificate-revoke",
    ),
    path("people/training/compliance/", views.training_compliance, name="training-compliance"),
    path("people/workers/import/", views.people_import, name="import"),
    path(
        "people/workers/import/template/<str:kind>/",
        views.people_import_template,
        name="import-template",
    ),
]
