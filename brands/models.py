"""Brand organisations, their staff, their OAuth clients and API idempotency keys."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from oauth2_provider.models import AbstractApplication, ApplicationManager


class Brand(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    # Set by Sillage staff after checking the organisation; shown on consent screens.
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by Sillage staff (brands.services.brand_disable): every client of the
    # brand stops working, and every token they hold ends, at once.
    disabled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class BrandMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "owner"
        DEVELOPER = "developer", "developer"

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="brandmembership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.brand_id}"


class BrandApplicationManager(ApplicationManager):
    """Every client comes with its brand, so ``is_usable`` (the toolkit asks it
    on each token request) costs no extra query."""

    def get_queryset(self) -> models.QuerySet[Application]:
        return super().get_queryset().select_related("brand")


class Application(AbstractApplication):
    """An OAuth client of a brand (the toolkit's swappable application model).

    Every client is registered for the authorization-code grant (no implicit,
    no password: RFC 9700); a confidential one may also use the
    client-credentials grant, which the server limits to the ``aggregates``
    scope. The secret is kept as a password hash by the toolkit and shown once,
    when it is made. ``purposes`` lists what the brand declared it may ask
    consent for, each with the plain description the consent screen shows.
    """

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="applications")
    # [{"purpose": "loyalty", "description": "..."}], purposes from consents.scopes.PURPOSES.
    purposes = models.JSONField(default=list, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    # Set by brands.services.application_disable, which also ends its tokens.
    disabled_at = models.DateTimeField(null=True, blank=True)

    objects = BrandApplicationManager()

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    def natural_key(self) -> tuple[str]:
        return (self.client_id,)

    def is_usable(self, request: object) -> bool:
        """Neither the client nor its brand is disabled. The toolkit asks on
        every authorize, token, refresh and introspection request; the APIs ask
        on every call (the brand is joined into their token look-up)."""
        return self.disabled_at is None and self.brand.disabled_at is None

    def allows_grant_type(self, *grant_types: str) -> bool:
        """The toolkit asks with the grant types that may do what is requested
        (``GRANT_TYPE_MAPPING``): the code flow, or client credentials for a
        confidential client; never implicit or password."""
        if self.authorization_grant_type != self.GRANT_AUTHORIZATION_CODE:
            return False
        if self.GRANT_AUTHORIZATION_CODE in grant_types:
            return True
        return self.GRANT_CLIENT_CREDENTIALS in grant_types and self.is_confidential

    @property
    def is_confidential(self) -> bool:
        return self.client_type == self.CLIENT_CONFIDENTIAL

    def purpose_description(self, purpose: str) -> str:
        for declared in self.purposes or []:
            if isinstance(declared, dict) and declared.get("purpose") == purpose:
                return str(declared.get("description") or "")
        return ""

    def declares(self, purpose: str) -> bool:
        return any(
            isinstance(declared, dict) and declared.get("purpose") == purpose
            for declared in self.purposes or []
        )


class IdempotencyKey(models.Model):
    """A brand's Idempotency-Key for one write: a keyed digest of the request and
    the response it got, so a retry gets the same answer and a different body
    under the same key is refused. The stored response holds ids, never values.

    A key belongs to one consent (one consumer's vault): the same key sent with
    another consumer's token is another write, never a replay of this one."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey("consents.Consent", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "key"], name="idempotencykey_consent_unique")
        ]

    def __str__(self) -> str:
        return f"idempotency key of consent {self.consent_id}"
