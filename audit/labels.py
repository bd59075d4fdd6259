"""Words shown for actions, outcomes and facets (translated; the log stores codes)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, str | Promise] = {
    "facet.read": _("Read your data"),
    "facet.write": _("Wrote to your vault"),
    "consent.granted": _("Consent given"),
    "consent.narrowed": _("Consent narrowed"),
    "consent.revoked": _("Consent revoked"),
    "consent.expired": _("Consent expired"),
    "data.imported": _("Data imported"),
    "data.exported": _("Data exported"),
    "data.erased": _("Vault erased"),
    "data.corrected": _("Data corrected"),
    "data.deleted": _("Entry deleted"),
    "data.expired": _("Data removed at the end of its retention"),
    "keys.rotated": _("Encryption key re-wrapped"),
    "keys.reencrypted": _("Data re-encrypted"),
    "account.created": _("Account created"),
    "auth.login": _("Log-in"),
    "auth.2fa_enabled": _("Two-factor authentication turned on"),
    "auth.2fa_disabled": _("Two-factor authentication turned off"),
    "insights.viewed": _("Insights computed"),
    "aggregate.released": _("Aggregate figures released"),
    "aggregate.refused": _("Aggregate figures refused"),
    "brand.created": _("Brand registered"),
    "brand.member_added": _("Brand staff member added"),
    "brand.client_registered": _("Brand application registered"),
    "brand.client_secret_rotated": _("Brand application secret rotated"),
    "brand.client_updated": _("Brand application updated"),
    "audit.viewed": _("Audit log consulted"),
    "audit.exported": _("Audit log exported"),
    "regulator.created": _("Regulator account created"),
    "regulator.token_created": _("Regulator API token made"),
    "regulator.token_revoked": _("Regulator API token revoked"),
}

OUTCOMES: dict[str, str | Promise] = {"allowed": _("Allowed"), "denied": _("Denied")}


def action_label(action: str) -> str | Promise:
    return ACTIONS.get(action, action)


def facet_label(key: str) -> str | Promise:
    from vault.facets import FACETS

    facet = FACETS.get(key)
    return facet.label if facet is not None else key.replace("_", " ")
