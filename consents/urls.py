"""Consumer consent pages (/consents/)."""

from django.urls import path

from . import views

app_name = "consents"

urlpatterns = [
    path("", views.consent_list, name="list"),
    path("<uuid:consent_id>/", views.consent_detail, name="detail"),
    path("<uuid:consent_id>/revoke/", views.consent_revoke_view, name="revoke"),
    path("<uuid:consent_id>/narrow/", views.consent_narrow_view, name="narrow"),
    path("<uuid:consent_id>/receipt.json", views.consent_receipt, name="receipt"),
]
