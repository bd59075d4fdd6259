"""Regulator API, under /api/v1/audit/."""

from django.urls import path

from . import views

app_name = "audit-api"

urlpatterns = [
    path("events", views.EventListView.as_view(), name="events"),
    path("events/<uuid:event_id>", views.EventDetailView.as_view(), name="event"),
    path("checkpoints", views.CheckpointListView.as_view(), name="checkpoints"),
    path("checkpoints/latest", views.CheckpointLatestView.as_view(), name="checkpoint-latest"),
    path("proofs/inclusion", views.InclusionProofView.as_view(), name="proof-inclusion"),
    path("proofs/consistency", views.ConsistencyProofView.as_view(), name="proof-consistency"),
    path("public-key", views.PublicKeyView.as_view(), name="public-key"),
]
