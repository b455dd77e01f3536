from django.urls import path

from . import inbox_views

urlpatterns = [
    path("", inbox_views.inbox, name="inbox"),
    path("<int:pk>/read/", inbox_views.inbox_read, name="inbox-read"),
    path("read-all/", inbox_views.inbox_read_all, name="inbox-read-all"),
]
