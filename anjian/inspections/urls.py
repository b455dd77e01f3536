from django.urls import path  # noqa: F401  (the pages come with issue 12)

app_name = "inspections"
urlpatterns: list = []
