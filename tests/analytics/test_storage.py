"""Stored insights are personal data: sealed under the vault key, shredded with it."""

from __future__ import annotations

import pytest

from analytics.models import SNAPSHOT_FACET, InsightSnapshot, RecommendationDecision
from analytics.selectors import open_snapshot
from analytics.services import insights_current, insights_refresh, recommendation_dismiss
from tests.dumps import database_bytes
from vault.crypto import SealError
from vault.selectors import data_key
from vault.services import vault_erase

pytestmark = pytest.mark.django_db

CONSUMER = ("consumer", "tests")


def test_stored_insights_contain_no_plaintext(demo_consumer):
    insights = insights_refresh(vault=demo_consumer.vault)
    [recommendation] = [item for item in insights["recommendations"]
                        if item["kind"] == "subscription_price_increase"]
    recommendation_dismiss(user=demo_consumer, fingerprint=recommendation["fingerprint"],
                           actor=CONSUMER)
    dump = database_bytes()
    # Merchants, amounts, figures only the insights hold (a yearly cost, a
    # percentage), the recommendation kind: none appears anywhere in the database.
    # (Amounts are searched as the JSON strings they would be, quotes included,
    # so a timestamp such as 12:31:15.99... cannot match by chance.)
    for secret in ("Netflix", "NETFLIX", "netflix", "Basic-Fit", "Amazon Prime", '"15.99"',
                   '"13.49"', '"359.88"', '"18.5"', "subscription_price_increase",
                   "price_increase", "electronics", "Ma Banque", "merchant", "yearly_cost"):
        assert secret.encode() not in dump, secret
    # ... yet the snapshot opens with the vault key and holds them.
    snapshot = InsightSnapshot.objects.get(vault=demo_consumer.vault)
    opened = open_snapshot(snapshot)
    assert opened is not None
    assert {item["merchant"] for item in opened["subscriptions"]} >= {"Netflix", "Basic-Fit"}
    # The decision is a keyed fingerprint, not the facts.
    decision = RecommendationDecision.objects.get(vault=demo_consumer.vault)
    assert len(decision.fingerprint) == 64
    assert set(decision.fingerprint) <= set("0123456789abcdef")


def test_a_snapshot_copied_to_another_vault_does_not_open(demo_consumer, make_consumer):
    insights_refresh(vault=demo_consumer.vault)
    other = make_consumer()
    insights_refresh(vault=other.vault)
    mine = InsightSnapshot.objects.get(vault=demo_consumer.vault)
    theirs = InsightSnapshot.objects.get(vault=other.vault)
    with pytest.raises(SealError):
        data_key(other.vault).open_record(bytes(mine.sealed), record_id=str(theirs.id),
                                          facet=SNAPSHOT_FACET)
    # Copying the row's ciphertext over the other's makes it unreadable, and the
    # page recomputes from the other vault's own data instead of showing it.
    InsightSnapshot.objects.filter(pk=theirs.pk).update(sealed=mine.sealed)
    assert open_snapshot(InsightSnapshot.objects.get(pk=theirs.pk)) is None
    again = insights_current(vault=other.vault)
    assert again["subscriptions"] == []


def test_erasure_removes_snapshot_and_decisions(demo_consumer):
    insights = insights_refresh(vault=demo_consumer.vault)
    recommendation_dismiss(user=demo_consumer, fingerprint=insights["recommendations"][0]["fingerprint"],
                           actor=CONSUMER)
    vault = demo_consumer.vault
    assert InsightSnapshot.objects.filter(vault=vault).exists()
    vault_erase(vault=vault, actor=CONSUMER)
    assert not InsightSnapshot.objects.exists()
    assert not RecommendationDecision.objects.exists()
