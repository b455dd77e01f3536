from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("anjian.api.urls")),
    path("", include("anjian.registry.urls")),
    path("", include("anjian.risks.urls")),
    path("", include("anjian.diagnosis.urls")),
    path("", include("anjian.hazards.urls")),
    path("", include("anjian.reports.urls")),
    path("", include("anjian.credit.urls")),
    path("", include("anjian.commitments.urls")),
    path("", include("anjian.monitoring.urls")),
    path("", include("anjian.checks.urls")),
    path("", include("anjian.inspections.urls")),
    path("", include("anjian.inspections.planning_urls")),
    path("", include("anjian.inspections.document_urls")),
    path("", include("anjian.inspections.figures_urls")),
    path("", include("anjian.penalties.urls")),
    path("", include("anjian.accidents.urls")),
    path("", include("anjian.emergency.urls")),
    path("", include("anjian.public.urls")),
    path("", include("anjian.people.urls")),
    path("", include("anjian.dispatch.urls")),
    path("", include("anjian.reports.bulletin_urls")),
    path("", include("anjian.accounts.urls")),
    path("", include("anjian.core.urls")),
    path("", include("anjian.dashboard.urls")),
]

# No route serves MEDIA_ROOT, not even with DEBUG (make demo): an uploaded file is reached
# only through a view that checked scope (anjian.core.uploads.serve_file).
