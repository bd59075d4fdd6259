"""Brand API, mounted at /api/v1/."""

from django.urls import path

from . import views

app_name = "brand_api"

urlpatterns = [
    path("consent", views.ConsentView.as_view(), name="consent"),
    path("profile", views.ProfileView.as_view(), name="profile"),
    path("facets/<slug:facet>", views.FacetView.as_view(), name="facet"),
]
