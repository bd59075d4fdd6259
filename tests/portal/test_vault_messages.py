"""What the vault pages say when a value or a file is refused, word for word,
in English and in French: every validation message of the vault reaches the
consumer in their language, with its variable parts (limits, names, lines)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db

HEADER = "occurred_at,merchant,category,description,amount,currency,channel\n"
GOOD = "2026-01-14T10:30:00Z,Maison Laurent,clothing,Linen shirt,59.90,EUR,store\n"


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    translation.deactivate()


def _language(client: Client, language: str) -> None:
    client.cookies["django_language"] = language


def _form_errors(response: Any) -> list[str]:
    form = response.context["form"]
    return [f"{name}: {message}" for name, messages in form.errors.items() for message in messages]


PROFILE = {
    "email": ("contact", {"email": "not-an-address", "phone": ""}),
    "phone": ("contact", {"email": "", "phone": "call me"}),
    "country": ("address", {"line1": "1 rue X", "postcode": "", "city": "Lyon", "country": "FRA"}),
    "old date": ("birthdate", {"date": "1800-01-01"}),
    "not a date": ("birthdate", {"date": "not a date"}),
    "control": ("identity", {"given_name": "Ca\x01mille", "family_name": ""}),
}


def _preferences(rows: list[tuple[str, str]]) -> dict[str, str]:
    data = {"pref-TOTAL_FORMS": str(len(rows)), "pref-INITIAL_FORMS": "0",
            "pref-MIN_NUM_FORMS": "0", "pref-MAX_NUM_FORMS": "64"}
    for index, (key, value) in enumerate(rows):
        data[f"pref-{index}-key"] = key
        data[f"pref-{index}-value"] = value
    return data


PREFERENCES = {
    "bad name": [("size", "M"), ("Shoe Size", "39")],
    "too many values": [("languages", ",".join(["fr"] * 33))],
    "too long": [("size", "x" * 201)],
}


def _json(document: Any) -> bytes:
    return json.dumps(document).encode()


IMPORTS: dict[str, tuple[str, bytes]] = {
    "header": ("a.csv", b"occurred_at,merchant,price,price\n" + GOOD.encode()),
    "rows": ("a.csv", (
        HEADER
        + "2026-01-14T10:30:00Z,Fnac,books,Novel,x,EUR,online\n"
        + "2026-01-14T10:30:00Z,Fnac,books,Novel,1.5,EURO,online\n"
        + "yesterday,Fnac,books,Novel,1.5,EUR,online\n"
        + "2026-01-14T10:30:00Z,,books,Novel,1.5,EUR,online\n"
        + "2026-01-14T10:30:00Z,Fnac,books\n"
        + "2026-01-14T10:30:00Z,Fnac,books,Novel,1.23456,EUR,online\n"
        + "2026-01-14T10:30:00Z,Fnac,books,Novel,1e13,EUR,online\n"
        + "1960-01-14T10:30:00Z,Fnac,books,Novel,1,EUR,online\n"
        + "2026-01-14T10:30:00Z,Fnac,books,Novel,[],EUR,online\n"
    ).encode()),
    "malformed csv": ("a.csv", (HEADER + '2026-01-14T10:30:00Z,"Fnac"x,b,c,1,EUR,d\n').encode()),
    "header only": ("a.csv", HEADER.encode()),
    "unreadable header": ("a.csv", b'"occurred_at\n'),
    "records": ("a.json", _json({"records": [
        {"facet": "identity", "data": {"given_name": "Camille"}},
        {"facet": "nope", "data": {}},
        "just a string",
        {"facet": "identity", "data": {}, "extra": 1},
        {"facet": "identity", "occurred_at": "2026-01-01", "data": {"given_name": "A"}},
        {"facet": "purchases", "data": {"merchant": "A", "amount": "1", "currency": "EUR"}},
        {"facet": "preferences", "data": {}},
        {"facet": "identity", "data": {}},
        {"facet": "identity", "data": {"nickname": "Cam"}},
        {"facet": "loyalty", "data": {"programme": "Or", "points": -5}},
        {"facet": "loyalty", "data": {"programme": "Or", "points": "many"}},
        {"facet": "identity", "data": ["Camille"]},
        {"facet": "identity", "data": {"given_name": 12}},
        {"facet": "preferences", "data": {"k": "v" * 201}},
        {"facet": "preferences", "data": {f"k{n}": "v" for n in range(65)}},
        {"facet": "address", "data": {"city": "Lyon"}},
        {"facet": "devices", "occurred_at": 12, "data": {"device_type": "phone"}},
        {"facet": "loyalty", "data": {"programme": "Or", "tier": "gold", "member_id": "1",
                                      "points": 1.5}},
        {"facet": "identity", "data": {"given_name": "x" * 101}},
    ]})),
    "malformed json": ("a.json", b'{"records": [\n  {"facet": }\n]}'),
    "not records": ("a.json", _json({"items": []})),
    "unknown key": ("a.json", _json({"records": [], "owner": "me"})),
    "empty list": ("a.json", _json({"records": []})),
    "empty file": ("a.csv", b"   \n"),
    "not utf-8": ("a.csv", HEADER.encode() + b"2026-01-14,Caf\xe9\n"),
}


def _import(client: Client, name: str, content: bytes, source: str = "Maison Laurent") -> Any:
    return client.post("/vault/import/", {"source": source,
                                          "file": SimpleUploadedFile(name, content)})


def _problems(response: Any) -> list[str]:
    assert response.status_code == 400
    return [" | ".join((problem["where"], problem["field"], problem["message"]))
            for problem in response.context["problems"]]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_profile_values_are_refused_in_the_consumer_language(logged_in: Client,
                                                              language: str) -> None:
    _language(logged_in, language)
    said = {}
    for case, (facet, data) in PROFILE.items():
        response = logged_in.post(f"/vault/{facet}/", data)
        assert response.status_code == 400, case
        said[case] = _form_errors(response)
    for case, rows in PREFERENCES.items():
        response = logged_in.post("/vault/preferences/", _preferences(rows))
        assert response.status_code == 400, case
        said[case] = [str(error) for form in response.context["formset"].forms
                      for messages in form.errors.values() for error in messages]
    assert said == EXPECTED_PROFILE[language]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_refused_files_are_explained_in_the_consumer_language(logged_in: Client,
                                                               language: str) -> None:
    _language(logged_in, language)
    said = {case: _problems(_import(logged_in, name, content))
            for case, (name, content) in IMPORTS.items()}
    source = _import(logged_in, "a.csv", (HEADER + GOOD).encode(), source="\x01Maison")
    assert source.status_code == 400
    said["source"] = _form_errors(source)
    with override_settings(VAULT={**settings.VAULT, "MAX_IMPORT_BYTES": 2 * 1024 * 1024}):
        said["too large"] = _problems(_import(logged_in, "a.csv", b"x" * (2 * 1024 * 1024 + 1)))
    with override_settings(VAULT={**settings.VAULT, "MAX_IMPORT_RECORDS": 1}):
        said["too many rows"] = _problems(_import(logged_in, "a.csv", (HEADER + GOOD * 2).encode()))
        said["too many records"] = _problems(_import(logged_in, "a.json", _json({"records": [
            {"facet": "identity", "data": {"given_name": "A"}}] * 2})))
    assert said == EXPECTED_IMPORT[language]


EXPECTED_PROFILE: dict[str, dict[str, list[str]]] = {'en': {'email': ['email: E-mail must be an e-mail address.'],
        'phone': ['phone: Phone must be a phone number such as +33 6 12 34 56 78.'],
        'country': ['country: Country must be a two-letter ISO 3166 code such as FR.'],
        'old date': ['date: Date of birth must be a date between 1900 and today.'],
        'not a date': ['date: Date of birth must be a date written YYYY-MM-DD.'],
        'control': ['given_name: Given name must not contain control characters.'],
        'bad name': ['The name “Shoe Size” is refused: names must be lower-case letters, digits, '
                     "'_', '.', '-'."],
        'too many values': ['The name “languages” is refused: must have at most 32 values.'],
        'too long': ['The name “size” is refused: must be at most 200 characters.']},
 'fr': {'email': ['email: E-mail : doit être une adresse e-mail.'],
        'phone': ['phone: Téléphone : doit être un numéro de téléphone, par exemple +33 6 12 34 56 '
                  '78.'],
        'country': ['country: Pays : doit être un code ISO 3166 de deux lettres, par exemple FR.'],
        'old date': ['date: Date de naissance : doit être une date comprise entre 1900 et '
                     'aujourd’hui.'],
        'not a date': ['date: Date de naissance : doit être une date écrite AAAA-MM-JJ.'],
        'control': ['given_name: Prénom : ne doit pas contenir de caractères de contrôle.'],
        'bad name': ['Le nom « Shoe Size » est refusé : les noms ne doivent contenir que des '
                     'minuscules, des chiffres, « _ », « . » et « - ».'],
        'too many values': ['Le nom « languages » est refusé : doit avoir au plus 32 valeurs.'],
        'too long': ['Le nom « size » est refusé : doit faire au plus 200 caractères.']}}

EXPECTED_IMPORT: dict[str, dict[str, list[str]]] = {'en': {'header': ['Line 1 | header | missing column(s) category, description, amount, currency, '
                   'channel; unknown column(s) price, price; repeated column names. Expected: '
                   'occurred_at,merchant,category,description,amount,currency,channel'],
        'rows': ['Line 2 | amount | must be a number such as 12.50',
                 'Line 3 | currency | must be a three-letter ISO 4217 code such as EUR',
                 'Line 4 | occurred_at | must be a date-time in ISO 8601, e.g. '
                 '2026-03-01T14:30:00Z',
                 'Line 5 | merchant | is required',
                 'Line 6 |  | expected 7 values, found 3',
                 'Line 7 | amount | must have at most four decimals',
                 'Line 8 | amount | must be a finite number below one trillion',
                 'Line 9 | occurred_at | must not be before 1970 or in the future',
                 'Line 10 | amount | must be a number such as 12.50'],
        'malformed csv': ['Line 2 |  | malformed CSV (\',\' expected after \'"\')'],
        'header only': ['The file |  | no records after the header'],
        'unreadable header': ['Line 1 |  | missing or unreadable header'],
        'records': ["Record 2 | facet | unknown facet 'nope'; known: identity, contact, birthdate, "
                    'address, preferences, purchases, loyalty, devices, location, connected',
                    'Record 3 | record | must be an object with facet and data',
                    'Record 4 | extra | is not a record key (facet, occurred_at, data)',
                    "Record 5 | occurred_at | facet 'identity' is a profile facet: no occurred_at",
                    'Record 6 | occurred_at | is required for event facets',
                    "Record 7 | data | facet 'preferences' needs at least one entry",
                    "Record 8 | data | facet 'identity' needs at least one field",
                    "Record 9 | nickname | is not a field of facet 'identity'",
                    'Record 10 | points | must not be negative',
                    'Record 11 | points | must be a whole number',
                    'Record 12 | data | must be an object of field names to values',
                    'Record 13 | given_name | must be text',
                    'Record 14 | k | must be at most 200 characters',
                    'Record 15 | data | must have at most 64 entries',
                    'Record 16 | country | is required',
                    'Record 17 | occurred_at | must be a date-time in ISO 8601, e.g. '
                    '2026-03-01T14:30:00Z',
                    'Record 18 | points | must be a whole number',
                    'Record 19 | given_name | must be at most 100 characters'],
        'malformed json': ['Line 2 |  | malformed JSON (Expecting value)'],
        'not records': ['The document | records | expected {"records": [ ... ]} at the top level'],
        'unknown key': ['The document | owner | is not a known top-level key'],
        'empty list': ['The document | records | the list of records is empty'],
        'empty file': ['The file |  | the file is empty'],
        'not utf-8': ['Line 2 |  | the file is not valid UTF-8 text'],
        'source': ['source: Must be at most 80 printable characters.'],
        'too large': ['The file |  | the file is larger than 2 MiB'],
        'too many rows': ['Line 3 |  | more than 1 records in one file'],
        'too many records': ['The document | records | more than 1 records']},
 'fr': {'header': ['Ligne 1 | header | colonne(s) manquante(s) : category, description, amount, '
                   'currency, channel; colonne(s) inconnue(s) : price, price; noms de colonnes '
                   'répétés. Attendu : '
                   'occurred_at,merchant,category,description,amount,currency,channel'],
        'rows': ['Ligne 2 | amount | doit être un nombre, par exemple 12.50',
                 'Ligne 3 | currency | doit être un code ISO 4217 de trois lettres, par exemple '
                 'EUR',
                 'Ligne 4 | occurred_at | doit être une date et heure ISO 8601, par exemple '
                 '2026-03-01T14:30:00Z',
                 'Ligne 5 | merchant | est obligatoire',
                 'Ligne 6 |  | 7 valeurs attendues, 3 trouvées',
                 'Ligne 7 | amount | doit avoir au plus quatre décimales',
                 'Ligne 8 | amount | doit être un nombre fini inférieur à mille milliards',
                 'Ligne 9 | occurred_at | ne doit être ni antérieure à 1970 ni dans le futur',
                 'Ligne 10 | amount | doit être un nombre, par exemple 12.50'],
        'malformed csv': ['Ligne 2 |  | CSV mal formé (\',\' expected after \'"\')'],
        'header only': ['Le fichier |  | aucun enregistrement après l’en-tête'],
        'unreadable header': ['Ligne 1 |  | en-tête absent ou illisible'],
        'records': ["Enregistrement 2 | facet | type de données inconnu 'nope' ; types connus : "
                    'identity, contact, birthdate, address, preferences, purchases, loyalty, '
                    'devices, location, connected',
                    'Enregistrement 3 | record | doit être un objet avec facet et data',
                    'Enregistrement 4 | extra | n’est pas une clé d’enregistrement (facet, '
                    'occurred_at, data)',
                    'Enregistrement 5 | occurred_at | « identity » est une donnée de profil : pas '
                    'de occurred_at',
                    'Enregistrement 6 | occurred_at | est obligatoire pour les données d’activité',
                    'Enregistrement 7 | data | le type de données « preferences » demande au moins '
                    'une valeur',
                    'Enregistrement 8 | data | le type de données « identity » demande au moins '
                    'une valeur',
                    'Enregistrement 9 | nickname | n’est pas un champ du type de données « '
                    'identity »',
                    'Enregistrement 10 | points | ne doit pas être négatif',
                    'Enregistrement 11 | points | doit être un nombre entier',
                    'Enregistrement 12 | data | doit être un objet associant des noms de champs à '
                    'des valeurs',
                    'Enregistrement 13 | given_name | doit être du texte',
                    'Enregistrement 14 | k | doit faire au plus 200 caractères',
                    'Enregistrement 15 | data | doit avoir au plus 64 entrées',
                    'Enregistrement 16 | country | est obligatoire',
                    'Enregistrement 17 | occurred_at | doit être une date et heure ISO 8601, par '
                    'exemple 2026-03-01T14:30:00Z',
                    'Enregistrement 18 | points | doit être un nombre entier',
                    'Enregistrement 19 | given_name | doit faire au plus 100 caractères'],
        'malformed json': ['Ligne 2 |  | JSON mal formé (Expecting value)'],
        'not records': ['Le document | records | {"records": [ ... ]} attendu au premier niveau'],
        'unknown key': ['Le document | owner | n’est pas une clé de premier niveau connue'],
        'empty list': ['Le document | records | la liste des enregistrements est vide'],
        'empty file': ['Le fichier |  | le fichier est vide'],
        'not utf-8': ['Ligne 2 |  | le fichier n’est pas du texte UTF-8 valide'],
        'source': ['source: Doit faire au plus 80 caractères imprimables.'],
        'too large': ['Le fichier |  | le fichier dépasse 2 Mio'],
        'too many rows': ['Ligne 3 |  | plus de 1 enregistrements dans un seul fichier'],
        'too many records': ['Le document | records | plus de 1 enregistrements']}}
