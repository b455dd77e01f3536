"""Routes of the people app's worker, training and certificate pages (merged into the
"people" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import training_views as views

urlpatterns: list[URLPattern] = [
    path("workers/", views.workers, name="workers"),
    path("workers/new/", views.worker_new, name="worker-new"),
    path("workers/<int:pk>/", views.worker, name="worker"),
    path("workers/<int:pk>/edit/", views.worker_edit, name="worker-edit"),
    path("workers/<int:pk>/trainings/new/", views.training_new, name="training-new"),
    path("workers/<int:pk>/certificates/new/", views.certificate_new, name="certificate-new"),
    path("certificates/", views.certificates, name="certificates"),
    path("training/compliance/", views.training_compliance, name="training-compliance"),
    path("workers/import/", views.people_import, name="import"),
    path(
        "workers/import/template/<str:kind>/",
        views.people_import_template,
        name="import-template",
    ),
]
