"""Public indicator pages: the list, one indicator with its full series and peers, the budget."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from insyn.core import params
from insyn.indicators import selectors


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "indicators/index.html",
        {"groups": selectors.indicator_index(), "last_updated": selectors.last_import_at()},
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.indicator_detail(pk)
    if detail is None:
        raise Http404(_("Indikatorn finns inte eller är inte publicerad."))
    return render(request, "indicators/detail.html", {"detail": detail, "summary": detail.summary})


def budget(request: HttpRequest) -> HttpResponse:
    year = params.int_param(request.GET, "year", low=1000, high=9999, ignore=True)
    view = selectors.budget_view(year)
    status = 200 if view.upload is not None or (year is None and not view.years) else 404
    return render(request, "indicators/budget.html", {"budget": view}, status=status)
