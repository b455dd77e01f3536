from django.urls import path

from . import conflict_views, views

app_name = "inspections"
urlpatterns = [
    # 一公开: published draws, without sign-in.
    path("public/draws/", views.public_draws, name="public-draws"),
    path("public/draws/<int:pk>/", views.public_draw, name="public-draw"),
    path("public/draws/<int:pk>/record.json", views.public_draw_json, name="public-draw-json"),
    # Signed in.
    path("inspections/", views.inspection_list, name="list"),
    path("inspections/new/", views.inspection_new, name="new"),
    path("inspections/draws/new/", views.draw_new, name="draw-new"),
    # 回避: declared conflicts of interest, respected by the draw.
    path("inspections/conflicts/", conflict_views.conflicts, name="conflicts"),
    path(
        "inspections/conflicts/<int:pk>/withdraw/",
        conflict_views.conflict_withdraw,
        name="conflict-withdraw",
    ),
    path("inspections/<int:pk>/", views.inspection_detail, name="detail"),
    path("inspections/<int:pk>/onsite/", views.onsite, name="onsite"),
    path("inspections/<int:pk>/onsite/finding/", views.finding_new, name="finding"),
    path("inspections/<int:pk>/onsite/conclude/", views.conclude, name="conclude"),
    path("inspections/<int:pk>/<slug:action>/", views.inspection_act, name="act"),
    path("inspections/signatures/<int:pk>/", views.signature_image, name="signature"),
]
