from django.urls import path

from . import checklist_views, views

app_name = "checks"
urlpatterns = [
    # Enterprise staff: today's checks, starting one, the check page item by item.
    path("checks/", views.today, name="today"),
    path("checks/start/", views.start, name="start"),
    path("checks/records/<int:pk>/fill/", views.fill, name="fill"),
    # Staff and regulators in scope: a record, its photos, an enterprise's records.
    path("checks/records/<int:pk>/", views.detail, name="detail"),
    path(
        "checks/records/<int:pk>/photos/<int:answer_pk>/",
        views.answer_photo,
        name="answer_photo",
    ),
    path("checks/enterprises/<int:enterprise_id>/", views.records, name="records"),
    # Check lists by industry: the library, a list and its adoption, an enterprise's own
    # list, an adopted task's items.
    path("checks/lists/", checklist_views.library, name="library"),
    path("checks/lists/new/", checklist_views.checklist_new, name="checklist_new"),
    path("checks/lists/<int:pk>/", checklist_views.checklist, name="checklist"),
    path("checks/tasks/<int:pk>/", checklist_views.adopted_task, name="adopted_task"),
    path(
        "checks/tasks/<int:pk>/items/", checklist_views.adopted_task_item, name="adopted_task_item"
    ),
    # Authenticity: the ranked list for regulators, an enterprise's page (its staff too).
    path("checks/authenticity/", views.authenticity_list, name="authenticity"),
    path(
        "checks/enterprises/<int:enterprise_id>/authenticity/",
        views.authenticity_enterprise,
        name="authenticity_enterprise",
    ),
]
