"""Reduced facets: derived forms of a facet that disclose less.

A brand that needs "is this customer an adult in their thirties" should not get
the birth date; one that needs "which city" should not get the street. Reduced
facets are computed from the vault at read time, never stored, and are asked
for with scopes like any facet (``age_band:read``). They are read-only.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Event facets feeding a reduced facet are read over this window only.
EVENTS_WINDOW_DAYS = 365

Deriver = Callable[[Any, dt.date], dict[str, Any] | None]


@dataclass(frozen=True)
class ReducedFacet:
    key: str
    label: str | Promise
    description: str | Promise
    # The full facet it is computed from.
    source: str
    # Output fields, for the consent screen and the API schema.
    fields: tuple[tuple[str, str | Promise], ...]
    derive: Deriver
    # True when computed from a stream of events (the deriver gets a list of records' data).
    from_events: bool = False

    @property
    def kind(self) -> str:
        return "profile"

    @property
    def is_events(self) -> bool:
        return False


AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 17, "under 18"),
    (18, 24, "18-24"),
    (25, 34, "25-34"),
    (35, 44, "35-44"),
    (45, 54, "45-54"),
    (55, 64, "55-64"),
    (65, None, "65+"),
)


def age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _age_band(data: Any, today: dt.date) -> dict[str, Any] | None:
    if not isinstance(data, Mapping) or not isinstance(data.get("date"), str):
        return None
    try:
        born = dt.date.fromisoformat(data["date"])
    except ValueError:
        return None
    age = age_on(born, today)
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return {"age_band": label}
    return None


def _city(data: Any, today: dt.date) -> dict[str, Any] | None:
    if not isinstance(data, Mapping) or not data.get("city"):
        return None
    return {"city": data["city"], "country": data.get("country", "")}


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*[0-9][A-Z]{2}$")


def postcode_area(postcode: str, country: str) -> str | None:
    """The coarse area of a postcode: a French département, a UK outward code,
    elsewhere the first two characters."""
    code = re.sub(r"\s+", " ", postcode.strip().upper())
    if not code:
        return None
    if country == "FR" and re.fullmatch(r"\d{5}", code):
        if code.startswith("97") or code.startswith("98"):
            return code[:3]
        if code.startswith("20"):
            return "2A" if int(code) < 20200 else "2B"
        return code[:2]
    if country == "GB":
        match = _UK_POSTCODE.match(code)
        if match:
            return match.group(1)
    compact = re.sub(r"[^A-Z0-9]", "", code)
    return compact[:2] or None


def _postcode_area(data: Any, today: dt.date) -> dict[str, Any] | None:
    if not isinstance(data, Mapping) or not isinstance(data.get("postcode"), str):
        return None
    country = str(data.get("country", ""))
    area = postcode_area(data["postcode"], country)
    if area is None:
        return None
    return {"postcode_area": area, "country": country}


# What ``purchase_categories`` may disclose: a fixed vocabulary (docs/api.md,
# "The purchase_categories vocabulary"), never the text written in a purchase's
# category. That text comes from whoever wrote the purchase (an import, or a
# brand with purchases:write) and could name a clinic, a person or a URL; the
# brand reading the reduced facet gets only these words. Each word lists the
# categories (English and French, compared without case or accents) that map
# to it; anything else is "other", a purchase without a category
# "uncategorised". No word names a health, religious, political or sexual
# matter: such categories are "other".
PURCHASE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "groceries": ("groceries", "grocery", "supermarket", "supermarkets", "food shopping",
                  "epicerie", "courses", "alimentation", "supermarche"),
    "food": ("food", "restaurant", "restaurants", "cafe", "cafes", "bakery", "takeaway",
             "dining", "fast food", "boulangerie", "restauration"),
    "fashion": ("fashion", "clothing", "clothes", "apparel", "shoes", "accessories", "mode",
                "vetements", "chaussures", "habillement"),
    "beauty": ("beauty", "cosmetics", "perfume", "hairdresser", "beaute", "cosmetiques",
               "parfumerie", "coiffeur"),
    "home": ("home", "furniture", "diy", "garden", "homeware", "maison", "bricolage", "jardin",
             "ameublement", "decoration"),
    "electronics": ("electronics", "high tech", "hightech", "computers", "computing",
                    "electronique", "informatique", "multimedia"),
    "leisure": ("leisure", "entertainment", "cinema", "shows", "games", "gaming", "toys", "books",
                "culture", "loisirs", "jeux", "jouets", "livres", "spectacles"),
    "sport": ("sport", "sports", "fitness", "gym", "outdoor"),
    "travel": ("travel", "transport", "transportation", "hotel", "hotels", "flights", "train",
               "mobility", "voyage", "voyages", "mobilite"),
    "fuel": ("fuel", "petrol", "charging", "carburant", "essence"),
    "media": ("media", "streaming", "music", "press", "news", "video", "musique", "presse"),
    "utilities": ("utilities", "energy", "electricity", "water", "telecom", "internet", "mobile",
                  "phone", "bills", "energie", "telephonie", "factures"),
    "shopping": ("shopping", "retail", "marketplace", "department store", "commerce"),
}
OTHER_CATEGORY = "other"
NO_CATEGORY = "uncategorised"
PURCHASE_CATEGORY_VOCABULARY: tuple[str, ...] = (*PURCHASE_CATEGORIES, OTHER_CATEGORY, NO_CATEGORY)


def _plain(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\s_\-/&.,;:+]+", " ", bare).split())


_CATEGORY_WORDS: dict[str, str] = {
    _plain(synonym): word for word, synonyms in PURCHASE_CATEGORIES.items()
    for synonym in (word, *synonyms)
} | {OTHER_CATEGORY: OTHER_CATEGORY, NO_CATEGORY: NO_CATEGORY, "uncategorized": NO_CATEGORY}


def purchase_category(category: Any) -> str:
    """The vocabulary word for a purchase's category (``other`` when unknown)."""
    if category is None or not str(category).strip():
        return NO_CATEGORY
    return _CATEGORY_WORDS.get(_plain(str(category)), OTHER_CATEGORY)


def _purchase_categories(events: Any, today: dt.date) -> dict[str, Any] | None:
    if not isinstance(events, list):
        return None
    counts: Counter[str] = Counter()
    for data in events:
        if isinstance(data, Mapping):
            counts[purchase_category(data.get("category"))] += 1
    if not counts:
        return None
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "categories": [{"category": name, "purchases": count} for name, count in ordered],
        "window_days": EVENTS_WINDOW_DAYS,
    }


REDUCED_FACETS: dict[str, ReducedFacet] = {
    facet.key: facet
    for facet in (
        ReducedFacet(
            "age_band",
            _("Age band"),
            _("Your age range (such as 25-34), not your birth date."),
            source="birthdate",
            fields=(("age_band", _("Age band")),),
            derive=_age_band,
        ),
        ReducedFacet(
            "city",
            _("City"),
            _("The city and country of your address, without the street or postcode."),
            source="address",
            fields=(("city", _("City")), ("country", _("Country"))),
            derive=_city,
        ),
        ReducedFacet(
            "postcode_area",
            _("Postcode area"),
            _("The area of your postcode (such as a département), not the full address."),
            source="address",
            fields=(("postcode_area", _("Postcode area")), ("country", _("Country"))),
            derive=_postcode_area,
        ),
        ReducedFacet(
            "purchase_categories",
            _("Purchase categories"),
            _("Which kinds of things you bought over the last year and how often, "
              "without merchants, dates or amounts."),
            # Words of PURCHASE_CATEGORY_VOCABULARY only, never a category's own text.
            source="purchases",
            fields=(("categories", _("Categories")),),
            derive=_purchase_categories,
            from_events=True,
        ),
    )
}


def reduced_forms_of(facet_key: str) -> list[ReducedFacet]:
    """The reduced facets a full facet can be swapped for on the consent screen."""
    return [facet for facet in REDUCED_FACETS.values() if facet.source == facet_key]


def derive(key: str, source: Any, *, today: dt.date) -> dict[str, Any] | None:
    """The reduced value of ``key`` from its source value (a profile record's data,
    or the list of event records' data); None when there is nothing to show."""
    return REDUCED_FACETS[key].derive(source, today)
