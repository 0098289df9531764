"""The change log as a page and an Atom feed (django.contrib.syndication)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from insyn.opendata.changes import Change, recent_changes
from insyn.organisations.selectors import current_municipality


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/changes.html", {"changes": recent_changes(limit=100)})


@method_decorator(require_safe, name="__call__")
class ChangesFeed(Feed):
    feed_type = Atom1Feed
    description = _(
        "Allt som kommunen publicerar i Insyn: uppföljningar, rättelser, dialoger, "
        "återkoppling, resultat och budget."
    )

    def title(self) -> str:
        municipality = current_municipality()
        name = municipality.name if municipality else "Insyn"
        return _("%(name)s: ändringar i Insyn") % {"name": name}

    def link(self) -> str:
        return reverse("changes:page")

    def items(self) -> list[Change]:
        return recent_changes(limit=50)

    def item_title(self, item: Change) -> str:
        return item.title

    def item_description(self, item: Change) -> str:
        return item.summary

    def item_link(self, item: Change) -> str:
        return item.url

    def item_guid(self, item: Change) -> str:
        return item.key

    item_guid_is_permalink = False

    def item_pubdate(self, item: Change):
        return item.at

    def item_updateddate(self, item: Change):
        return item.at
