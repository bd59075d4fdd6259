"""Brands: a brand, its staff, and its OAuth clients."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command

from accounts.models import User
from brands.models import Application, Brand, BrandMembership
from brands.services import application_create, brand_create, brand_member_add

from . import OPERATOR

REDIRECT_URI = "https://brand.example/callback"
CLIENT_PURPOSES = ("loyalty", "personalisation", "service")


@dataclass
class ClientApp:
    """A registered OAuth client and its secret (shown once; None for a public client)."""

    application: Application
    secret: str | None

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def brand(self) -> Brand:
        return self.application.brand


def create_brand(*, name: str, verified: bool = True) -> Brand:
    """A brand registered through brand_create (its slug is made from ``name``)."""
    return brand_create(name=name, actor=OPERATOR, verified=verified)


def register_client(*, brand: Brand, confidential: bool = True,
                    purposes: Iterable[str] = CLIENT_PURPOSES, name: str = "Test app") -> ClientApp:
    """An OAuth client of ``brand`` redirecting to REDIRECT_URI and declaring
    ``purposes``, through application_create."""
    issued = application_create(brand=brand, name=name, redirect_uris=[REDIRECT_URI],
                                purposes=list(purposes), actor=OPERATOR, confidential=confidential)
    return ClientApp(issued.application, issued.client_secret)


def register_client_by_command(*, purposes: Iterable[str] = (),
                               public: bool = False) -> dict[str, Any]:
    """The verified brand "Maison Test" and a client registered for it with the
    ``brand_client_create`` command, as an operator does; returns the command's JSON."""
    brand = create_brand(name="Maison Test")
    arguments = ["--brand", brand.slug, "--redirect-uri", REDIRECT_URI]
    for purpose in purposes:
        arguments += ["--purpose", purpose]
    if public:
        arguments.append("--public")
    out = io.StringIO()
    call_command("brand_client_create", *arguments, stdout=out)
    return json.loads(out.getvalue())


def add_member(*, brand: Brand, user: User,
               role: str = BrandMembership.Role.OWNER) -> User:
    """``user`` made a member of ``brand`` (owner by default) through brand_member_add;
    a consumer becomes brand staff."""
    brand_member_add(brand=brand, user=user, role=role, actor=OPERATOR)
    return user
