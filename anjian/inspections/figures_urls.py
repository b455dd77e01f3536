from django.urls import path  # noqa: F401  (pages come with issue 12)

app_name = "enforcement_figures"
urlpatterns: list = []
