"""Routes of the people app's permit pages (merged into the "people" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import permit_views as v

urlpatterns: list[URLPattern] = [
    path("permits/", v.permit_list, name="permits"),
    path("permits/new/", v.permit_new, name="permit-new"),
    path("permits/<int:pk>/", v.permit_detail, name="permit"),
    path("permits/<int:pk>/act/", v.permit_act, name="permit-act"),
    path("permits/<int:pk>/gas/", v.permit_gas, name="permit-gas"),
]
