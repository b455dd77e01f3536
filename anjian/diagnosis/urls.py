from django.urls import path

from . import views

app_name = "diagnosis"
urlpatterns = [
    path("enterprises/<int:pk>/diagnosis/", views.diagnosis_list, name="list"),
    path("enterprises/<int:pk>/diagnosis/new/", views.diagnosis_new, name="new"),
    path(
        "enterprises/<int:pk>/diagnosis/<int:diagnosis_pk>/",
        views.diagnosis_detail,
        name="detail",
    ),
]
