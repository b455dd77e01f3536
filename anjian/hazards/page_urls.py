from django.urls import path

from . import views

urlpatterns = [
    path("hazards/", views.ledger_list, name="ledger"),
    path("hazards/workflow/", views.workflow_table, name="workflow"),
    path("hazards/<int:pk>/", views.hazard_detail, name="detail"),
    path("hazards/<int:pk>/steps/<slug:action>/", views.hazard_step, name="step"),
    path("hazards/<int:pk>/photos/<int:photo_pk>/", views.hazard_photo, name="photo"),
    path("enterprises/<int:pk>/hazards/new/", views.hazard_report, name="report"),
    path("enterprises/<int:pk>/hazards/similar/", views.similar_fragment, name="similar"),
]
