"""brand_create and brand_client_create: JSON out, one-line reason
and a non-zero exit on bad input."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from brands.models import Application, Brand

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_create_brand_and_clients() -> None:
    brand = run("brand_create", "--name", "Maison Lumière")
    assert brand["slug"] == "maison-lumiere"
    confidential = run("brand_client_create", "--brand", "maison-lumiere", "--redirect-uri",
                       "https://lumiere.example/cb")
    assert set(confidential) >= {"client_id", "client_secret"}
    stored = Application.objects.get(client_id=confidential["client_id"])
    assert stored.client_secret != confidential["client_secret"]
    public = run("brand_client_create", "--brand", "maison-lumiere", "--redirect-uri",
                 "https://lumiere.example/app", "--public")
    assert "client_secret" not in public
    assert public["client_type"] == "public"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["brand_client_create", "--brand", "nope", "--redirect-uri", "https://x.example/cb"],
         "no brand"),
        (["brand_client_create", "--brand", "acme", "--redirect-uri", "ftp://x.example/cb"],
         "https"),
        (["brand_client_create", "--brand", "acme", "--redirect-uri", "https://x.example/cb",
          "--purpose", "spying"], "unknown purpose"),
        (["brand_create", "--name", "Acme"], "already exists"),
        (["brand_create", "--name", "   "], "needs a name"),
        (["brand_create", "--name", "Webhooks"], "reserved"),
    ],
)
def test_bad_input_fails_with_a_reason(args: list[str], reason: str) -> None:
    run("brand_create", "--name", "Acme")
    before = (Brand.objects.count(), Application.objects.count())
    with pytest.raises(CommandError, match=reason):
        call_command(*args, stdout=io.StringIO())
    assert (Brand.objects.count(), Application.objects.count()) == before
