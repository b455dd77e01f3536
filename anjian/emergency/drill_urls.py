"""Routes of the emergency drill pages (merged into the "emergency" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import drill_views as views

urlpatterns: list[URLPattern] = [
    path("emergency/drills/", views.drill_list, name="drills"),
    path("emergency/drills/new/", views.drill_new, name="drill-new"),
    path("emergency/drills/order/", views.drill_order, name="drill-order"),
    path(
        "emergency/drills/compliance/<int:enterprise_pk>/",
        views.drill_compliance,
        name="drill-compliance",
    ),
    path("emergency/drills/<int:pk>/", views.drill_detail, name="drill"),
    path("emergency/drills/<int:pk>/<slug:action>/", views.drill_act, name="drill-act"),
]
