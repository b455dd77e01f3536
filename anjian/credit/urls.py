from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    # The watch list (重点关注): every regulator; enterprise staff their own rows.
    path("credit/list/", views.untrustworthy_list, name="list"),
    # An enterprise's credit file (scoped like the enterprise).
    path("credit/enterprises/<int:pk>/", views.credit_file_page, name="file"),
]
