from django.urls import path

from . import import_views, views

app_name = "risks"
urlpatterns = [
    path("risks/installations/", views.installations_due, name="installations-due"),
    # An enterprise's risk records (scoped; writes by its principal, safety officer, experts).
    path("enterprises/<int:pk>/risks/", views.enterprise_risks, name="enterprise"),
    path("enterprises/<int:pk>/risks/code/recompute/", views.code_recompute, name="code-recompute"),
    path("enterprises/<int:pk>/risks/objects/new/", views.object_create, name="object-create"),
    path("enterprises/<int:pk>/risks/units/new/", views.unit_create, name="unit-create"),
    path("enterprises/<int:pk>/risks/import/", import_views.risk_import, name="import"),
    path("enterprises/<int:pk>/risks/plan/", views.siteplan_upload, name="siteplan-upload"),
    path("enterprises/<int:pk>/risks/plan/image/", views.siteplan_image, name="siteplan-image"),
    path("enterprises/<int:pk>/risks/map/", views.site_map, name="site-map"),
    path(
        "enterprises/<int:pk>/risks/installations/",
        views.installation_list,
        name="installation-list",
    ),
    path(
        "enterprises/<int:pk>/risks/installations/new/",
        views.installation_create,
        name="installation-create",
    ),
    path(
        "enterprises/<int:pk>/risks/installations/<int:installation_pk>/edit/",
        views.installation_edit,
        name="installation-edit",
    ),
    path("risks/units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("risks/units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("risks/units/<int:pk>/assess/", views.unit_assess, name="unit-assess"),
    path("risks/units/<int:pk>/events/", views.event_create, name="event-create"),
    path("risks/units/<int:pk>/area/", views.unit_area, name="unit-area"),
    path("risks/events/<int:pk>/measures/", views.measure_create, name="measure-create"),
    # Regulators.
    path("risks/map/", views.jurisdiction_map, name="jurisdiction-map"),
    path("risks/map/data.json", views.jurisdiction_map_data, name="jurisdiction-map-data"),
    path("risks/supervision/", views.supervision_list, name="supervision"),
    # Public, no login: the page the printed QR code opens, and the QR code itself.
    path("code/<str:token>/", views.code_verify, name="code-verify"),
    path("code/<str:token>/qr.<str:kind>", views.code_qr, name="code-qr"),
]
