"""manage.py brand_create --name NAME: create a brand organisation."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from brands.services import brand_create
from core.actors import OPERATOR
from core.commands import command_errors


class Command(BaseCommand):
    help = "Create a brand; prints JSON with its slug. Exits non-zero with a reason on bad input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The brand's name, as consumers see it.")
        parser.add_argument("--slug", default="", help="URL name (default: from the name).")
        parser.add_argument("--verified", action="store_true",
                            help="Mark the brand as checked by Sillage staff.")

    def handle(self, *args: Any, **options: Any) -> None:
        with command_errors():
            brand = brand_create(name=options["name"], slug=options["slug"],
                                 verified=options["verified"], actor=OPERATOR)
        self.stdout.write(json.dumps({"id": str(brand.id), "slug": brand.slug, "name": brand.name,
                                      "verified": brand.verified}))
