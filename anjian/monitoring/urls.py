from django.urls import path

from .views import alarms, boards, imports, points

app_name = "monitoring"
urlpatterns = [
    # 监测预警: the jurisdiction board (regulators) or the own enterprise's board (staff).
    path("monitoring/", boards.home, name="home"),
    path("monitoring/board/", boards.jurisdiction, name="board"),
    path("monitoring/board/fragment/", boards.jurisdiction_fragment, name="board-fragment"),
    path("monitoring/enterprises/<int:pk>/", boards.enterprise, name="enterprise"),
    path(
        "monitoring/enterprises/<int:pk>/fragment/",
        boards.enterprise_fragment,
        name="enterprise-fragment",
    ),
    # Alarms: the list with filters, one alarm with its history and its steps.
    path("monitoring/alarms/", alarms.alarm_list, name="alarms"),
    path("monitoring/alarms/<int:pk>/", alarms.alarm_detail, name="alarm"),
    path("monitoring/alarms/<int:pk>/photo/", alarms.alarm_photo, name="alarm-photo"),
    path("monitoring/alarms/<int:pk>/<slug:action>/", alarms.alarm_act, name="alarm-act"),
    # A point's history chart and its data.
    path("monitoring/points/<int:pk>/", points.point_detail, name="point"),
    path("monitoring/points/<int:pk>/data.json", points.point_data, name="point-data"),
    # The Excel import of points and set-points, and its template.
    path(
        "monitoring/enterprises/<int:pk>/points/import/",
        imports.points_import,
        name="points-import",
    ),
    path(
        "monitoring/points/import-template.xlsx",
        imports.points_import_template,
        name="points-import-template",
    ),
]
