"""Brand portal pages for webhooks (being built)."""

urlpatterns: list = []
