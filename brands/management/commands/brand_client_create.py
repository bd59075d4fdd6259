"""manage.py brand_client_create --brand SLUG --redirect-uri URI [--public]."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from brands.models import Brand
from brands.services import application_create
from consents.scopes import PURPOSES
from core.actors import OPERATOR
from core.commands import command_errors


class Command(BaseCommand):
    help = (
        "Register an OAuth client (authorization code + PKCE S256) for a brand; a confidential "
        "client may also use the client-credentials grant for the 'aggregates' scope. Prints "
        "JSON with client_id, and client_secret for a confidential client (shown once: only its "
        "hash is stored). Exits non-zero with a one-line reason on bad input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--brand", required=True, help="The brand's slug.")
        parser.add_argument("--redirect-uri", required=True, action="append", dest="redirect_uris",
                            help="Exact redirect URI (https); repeat for several.")
        parser.add_argument("--public", action="store_true",
                            help="A public client (no secret; PKCE only).")
        parser.add_argument("--name", default="", help="Client name shown on consent screens.")
        parser.add_argument(
            "--purpose", action="append", dest="purposes", default=None,
            help="Declared purpose (repeatable; default: all of " + ", ".join(PURPOSES) + ").",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        brand = Brand.objects.filter(slug=options["brand"]).first()
        if brand is None:
            raise CommandError(f"no brand with the slug {options['brand']!r} (see brand_create)")
        with command_errors():
            issued = application_create(
                brand=brand, name=options["name"] or brand.name,
                redirect_uris=options["redirect_uris"],
                purposes=options["purposes"] or list(PURPOSES), actor=OPERATOR,
                confidential=not options["public"],
            )
        application = issued.application
        output: dict[str, Any] = {
            "client_id": application.client_id,
            "client_type": application.client_type,
            "brand": brand.slug,
            "redirect_uris": application.redirect_uris.split(),
            "purposes": [item["purpose"] for item in application.purposes],
        }
        if issued.client_secret:
            output["client_secret"] = issued.client_secret
        self.stdout.write(json.dumps(output))
