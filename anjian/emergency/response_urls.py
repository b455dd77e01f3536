"""Routes of the emergency response pages (merged into the "emergency" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import response_views as v

urlpatterns: list[URLPattern] = [
    path("emergency/incidents/", v.incident_list, name="incidents"),
    path("emergency/incidents/new/", v.incident_new, name="incident-new"),
    path("emergency/incidents/<int:incident_id>/", v.incident_detail, name="incident"),
    path("emergency/incidents/<int:incident_id>/call/", v.incident_call, name="incident-call"),
    path("emergency/incidents/<int:incident_id>/note/", v.incident_note, name="incident-note"),
    path("emergency/incidents/<int:incident_id>/close/", v.incident_close, name="incident-close"),
    path(
        "emergency/incidents/<int:incident_id>/timeline.json",
        v.incident_timeline,
        name="incident-timeline",
    ),
    path(
        "emergency/incidents/<int:incident_id>/report/", v.incident_report, name="incident-report"
    ),
    path(
        "emergency/incidents/<int:incident_id>/report.docx",
        v.incident_report_docx,
        name="incident-report-docx",
    ),
    path("emergency/calls/<int:call_id>/answer/", v.call_answer, name="call-answer"),
]
