from django.urls import path

from . import figures_views, views

app_name = "accidents"
urlpatterns = [
    path("accidents/", views.accident_list, name="list"),
    path("accidents/report/", views.accident_report, name="report"),
    path("accidents/figures/", figures_views.figures_page, name="figures"),
    path("accidents/figures.xlsx", figures_views.figures_download, name="figures-xlsx"),
    path("accidents/<int:pk>/", views.accident_detail, name="detail"),
    path("accidents/<int:pk>/<slug:action>/", views.accident_act, name="act"),
]
