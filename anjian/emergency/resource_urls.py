"""Routes of the emergency resource pages (merged into the "emergency" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import resource_views as views

R = "emergency/resources/"

urlpatterns: list[URLPattern] = [
    path(R, views.resources, name="resources"),
    path(f"{R}warnings/", views.supply_warnings, name="supply-warnings"),
    path(f"{R}import/", views.resources_import, name="resources-import"),
    path(
        f"{R}import/<slug:kind>/template/",
        views.resources_import_template,
        name="resources-import-template",
    ),
    path(f"{R}teams/new/", views.team_new, name="team-new"),
    path(f"{R}teams/<int:pk>/", views.team, name="team"),
    path(f"{R}teams/<int:pk>/edit/", views.team_edit, name="team-edit"),
    path(f"{R}warehouses/new/", views.warehouse_new, name="warehouse-new"),
    path(f"{R}warehouses/<int:pk>/", views.warehouse, name="warehouse"),
    path(f"{R}warehouses/<int:pk>/edit/", views.warehouse_edit, name="warehouse-edit"),
    path(f"{R}warehouses/<int:pk>/supplies/new/", views.supply_new, name="supply-new"),
    path(f"{R}supplies/<int:pk>/edit/", views.supply_edit, name="supply-edit"),
    path(f"{R}experts/new/", views.expert_new, name="expert-new"),
    path(f"{R}experts/<int:pk>/edit/", views.expert_edit, name="expert-edit"),
    path(f"{R}shelters/new/", views.shelter_new, name="shelter-new"),
    path(f"{R}shelters/<int:pk>/edit/", views.shelter_edit, name="shelter-edit"),
    path(f"{R}<slug:kind>/<int:pk>/retire/", views.resource_retire, name="resource-retire"),
]
