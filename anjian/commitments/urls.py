from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    # Enterprise staff: today's notice (form or the submitted one), corrections, history.
    path("commitments/today/", views.today, name="today"),
    path("commitments/<int:pk>/", views.detail, name="detail"),
    path("commitments/<int:pk>/correct/", views.correct, name="correct"),
    path("commitments/enterprises/<int:enterprise_id>/", views.history, name="history"),
    # Regulators: the day's board in scope and declared states against monitoring.
    path("commitments/", views.board, name="board"),
    path("commitments/differences/", views.differences, name="differences"),
]
