"""The consumer's key journeys through a real headless Chromium: sign up
(confirming the address by the link in the e-mail), import a brand's CSV, see
it in the vault, export it, delete the account; the portal in French;
two-factor log-in; keyboard use."""

from __future__ import annotations

import re
import time
import zipfile

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User, email_digest
from tests.factories.accounts import PASSWORD, authenticator_code
from tests.factories.vault import PURCHASES_CSV
from vault.models import Record

pytestmark = pytest.mark.e2e


def _confirmation_link(email: str) -> str:
    """The link in the last confirmation e-mail sent to ``email``."""
    messages = [message for message in mail.outbox if message.to == [email]]
    assert messages, f"no e-mail to {email}"
    match = re.search(r"https?://[^/\s]+(/accounts/verify/[^\s]+/)", messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)


def _sign_up(page: Page, email: str) -> None:
    """Sign up, follow the link mailed to the address, log in."""
    page.goto("/accounts/signup/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    page.goto(_confirmation_link(email))
    expect(page.get_by_text("Your e-mail address is confirmed.")).to_be_visible()
    _log_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello")


def _log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def _log_out(page: Page) -> None:
    page.locator("details.menu > summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to your vault")).to_be_visible()


def test_sign_up_import_see_export_and_delete_the_account(page: Page, live_server) -> None:
    email = "journey@example.test"

    # Sign up, confirm the address from the e-mail, log in: lands on the dashboard.
    _sign_up(page, email)
    assert page.url == f"{live_server.url}/"

    # Import a brand's CSV export.
    page.get_by_role("link", name="Import data").first.click()
    page.get_by_label("Brand the data comes from").fill("Maison Laurent")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "purchases.csv", "mimeType": "text/csv", "buffer": PURCHASES_CSV.encode()}
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="2 records imported from Maison Laurent")).to_be_visible()

    # See it in the vault, with its source.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vault").click()
    purchases = page.locator("section", has=page.get_by_role("heading", name="Purchases"))
    expect(purchases).to_contain_text("Boulangerie Ginette")
    expect(purchases).to_contain_text("Maison Laurent")
    expect(purchases).to_contain_text("2 entries")
    page.get_by_role("link", name="See all — Purchases").click()
    expect(page.get_by_role("table")).to_contain_text("Linen shirt")

    # Export: a ZIP download with JSON, CSV and a readable page.
    page.goto("/vault/export/")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename == f"sillage-export-{timezone.localdate():%Y%m%d}.zip"
    with zipfile.ZipFile(download.path()) as archive:
        names = set(archive.namelist())
        vault_json = archive.read("sillage-export/vault.json").decode()
        purchases_csv = archive.read("sillage-export/csv/purchases.csv").decode()
        index_html = archive.read("sillage-export/index.html").decode()
    assert {"sillage-export/vault.json", "sillage-export/index.html",
            "sillage-export/csv/purchases.csv"} <= names
    assert "Boulangerie Ginette" in vault_json
    assert "Linen shirt" in purchases_csv
    assert "Maison Laurent" in index_html

    # Delete the account: password and confirmation, then a goodbye page.
    page.goto("/accounts/")
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_label("I understand that my vault and account will be erased for good.").check()
    page.get_by_label("Your current password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my vault and delete my account").click()
    expect(page.get_by_role("heading", name="Goodbye")).to_be_visible()
    assert not User.objects.filter(email_index=email_digest(email)).exists()
    assert not Record.objects.exists()

    # The account is gone: logging in fails.
    _log_in(page, email)
    expect(page.get_by_role("alert")).to_contain_text(
        "That e-mail and password do not match an account."
    )
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_an_import_with_bad_lines_lists_them_and_stores_nothing(page: Page) -> None:
    _sign_up(page, "careful@example.test")
    bad = PURCHASES_CSV + "2026-03-01T09:00:00Z,Maison Laurent,clothing,Scarf,cheap,EUR,store\n"

    page.goto("/vault/import/")
    page.get_by_label("Brand the data comes from").fill("Maison Laurent")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "purchases.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="Check and import").click()

    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("The file was not imported: nothing was stored")
    expect(problems.get_by_role("row", name="Line 4 amount")).to_be_visible()
    assert not Record.objects.exists()


def test_switching_to_french_shows_french_text(page: Page) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to your vault")

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à votre coffre")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Se connecter", exact=True)).to_be_visible()

    page.get_by_role("link", name="Créer un compte").first.click()
    page.get_by_label("E-mail").fill("francoise@example.test")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez vos e-mails")

    page.goto(_confirmation_link("francoise@example.test"))
    expect(page.get_by_text("Votre adresse e-mail est confirmée.")).to_be_visible()
    page.get_by_label("E-mail").fill("francoise@example.test")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    nav = page.get_by_role("navigation", name="Principale")
    expect(nav.get_by_role("link", name="Tableau de bord")).to_be_visible()
    expect(nav.get_by_role("link", name="Coffre")).to_be_visible()


def test_turning_on_2fa_then_logging_in_needs_a_code(page: Page) -> None:
    email = "secure@example.test"
    _sign_up(page, email)

    page.goto("/accounts/")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Authentication code").fill(authenticator_code(secret=secret, at=time.time()))
    page.get_by_role("button", name="Turn on", exact=True).click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    recovery = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(recovery).to_have_count(10)
    spare = recovery.nth(0).inner_text()
    page.get_by_role("link", name="I have saved them").click()
    _log_out(page)

    # The password alone does not open the vault.
    _log_in(page, email)
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    page.goto("/vault/")
    assert "/accounts/login/" in page.url

    # A wrong code is refused; a recovery code works.
    _log_in(page, email)
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify and log in").click()
    expect(page.get_by_text("That code is not valid")).to_be_visible()
    page.get_by_label("Authentication code").fill(spare)
    page.get_by_role("button", name="Verify and log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello")


def test_the_portal_is_usable_with_the_keyboard(page: Page, make_consumer) -> None:
    make_consumer(email="keys@example.test")

    # Log in with the keyboard only: the e-mail field has the focus on arrival,
    # and the focused field shows a visible outline.
    page.goto("/accounts/login/")
    expect(page.get_by_label("E-mail")).to_be_focused()
    page.keyboard.type("keys@example.test")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello")

    # The first Tab reaches the skip link, visible once focused; it leads to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # The account menu opens with Enter and closes with Escape.
    page.locator("details.menu > summary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Account and security")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Account and security")).to_be_hidden()
