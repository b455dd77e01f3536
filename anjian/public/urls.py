"""The public app's pages: one namespace ("public"), one routes module per area."""

from . import exposure_urls, report_urls

app_name = "public"
urlpatterns = [*report_urls.urlpatterns, *exposure_urls.urlpatterns]
