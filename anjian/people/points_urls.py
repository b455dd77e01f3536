"""Routes of the people app's points and responsibility-list pages (merged into the
"people" namespace by urls.py)."""

from django.urls import URLPattern, path

from . import duty_views, points_views

urlpatterns: list[URLPattern] = [
    path("people/points/", points_views.points_bank, name="points"),
    path("people/points/award/", points_views.points_award, name="points-award"),
    path("people/points/workers/<int:pk>/", points_views.points_worker, name="points-worker"),
    path(
        "people/points/entries/<int:pk>/reverse/",
        points_views.points_reverse,
        name="points-reverse",
    ),
    path("people/duty/", duty_views.duty, name="duty"),
    path("people/duty/posts/new/", duty_views.duty_post_new, name="duty-post-new"),
    path("people/duty/posts/<int:pk>/letters/", duty_views.duty_letter, name="duty-letter"),
    path("people/duty/reports/new/", duty_views.duty_report_new, name="duty-report-new"),
]
