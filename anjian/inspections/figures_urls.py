from django.urls import path

from . import figures_views as views

app_name = "enforcement_figures"
urlpatterns = [
    path("inspections/figures/", views.figures_page, name="page"),
    path("inspections/figures/figures.xlsx", views.figures_export, name="export"),
]
