"""Routes of the emergency plan pages (merged into the "emergency" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import plan_views as v

urlpatterns: list[URLPattern] = [
    path("emergency/plans/", v.plan_list, name="plans"),
    path("emergency/plans/new/", v.plan_new, name="plan-new"),
    path("emergency/plans/filings/", v.plan_filings, name="plan-filings"),
    path("emergency/plans/<int:pk>/", v.plan_detail, name="plan"),
    path("emergency/plans/<int:pk>/edit/", v.plan_edit, name="plan-edit"),
    path("emergency/plans/<int:pk>/act/<str:action>/", v.plan_act, name="plan-act"),
]
