from django.urls import path

from . import views

app_name = "vault"

urlpatterns = [
    path("", views.vault_home, name="home"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export_view, name="export"),
    path("<slug:facet>/", views.facet_view, name="facet"),
    path("<slug:facet>/<uuid:record_id>/delete/", views.record_delete_view, name="record_delete"),
]
