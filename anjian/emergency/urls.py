"""The emergency pages: one namespace ("emergency"), one routes module per area."""

from django.urls import path

from . import allocation_urls, drill_urls, plan_urls, resource_urls, response_urls, views

app_name = "emergency"
urlpatterns = [
    path("emergency/", views.overview, name="overview"),
    *plan_urls.urlpatterns,
    *drill_urls.urlpatterns,
    *resource_urls.urlpatterns,
    *response_urls.urlpatterns,
    *allocation_urls.urlpatterns,
]
