from django.urls import path

from . import recheck_views

urlpatterns = [
    path("hazards/rechecks/", recheck_views.recheck_list, name="rechecks"),
    path("hazards/rechecks/runs/", recheck_views.recheck_runs, name="recheck-runs"),
    path("hazards/rechecks/<int:pk>/", recheck_views.recheck_detail, name="recheck"),
]
