from django.conf import settings
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
    path("", include("anjian.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
