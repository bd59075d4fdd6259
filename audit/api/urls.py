"""URLs (being built)."""

urlpatterns: list = []
