from django.urls import path

from . import views

app_name = "penalties"
urlpatterns = [
    # Published listings, without sign-in (应急管理部令第11号: publication).
    path("public/untrustworthy/", views.public_listings, name="public-listings"),
    # Signed in.
    path("penalties/", views.penalty_list, name="list"),
    path("penalties/new/", views.penalty_new, name="new"),
    path("penalties/listings/", views.listing_list, name="listings"),
    path("penalties/listings/<int:pk>/", views.listing_detail, name="listing"),
    path("penalties/listings/<int:pk>/<slug:action>/", views.listing_act, name="listing-act"),
    path("penalties/<int:pk>/", views.penalty_detail, name="detail"),
    path("penalties/<int:pk>/listing/", views.listing_new, name="listing-new"),
    path(
        "penalties/<int:pk>/suspension/<slug:action>/", views.suspension_act, name="suspension-act"
    ),
    path("penalties/<int:pk>/<slug:action>/", views.penalty_act, name="act"),
]
