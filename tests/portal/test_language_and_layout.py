"""The portal in French, and the shared layout: skip link, navigation, menus."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import User

pytestmark = pytest.mark.django_db

PAGES = ["/", "/vault/", "/vault/identity/", "/vault/preferences/", "/vault/purchases/",
         "/vault/import/", "/vault/export/", "/accounts/", "/accounts/2fa/", "/accounts/delete/",
         "/accounts/logout/"]
ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/signup/done/",
                   "/accounts/password/reset/",
                   "/accounts/password/reset/done/", "/accounts/password/reset/complete/",
                   "/accounts/goodbye/"]


def test_switching_to_french_shows_the_portal_in_french(client: Client) -> None:
    switched = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()

    assert switched.status_code == 302
    assert '<html lang="fr">' in html
    assert "Connexion à votre coffre" in html
    assert ">Mot de passe" in html
    assert "Se connecter" in html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_renders_in_both_languages(
    client: Client, consumer: User, with_data, language: str
) -> None:
    with_data()
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    for path in ANONYMOUS_PAGES:
        assert client.get(path).status_code == 200, path
    client.force_login(consumer)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in response.content.decode(), path


def test_french_dashboard_has_no_english_left_in_its_own_words(
    client: Client, consumer: User, with_data
) -> None:
    with_data()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    client.force_login(consumer)

    html = client.get("/").content.decode()

    assert "Bonjour, Camille" in html
    assert "Tableau de bord" in html
    assert "Importer" in html
    for english in ("Hello", "Latest imports", "records in your vault", "Log out"):
        assert english not in html


def test_every_page_has_a_skip_link_main_landmark_and_navigation(
    client: Client, consumer: User
) -> None:
    client.force_login(consumer)

    html = client.get("/vault/").content.decode()

    assert html.index('class="skip-link" href="#main"') < html.index('<header')
    assert '<main id="main"' in html
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert '<a href="/vault/" aria-current="page">Vault</a>' in html
    for path in ("/", "/consents/", "/activity/"):
        assert f'<a href="{path}"' in html
    assert 'action="/i18n/setlang/"' in html
    assert 'action="/accounts/logout/" method="post"' in html


def test_insights_appears_in_the_menu_only_once_it_exists(client: Client, consumer: User) -> None:
    client.force_login(consumer)
    try:
        resolve("/insights/")
        exists = True
    except Resolver404:
        exists = False

    html = client.get("/").content.decode()

    assert ('href="/insights/"' in html) is exists


def test_every_input_of_the_forms_has_a_label(client: Client, consumer: User) -> None:
    import re

    client.force_login(consumer)
    for path in ("/vault/identity/", "/vault/address/", "/vault/import/", "/accounts/",
                 "/accounts/delete/"):
        html = client.get(path).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
        for element_id in ids:
            assert f'for="{element_id}"' in html, (path, element_id)
