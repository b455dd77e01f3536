"""Hazard pages, one section per page group of anjian.hazards.views; every name is
hazards:<name>."""

from django.urls import path

from .views import deadlines, files, hazard, ledger, rechecks

app_name = "hazards"
urlpatterns = [
    # the ledger and the workflow table
    path("hazards/", ledger.ledger_list, name="ledger"),
    path("hazards/workflow/", ledger.workflow_table, name="workflow"),
    # one hazard: detail, steps, photos, the report form, similar hazards
    path("hazards/<int:pk>/", hazard.hazard_detail, name="detail"),
    path("hazards/<int:pk>/steps/<slug:action>/", hazard.hazard_step, name="step"),
    path("hazards/<int:pk>/photos/<int:photo_pk>/", hazard.hazard_photo, name="photo"),
    path("enterprises/<int:pk>/hazards/new/", hazard.hazard_report, name="report"),
    path("enterprises/<int:pk>/hazards/similar/", hazard.similar_fragment, name="similar"),
    # deadlines: overdue list, extension requests and decisions
    path("hazards/overdue/", deadlines.overdue_list, name="overdue"),
    path("hazards/extensions/", deadlines.extension_list, name="extensions"),
    path("hazards/<int:pk>/extension/", deadlines.extension_request, name="extension-request"),
    path(
        "hazards/extensions/<int:pk>/decide/",
        deadlines.extension_decide,
        name="extension-decide",
    ),
    # files: Word notices, Excel export and import
    path(
        "hazards/<int:pk>/notice/rectification.docx",
        files.notice_rectification,
        name="notice-rectification",
    ),
    path(
        "hazards/<int:pk>/notice/listing.docx",
        files.notice_listing,
        name="notice-listing",
    ),
    path("hazards/export.xlsx", files.ledger_export, name="ledger-export"),
    path("hazards/import/", files.hazard_import, name="import"),
    path("hazards/import/template.xlsx", files.import_template, name="import-template"),
    # re-checks (回头看)
    path("hazards/rechecks/", rechecks.recheck_list, name="rechecks"),
    path("hazards/rechecks/runs/", rechecks.recheck_runs, name="recheck-runs"),
    path("hazards/rechecks/<int:pk>/", rechecks.recheck_detail, name="recheck"),
]
