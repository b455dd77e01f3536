"""Routes of the public app's report pages (merged into the "public" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import report_views as v

urlpatterns: list[URLPattern] = [
    path("report/", v.report_new, name="report-new"),
    path("report/track/", v.report_track, name="report-track"),
    path("whistleblowing/", v.report_list, name="report-list"),
    path("whistleblowing/<int:pk>/", v.report_detail, name="report-detail"),
    path("whistleblowing/<int:pk>/photos/<int:photo_pk>/", v.report_photo, name="report-photo"),
    path("whistleblowing/<int:pk>/reveal/", v.report_reveal, name="report-reveal"),
    path("whistleblowing/<int:pk>/<slug:action>/", v.report_act, name="report-act"),
]
