"""OpenAPI: /api/v1/aggregates is documented with the OAuth 2 client-credentials
flow and the aggregates scope, and the whole schema validates without a warning."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_shows_aggregates_with_the_client_credentials_flow() -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    operation = schema["paths"]["/api/v1/aggregates"]["get"]
    assert operation["operationId"] == "aggregates"
    assert operation["security"] == [{"oauth2ClientCredentials": ["aggregates"]}]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "429"}
    scheme = schema["components"]["securitySchemes"]["oauth2ClientCredentials"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/o/token/"
    assert set(scheme["flows"]["clientCredentials"]["scopes"]) == {"aggregates"}
    # The consumer endpoints keep the code flow, with facet scopes only.
    consent = schema["paths"]["/api/v1/consent"]["get"]
    assert [set(requirement) for requirement in consent["security"]] == [{"oauth2"}]
    assert "aggregates" not in schema["components"]["securitySchemes"]["oauth2"]["flows"][
        "authorizationCode"]["scopes"]


def test_the_schema_validates_without_warnings(tmp_path) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out),
                 stderr=io.StringIO())
    assert "/api/v1/aggregates" in out.read_text()
