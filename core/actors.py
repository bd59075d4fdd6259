"""Who did it: the one place where audit actors are built.

Every audit event names its actor as a type and an id, and never a personal
value: people are named by the pseudonymous subject of their vault, brand
software by its OAuth client id, operators by the command line. Each kind of
actor has its own type, so a regulator can tell a brand's staff from
Sillage's staff, and a person from the software acting for them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import models


class ActorType(models.TextChoices):
    BRAND_APPLICATION = "brand_application"
    CONSUMER = "consumer"
    REGULATOR = "regulator"
    BRAND_STAFF = "brand_staff"
    # Sillage's own staff (the admin site). Events written before the brand
    # staff type existed also used it for brand staff; their hashes cover it,
    # so they keep it.
    STAFF = "staff"
    OPERATOR = "operator"
    SYSTEM = "system"


class Actor(NamedTuple):
    """An actor as the log stores it. A tuple, so ``(type, id)`` reads the same."""

    type: str
    id: str


# Commands run by an operator on the server (manage.py ...).
OPERATOR = Actor(ActorType.OPERATOR, "manage.py")
# Sillage itself, acting on its own schedule (sweeps, expiry, delivery).
SYSTEM = Actor(ActorType.SYSTEM, "sillage")

# Account roles (accounts.User.Role values) and the actor type each acts as.
_ROLE_TYPES = {
    "consumer": ActorType.CONSUMER,
    "regulator": ActorType.REGULATOR,
    "brand_staff": ActorType.BRAND_STAFF,
    "staff": ActorType.STAFF,
}


def system_actor(job: str) -> Actor:
    """Sillage itself, for one named automatic job (e.g. ``retention``)."""
    return Actor(ActorType.SYSTEM, job)


def account_actor(user: Any) -> Actor:
    """A person with an account, by role, named by their vault's pseudonym.

    ``user`` is an ``accounts.User`` (this layer does not import it).
    """
    return Actor(_ROLE_TYPES[str(user.role)], str(user.vault.subject))


def brand_application_actor(application: Any) -> Actor:
    """A brand's OAuth client, named by its public client id."""
    return Actor(ActorType.BRAND_APPLICATION, str(application.client_id))
