"""Words shown for actions, outcomes and facets (translated; the log stores codes)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import AuditEvent

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
    "brand.client_disabled": _("Brand application disabled"),
    "brand.client_enabled": _("Brand application enabled again"),
    "brand.disabled": _("Brand disabled"),
    "brand.enabled": _("Brand enabled again"),
    "brand.verified": _("Brand verification changed"),
    "brand.member_removed": _("Brand staff member removed"),
    "audit.viewed": _("Audit log consulted"),
    "audit.exported": _("Audit log exported"),
    "regulator.created": _("Regulator account created"),
    "regulator.token_created": _("Regulator API token made"),
    "regulator.token_revoked": _("Regulator API token revoked"),
}

OUTCOMES: dict[str, str | Promise] = {"allowed": _("Allowed"), "denied": _("Denied")}


def action_label(action: str) -> str | Promise:
    return ACTIONS.get(action, action)


# Facet labels belong to the vault, above this app: the vault registers them
# here when it starts (VaultConfig.ready), so the log can name facets in the
# reader's language without importing the vault.
_FACET_LABELS: dict[str, str | Promise] = {}


def facet_labels_register(labels: dict[str, str | Promise]) -> None:
    _FACET_LABELS.update(labels)


def facet_label(key: str) -> str | Promise:
    return _FACET_LABELS.get(key, key.replace("_", " "))


@dataclass(frozen=True)
class ActivityRow:
    event: AuditEvent
    who: str
    what: str | Promise
    facets: list[str | Promise]
    outcome: str | Promise
    consent_url: str


def consent_url(consent_id: str) -> str:
    # The consents portal's public path; written out, not reversed,
    # so this page never depends on that app's route names.
    return f"/consents/{consent_id}/" if consent_id else ""


def rows_for(events: list[AuditEvent], *, viewer_subject: str = "") -> list[ActivityRow]:
    labels = selectors.actor_labels(((event.actor_type, event.actor_id) for event in events),
                                    viewer_subject=viewer_subject)
    return [
        ActivityRow(
            event=event,
            who=labels[(event.actor_type, event.actor_id)],
            what=action_label(event.action),
            facets=[facet_label(key) for key in event.facets],
            outcome=OUTCOMES.get(event.outcome, event.outcome),
            consent_url=consent_url(event.consent_id),
        )
        for event in events
    ]
