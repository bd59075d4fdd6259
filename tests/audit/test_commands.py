"""Operator commands: regulator accounts and tokens, export errors."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User, email_digest
from audit.models import AuditEvent, VerificationRun
from regulator.models import RegulatorToken
from regulator.services import regulator_token_user

pytestmark = pytest.mark.django_db


def test_regulator_create_prints_a_one_time_password_and_a_token(capsys, client):
    call_command("regulator_create", "--email", "Inspector@cnil.example")
    out = capsys.readouterr().out
    password = out.split("one-time password: ")[1].split()[0]
    token = out.split("API token (shown once): ")[1].split()[0]
    user = User.objects.get(email_index=email_digest("inspector@cnil.example"))
    assert user.role == User.Role.REGULATOR
    assert regulator_token_user(token=token)[0] == user
    assert token not in str(list(RegulatorToken.objects.values_list("digest", "prefix")))
    assert AuditEvent.objects.filter(action="regulator.created", actor_type="operator").exists()
    response = client.post("/accounts/login/", {"email": "inspector@cnil.example", "password": password})
    assert response.status_code == 302
    assert client.get("/regulator/").status_code == 200


def test_regulator_create_refuses_an_existing_account(capsys, consumer):
    with pytest.raises(CommandError, match="already"):
        call_command("regulator_create", "--email", consumer.email)


def test_regulator_token_makes_and_revokes(capsys, regulator):
    call_command("regulator_token", "--email", regulator.email, "--name", "case 7", "--days", "0")
    out = capsys.readouterr().out
    assert "expires never" in out
    token = out.rsplit(": ", 1)[1].strip()
    record = regulator_token_user(token=token)[1]
    call_command("regulator_token", "--email", regulator.email, "--revoke", record.prefix)
    assert regulator_token_user(token=token) is None


def test_regulator_token_needs_a_regulator(consumer):
    with pytest.raises(CommandError, match="no regulator account"):
        call_command("regulator_token", "--email", consumer.email)


def test_audit_verify_keeps_its_result_for_the_integrity_page(seeded, capsys):
    call_command("audit_verify")
    run = VerificationRun.objects.get()
    assert run.ok
    assert run.events_verified == AuditEvent.objects.count()


def test_audit_export_refuses_a_file_in_the_way(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(CommandError, match="not a directory"):
        call_command("audit_export", "--out", str(target))


def test_staff_create_a_regulator_in_the_admin_and_see_the_credentials_once(make_user):
    from django.test import Client

    from tests.factories.accounts import PASSWORD, enable_two_factor, totp_code

    staff = make_user("staff")
    User.objects.filter(pk=staff.pk).update(is_superuser=True, is_staff=True)
    staff = User.objects.get(pk=staff.pk)
    enable_two_factor(user=staff)
    client = Client()
    # The admin opens only to a staff session that logged in with its second factor.
    client.post("/accounts/login/?next=/admin/", {"email": staff.email, "password": PASSWORD})
    assert client.post("/accounts/login/verify/", {"code": totp_code(user=staff)})["Location"] == "/admin/"
    assert client.get("/admin/regulator/regulator/add/").status_code == 200
    response = client.post("/admin/regulator/regulator/add/",
                           {"email": "auditor@dpa.example", "token": "on"})
    body = response.content.decode()
    assert "One-time password" in body
    token = body.split("<th>API token</th><td><code>")[1].split("</code>")[0]
    regulator = User.objects.get(email_index=email_digest("auditor@dpa.example"))
    assert regulator.role == User.Role.REGULATOR
    assert regulator_token_user(token=token)[0] == regulator
    listing = client.get("/admin/regulator/regulator/").content.decode()
    assert str(regulator.pk) in listing
    assert client.get("/admin/audit/auditevent/").status_code == 200
