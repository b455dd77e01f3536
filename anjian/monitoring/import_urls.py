"""URLs of the Excel import of points and set-points (included by anjian/monitoring/urls.py)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path(
        "monitoring/enterprises/<int:pk>/points/import/",
        import_views.points_import,
        name="points-import",
    ),
    path(
        "monitoring/points/import-template.xlsx",
        import_views.points_import_template,
        name="points-import-template",
    ),
]
