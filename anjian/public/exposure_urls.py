"""Routes of the public app's exposure pages (merged into the "public" namespace by urls.py).

`exposures/` and `exposures/<pk>/` are public (no sign-in); `exposures/manage/…` are the
regulators'."""

from django.urls import URLPattern, path

from . import exposure_views as v

urlpatterns: list[URLPattern] = [
    path("exposures/", v.exposure_list, name="exposures"),
    path("exposures/<int:pk>/", v.exposure_detail, name="exposure"),
    path("exposures/manage/", v.exposure_manage_list, name="exposure-manage-list"),
    path("exposures/manage/candidates/", v.exposure_candidates, name="exposure-candidates"),
    path("exposures/manage/propose/", v.exposure_propose, name="exposure-propose"),
    path("exposures/manage/<int:pk>/", v.exposure_manage, name="exposure-manage"),
    path("exposures/manage/<int:pk>/<slug:action>/", v.exposure_act, name="exposure-act"),
]
