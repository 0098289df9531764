from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from insyn.organisations.selectors import current_municipality


def site(request: HttpRequest) -> dict[str, Any]:
    """The municipality's identity for every template (one cached query)."""
    return {"municipality": current_municipality()}


def map_settings(request: HttpRequest) -> dict[str, Any]:
    """The street map's tile source for templates that draw a map (feedback/includes/streetmap)."""
    lat, long, zoom = settings.MAP_CENTER
    texts = _streetmap_texts()
    return {
        "map_tiles": {
            "url": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "max_zoom": settings.MAP_MAX_ZOOM,
            "lat": lat,
            "long": long,
            "zoom": zoom,
        },
        "streetmap_texts": lambda: json.dumps(texts, cls=DjangoJSONEncoder, ensure_ascii=False),
    }


def _streetmap_texts() -> dict[str, Any]:
    return {
        "map": _("Karta"),
        "lat": _("latitud"),
        "long": _("longitud"),
        "moved": _("Markören flyttad till"),
        "chosen": _("Vald plats:"),
        "yours": _("Din position:"),
        "pin": _("Markör för platsen. Flytta med piltangenterna."),
        "locating": _("Hämtar din position …"),
        "placechosen": _("Vald plats:"),
        "found": _("träffar. Välj den som stämmer:"),
        "nothing": _(
            "Ingen plats hittades. Skriv på ett annat sätt, välj område i listan eller "
            "beskriv platsen med egna ord."
        ),
        "geocoderdown": _(
            "Adresstjänsten svarar inte just nu. Träffarna kommer från kommunens eget "
            "platsregister."
        ),
        "searching": _("Söker …"),
        "cluster": _("felanmälningar här. Välj för att zooma in."),
        "nolocation": _(
            "Positionen kunde inte hämtas. Skriv en adress eller välj område i stället."
        ),
    }
