from django.urls import path

from . import views

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise-create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise-edit"),
    path("divisions/", views.division_list, name="division-list"),
    path("divisions/<int:pk>/", views.division_detail, name="division-detail"),
    path("departments/", views.department_list, name="department-list"),
    path("departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("gaps/", views.gaps, name="gaps"),
    path("disputes/", views.dispute_list, name="dispute-list"),
    path("disputes/new/", views.dispute_create, name="dispute-create"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute-detail"),
    path("disputes/<int:pk>/decide/", views.dispute_decide, name="dispute-decide"),
    path("disputes/<int:pk>/withdraw/", views.dispute_withdraw, name="dispute-withdraw"),
]
