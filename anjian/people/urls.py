"""The people app's pages: one namespace ("people"), one routes module per area."""

from . import permit_urls, points_urls, training_urls

app_name = "people"
urlpatterns = [*training_urls.urlpatterns, *permit_urls.urlpatterns, *points_urls.urlpatterns]
