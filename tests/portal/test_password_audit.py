"""Password changes and resets are audited, in the transaction that sets the
password, under the account's own actor, with no personal value."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-Long-passphrase-7"


def _change(client: Client) -> object:
    return client.post("/accounts/", {"action": "password", "old_password": PASSWORD,
                                      "new_password1": NEW_PASSWORD,
                                      "new_password2": NEW_PASSWORD})


def _reset(client: Client, user: User) -> object:
    client.post("/accounts/password/reset/", {"email": user.email})
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", mail.outbox[-1].body)
    assert match
    set_url = client.get(match.group(1), follow=True).redirect_chain[-1][0]
    return client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def _only_event(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


def _carries_nothing_personal(event: AuditEvent, user: User) -> None:
    text = f"{event.detail} {event.actor_id} {event.subject}"
    for value in (user.email, PASSWORD, NEW_PASSWORD, user.password):
        assert value not in text


def test_a_password_change_is_audited_under_the_account(client: Client, consumer: User) -> None:
    client.force_login(consumer)

    assert _change(client).status_code == 302

    event = _only_event("auth.password_changed")
    assert (event.actor_type, event.actor_id) == ("consumer", str(consumer.vault.subject))
    assert event.subject == str(consumer.vault.subject)
    assert event.outcome == "allowed"
    _carries_nothing_personal(event, consumer)


def test_a_password_reset_is_audited_under_the_account(client: Client, consumer: User) -> None:
    assert _reset(client, consumer).status_code == 302

    event = _only_event("auth.password_reset")
    assert (event.actor_type, event.actor_id) == ("consumer", str(consumer.vault.subject))
    assert event.subject == str(consumer.vault.subject)
    _carries_nothing_personal(event, consumer)
    consumer.refresh_from_db()
    assert consumer.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("way", ["change", "reset"])
def test_no_password_is_set_when_its_audit_event_cannot_be_written(
    client: Client, consumer: User, monkeypatch, way: str
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr("accounts.services.audit_append", broken)
    client.raise_request_exception = False
    if way == "change":
        client.force_login(consumer)
        _change(client)
    else:
        _reset(client, consumer)

    consumer.refresh_from_db()
    assert consumer.check_password(PASSWORD)
