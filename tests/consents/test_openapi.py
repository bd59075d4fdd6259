"""OpenAPI schema with the OAuth 2 security scheme; docs served without a CDN."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_documents_the_brand_api_and_oauth() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].startswith("application/json") else None
    text = response.content.decode()
    for path in ("/api/v1/consent", "/api/v1/profile", "/api/v1/facets/{facet}"):
        assert path in text
    assert "authorizationCode" in text
    assert "/o/authorize/" in text
    assert "purchases:write" in text
    if schema is not None:
        assert "oauth2" in schema["components"]["securitySchemes"]


def test_docs_page_works_offline() -> None:
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html
    assert "unpkg" not in html
