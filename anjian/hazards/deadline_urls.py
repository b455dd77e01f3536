from django.urls import path

from . import deadline_views

urlpatterns = [
    path("hazards/overdue/", deadline_views.overdue_list, name="overdue"),
    path("hazards/extensions/", deadline_views.extension_list, name="extensions"),
    path("hazards/<int:pk>/extension/", deadline_views.extension_request, name="extension-request"),
    path(
        "hazards/extensions/<int:pk>/decide/",
        deadline_views.extension_decide,
        name="extension-decide",
    ),
]
