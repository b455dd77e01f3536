from django.urls import path

from . import bulletin_views

app_name = "assessments"
urlpatterns = [
    path("reports/bulletin/", bulletin_views.quarterly_bulletin, name="bulletin"),
    path("reports/assessment/", bulletin_views.annual_assessment, name="assessment"),
]
