"""``manage.py insights --user EMAIL --json``, run as an operator would."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from analytics.models import InsightSnapshot
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_insights_json_lists_subscriptions_price_increases_and_recommendations(demo_consumer, capsys):
    call_command("insights", "--user", "Demo.Insights@example.test", "--json")
    data = json.loads(capsys.readouterr().out)
    subscriptions = {item["merchant"]: item for item in data["subscriptions"]}
    # The demo's planted subscriptions, each with period, current amount, next date
    assert set(subscriptions) == {"Netflix", "Spotify", "Basic-Fit", "Le Monde", "Amazon Prime"}
    netflix = subscriptions["Netflix"]
    assert (netflix["period_days"], netflix["amount"], netflix["currency"]) == (30, "15.99", "EUR")
    assert netflix["status"] == "active"
    next_date = dt.date.fromisoformat(netflix["next_expected"])
    assert dt.date.fromisoformat(netflix["last_seen"]) < next_date
    assert subscriptions["Le Monde"]["period_days"] == 7
    assert subscriptions["Amazon Prime"]["period_days"] in (364, 365, 366)
    [increase] = data["price_increases"]
    assert (increase["merchant"], increase["old_amount"], increase["new_amount"]) == (
        "Netflix", "13.49", "15.99")
    kinds = {item["kind"]: item for item in data["recommendations"]}
    assert "subscription_price_increase" in kinds
    reason = kinds["subscription_price_increase"]["reason"]
    assert "Netflix went from 13.49 EUR to 15.99 EUR" in reason
    assert all(item["reason"] and item["kind"] and item["action"] for item in data["recommendations"])
    # The figures were stored, sealed, and the operator's look was audited
    assert InsightSnapshot.objects.filter(vault=demo_consumer.vault, stale=False).count() == 1
    assert AuditEvent.objects.filter(action="insights.viewed",
                                     subject=str(demo_consumer.vault.subject)).count() == 1


def test_insights_without_json_prints_a_summary(demo_consumer, capsys):
    call_command("insights", "--user", "demo.insights@example.test")
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("recommendations")
    assert "Netflix: 15.99 EUR every 30 days" in out


def test_a_consumer_with_no_purchases_gets_empty_lists(consumer, capsys):
    call_command("insights", "--user", "camille.durand@example.test", "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["purchase_count"], data["subscriptions"], data["price_increases"]) == (0, [], [])


@pytest.mark.parametrize(("arguments", "message"), [
    (["--user", "nobody@example.test"], "no account with the e-mail address"),
    (["--user", "not-an-email"], "--user must be an e-mail address"),
])
def test_bad_input_is_refused_with_a_reason(consumer, arguments, message):
    before = InsightSnapshot.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("insights", *arguments)
    assert InsightSnapshot.objects.count() == before


def test_the_command_exits_non_zero_with_one_line_on_bad_input(tmp_path):
    # A real process, as scripts run it (its own throw-away SQLite database).
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "manage.py", "insights", "--user", "ghost@example.test",
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "CommandError: no account with the e-mail address 'ghost@example.test'"]
    missing = subprocess.run([sys.executable, "manage.py", "insights", "--json"], cwd=ROOT, env=env,
                             capture_output=True, text=True)
    assert missing.returncode != 0
    assert "--user" in missing.stderr.strip().splitlines()[-1]
