from django.urls import path

from . import planning_views as views

app_name = "planning"
urlpatterns = [
    path("inspections/plan/", views.plan_year, name="year"),
    path("inspections/plan/workload/", views.plan_workload, name="workload"),
    path("inspections/plan/overdue/", views.plan_overdue, name="overdue"),
    path("inspections/plan/plan.xlsx", views.plan_export, name="export"),
]
