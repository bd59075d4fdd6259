"""The consent pages, the consent screen and the brand portal in French: the
consumer's and the brand's own words are translated, and what is stored or
signed (a consent's description, its receipt) stays in English."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import User
from brands.models import Brand
from consents.models import Consent
from tests.factories.accounts import client_for
from tests.factories.brands import REDIRECT_URI, ClientApp, add_member
from tests.factories.consents import Flow, authorize_url, pkce_pair

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A French request leaves French active in this thread: put English back."""
    yield
    translation.deactivate()


def in_french(client: Client) -> None:
    """Switch the browser to French the way the language menu does (cookie)."""
    assert client.post("/i18n/setlang/", {"language": "fr", "next": "/"}).status_code == 302


def page(client: Client, path: str, **headers: Any) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    html: str = response.content.decode()
    assert '<html lang="fr">' in html, path
    return html


def assert_french(html: str, *, french: tuple[str, ...], english: tuple[str, ...]) -> None:
    for phrase in french:
        assert phrase in html, phrase
    for phrase in english:
        assert phrase not in html, phrase


def test_consent_list_and_detail_are_in_french(flow: Flow) -> None:
    flow.tokens(scope="contact:read purchases:read purchases:write")
    consent = Consent.objects.get()
    in_french(flow.client)

    listing = page(flow.client, "/consents/")
    detail = page(flow.client, f"/consents/{consent.pk}/")

    assert_french(listing, french=(
        "Qui peut utiliser vos données", "Actifs", "Vérifiée", "actif",
        "Gérer un programme de fidélité dont vous êtes membre", "Coordonnées — lecture",
        "Achats — lecture, ajout", "Donné le", "Prend fin le", "Télécharger le reçu",
        "Restreindre", "Retirer",
    ), english=(
        "Who may use your data", "Run a loyalty programme", "Download receipt", "Given on",
        "Ends ", ">Narrow", ">Revoke", "— read", ", add", ">active<",
    ))
    assert_french(detail, french=(
        "Consentement donné à", "Application : Test app", "Télécharger le reçu signé", "État",
        "Reçu", "Partager moins", "ajout d’enregistrements", "Finir plus tôt, le",
        "Ne garder que ce qui est coché", "Retirer ce consentement", "perd l’accès immédiatement",
    ), english=(
        "Consent to", "Client:", "Download signed receipt", "Share less", "add records",
        "End sooner", "Keep only what is ticked", "Revoke this consent", "loses access",
    ))


def test_messages_and_errors_of_the_consent_pages_are_in_french(flow: Flow) -> None:
    flow.tokens(scope="contact:read purchases:read")
    consent = Consent.objects.get()
    in_french(flow.client)

    unchanged = flow.client.post(f"/consents/{consent.pk}/narrow/", {
        "keep_contact_read": "on", "keep_purchases_read": "on"})
    narrowed = flow.client.post(f"/consents/{consent.pk}/narrow/", {"keep_contact_read": "on"},
                                follow=True)
    revoked = flow.client.post(f"/consents/{consent.pk}/revoke/", follow=True)

    assert unchanged.status_code == 400
    assert "Rien à modifier : décochez un élément" in unchanged.content.decode()
    assert "Nothing to change" not in unchanged.content.decode()
    assert "Consentement mis à jour." in narrowed.content.decode()
    assert "Consentement retiré : Brand 1 ne peut plus lire vos données" in revoked.content.decode()
    assert "Terminés" in revoked.content.decode()
    assert "Retiré le" in revoked.content.decode()
    assert ">retiré<" in revoked.content.decode()


def test_consent_screen_is_in_french(flow: Flow) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(flow.app.client_id, scope="contact:read birthdate:read purchases:write",
                        challenge=challenge, duration_days=30)
    in_french(flow.client)

    html = page(flow.client, url)

    assert_french(html, french=(
        "demande à utiliser certaines de vos données", "Marque vérifiée", "via « Test app »",
        "Pourquoi", "Gérer un programme de fidélité dont vous êtes membre",
        "Demandé pour 30 jours", "Ce qui serait partagé", "Coordonnées", "Téléphone :",
        "En entier", "Seulement : Tranche d’âge", "ajout d’enregistrements",
        "La marque ajouterait des enregistrements à votre coffre", "Pour combien de jours",
        "vous revenez sur brand.example", "Partager ce qui est coché", "Refuser",
    ), english=(
        "asks to use some of your data", "Verified brand", "through “", "Why<",
        "Run a loyalty programme", "Asked for", "What would be shared", "Phone:", "In full",
        "Only:", "add records", "For how many days", "After your answer",
        "Share what is ticked", ">Refuse<",
    ))


def test_the_consent_screen_error_is_in_french(flow: Flow) -> None:
    _verifier, challenge = pkce_pair()
    in_french(flow.client)

    unknown = flow.client.get(authorize_url("nope", scope="contact:read", challenge=challenge))
    elsewhere = flow.client.get(authorize_url(flow.app.client_id, scope="contact:read",
                                              challenge=challenge,
                                              redirect_uri=REDIRECT_URI + "/other"))

    for response in (unknown, elsewhere):
        assert response.status_code in (400, 401)
        html = response.content.decode()
        assert_french(html, french=(
            "Erreur d’autorisation", "Cette demande ne peut pas être affichée",
            "Rien n’a été partagé.", "Détails techniques, pour les développeurs du service :",
            "invalid_request",
        ), english=("Authorization error", "This request cannot be shown", "Nothing was shared"))
    assert "n’est pas enregistré auprès de Sillage" in unknown.content.decode()
    assert "une adresse qu’il n’a pas enregistrée" in elsewhere.content.decode()


def test_a_consent_given_in_french_is_stored_and_signed_in_english(flow: Flow) -> None:
    in_french(flow.client)
    flow.tokens(scope="contact:read birthdate:read")

    consent = Consent.objects.get()
    receipt = consent.receipt["receipt"]
    purpose = receipt["services"][0]["purposes"][0]

    assert consent.description == "Run a loyalty programme you belong to"
    assert receipt["language"] == "en"
    assert purpose["purpose"] == "Run a loyalty programme you belong to"
    assert [item["label"] for item in purpose["piiCategory"]] == ["Birth date", "Contact"]


@pytest.fixture
def brand_owner(make_consumer: Callable[..., User], app: ClientApp,
                make_brand: Callable[..., Brand]) -> Client:
    """An owner of two brands (so /brands/ and /brands/webhooks/ list them)."""
    user = make_consumer(email="owner@brand.example")
    for brand in (app.application.brand, make_brand(name="Maison Laurent", verified=False)):
        add_member(brand=brand, user=user, role="owner")
    return client_for(user=user)


def test_brand_portal_is_in_french(brand_owner: Client, app: ClientApp, flow: Flow) -> None:
    flow.tokens(scope="contact:read")
    brand = app.application.brand
    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}

    index = page(brand_owner, "/brands/", **french)
    brand_page = page(brand_owner, f"/brands/{brand.slug}/", **french)
    client_page = page(brand_owner, f"/brands/{brand.slug}/clients/{app.client_id}/", **french)
    new_client = page(brand_owner, f"/brands/{brand.slug}/clients/new/", **french)

    assert_french(index, french=(
        "Espace marques", "Vos marques", "Enregistrez des clients OAuth", "Vérifiée",
        "Non vérifiée",
    ), english=("Brand portal", "Your brands", "Register OAuth clients", "Not verified"))
    assert_french(brand_page, french=(
        "Votre rôle pour cette marque : propriétaire.", "Enregistrer un client", "Clients OAuth",
        "Confidentiel", "Finalités", "Consentements détenus", "Par état", "actifs",
        "Actifs, par finalité", "Gérer un programme de fidélité dont vous êtes membre",
        "Type de données", "lecture",
    ), english=(
        "You are", "Register a client", "OAuth clients", ">Confidential<", "Consents held",
        "By status", "Active, by purpose", "Run a loyalty programme", ">Facet<", ">read<",
    ))
    assert_french(client_page, french=(
        "URI de redirection", "Secret du client", "Renouveler le secret", "Modifier",
        "Nom affiché aux consommateurs", "Finalités pour lesquelles vous pouvez demander",
        "loyalty — Gérer un programme de fidélité", "Ce que « loyalty » signifie ici",
    ), english=(
        "Redirect URIs", "Client secret", "Rotate the secret", "Name shown to consumers",
        "Purposes you may ask consent for", "means here",
    ))
    assert_french(new_client, french=(
        "Enregistrer un client OAuth", "Type de client", "Confidentiel (un serveur garde un secret)",
    ), english=("Register an OAuth client", "Client type", "a server keeps a secret"))


def test_webhook_pages_are_in_french(brand_owner: Client, app: ClientApp) -> None:
    brand = app.application.brand
    in_french(brand_owner)

    index = page(brand_owner, "/brands/webhooks/")
    brand_page = page(brand_owner, f"/brands/webhooks/{brand.slug}/")
    new_endpoint = page(brand_owner, f"/brands/webhooks/{brand.slug}/new/")

    assert_french(index, french=(
        "Webhooks", "Choisissez la marque dont vous voulez gérer les points de terminaison",
    ), english=("Choose the brand whose",))
    assert_french(brand_page, french=(
        "Webhooks de Brand", "Sillage prévient vos points de terminaison",
        "Ajouter un point de terminaison", "Aucun point de terminaison pour l’instant.",
        "Pour vérifier les signatures :",
    ), english=("Webhooks of", "Sillage tells your endpoints", "Add an endpoint",
                "No endpoint yet", "How to verify"))
    assert_french(new_endpoint, french=(
        "Ajouter un point de terminaison de webhook", "URL de destination",
        "Une adresse https sur l’internet public", "Événements",
        "consent.granted — Un consommateur a donné un consentement à votre application.",
        "Ajouter le point de terminaison", "Annuler",
    ), english=("Add a webhook endpoint", "Destination URL", "An https address",
                "A consumer granted", "Add the endpoint"))


def test_a_refused_webhook_destination_is_explained_in_french(
    settings: Any, brand_owner: Client, app: ClientApp
) -> None:
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOW_PRIVATE_DESTINATIONS": False}
    brand = app.application.brand
    in_french(brand_owner)

    response = brand_owner.post(f"/brands/webhooks/{brand.slug}/new/", {
        "url": "https://169.254.169.254/latest/meta-data/", "event_types": ["data.erased"]})

    assert response.status_code == 200
    assert ("Ce nom d’hôte pointe vers une adresse privée, de boucle locale ou réservée."
            in response.content.decode())


def test_a_refused_redirect_uri_is_explained_in_french(brand_owner: Client,
                                                         app: ClientApp) -> None:
    brand = app.application.brand
    in_french(brand_owner)

    response = brand_owner.post(f"/brands/{brand.slug}/clients/new/", {
        "name": "Bad", "redirect_uris": "https://*.shop.example/cb", "client_type": "public",
        "purposes": ["loyalty"]})

    assert response.status_code == 400
    assert ("l’URI de redirection « https://*.shop.example/cb » doit être exacte"
            in response.content.decode())
