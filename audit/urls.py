"""Consumer activity, under /activity/ (DESIGN §8)."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.activity, name="activity"),
]
