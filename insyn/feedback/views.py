"""Public pages: give feedback or report a fault, follow a case, see published fault reports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from insyn.core import params
from insyn.feedback import selectors, services
from insyn.feedback.forms import (
    FaultPlaceForm,
    FaultReportForm,
    FeedbackForm,
    FixedForm,
    FollowForm,
    PublicFilterForm,
    ReopenForm,
)
from insyn.feedback.geo import Bounds, Projection, municipality_bounds
from insyn.feedback.models import (
    Case,
    CasePhoto,
    Category,
    Kind,
    PublicState,
)
from insyn.organisations.geometry import centroid
from insyn.organisations.models import District

RECEIPT_KEY = "feedback_receipt"


def submit_rate(group: str, request: HttpRequest) -> str:
    return getattr(settings, "FEEDBACK_SUBMIT_RATE", "20/h")


def too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/too_many.html", status=429)


def _last_updated() -> Any:
    latest = (
        Category.history.order_by("-history_date").values_list("history_date", flat=True).first()
    )
    return latest or timezone.now()


def _private(response: HttpResponse) -> HttpResponse:
    """Pages behind a private link: never cached, never indexed, never leaked by referrer."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Map (server-rendered SVG; static JS only adds point picking) ----------------------------


def map_context(cases: list[Case] | None = None) -> dict[str, Any]:
    """The SVG map's geometry: districts and numbered points, drawn over the part of the
    municipality where they are (the whole municipality would make the city a speck)."""
    municipality = municipality_bounds()
    area_list = list(District.objects.exclude(geometry=None))
    located = [
        c
        for c in cases or []
        if c.lat is not None and c.long is not None and municipality.contains(c.lat, c.long)
    ]
    bounds = map_extent(municipality, area_list, [(c.lat, c.long) for c in located])
    proj = Projection(bounds)
    areas = []
    for area in area_list:
        geometry = area.geometry
        polygons = (
            geometry["coordinates"]
            if geometry.get("type") == "MultiPolygon"
            else [geometry.get("coordinates") or []]
        )
        for polygon in polygons:
            ring = polygon[0] if polygon else []
            points = " ".join("{},{}".format(*proj.xy(float(p[1]), float(p[0]))) for p in ring)
            areas.append({"name": "", "points": points, "x": 0, "y": 0})
        label_xy = proj.xy(*centroid(geometry))
        areas[-1].update({"name": area.name, "x": label_xy[0], "y": label_xy[1]})
    number = {c.pk: index for index, c in enumerate(cases or [], start=1)}
    markers = [
        {
            "n": number[c.pk],
            "number": c.number,
            **dict(zip("xy", proj.xy(c.lat, c.long), strict=True)),
        }
        for c in located
    ]
    return {
        "map_width": proj.width,
        "map_height": proj.height,
        "map_areas": areas,
        "map_approximate": any(a.approximate for a in area_list),
        "map_markers": markers,
        "map_bounds": bounds,
    }


def map_extent(
    municipality: Bounds, areas: list[District], points: list[tuple[float, float]]
) -> Bounds:
    """The areas and points with a margin, inside the municipality; all of it if empty."""
    lats = [a.min_lat for a in areas] + [a.max_lat for a in areas] + [p[0] for p in points]
    longs = [a.min_long for a in areas] + [a.max_long for a in areas] + [p[1] for p in points]
    if not lats:
        return municipality
    pad_lat = max((max(lats) - min(lats)) * 0.15, 0.01)
    pad_long = max((max(longs) - min(longs)) * 0.15, 0.02)
    return Bounds(
        max(municipality.min_lat, min(lats) - pad_lat),
        min(municipality.max_lat, max(lats) + pad_lat),
        max(municipality.min_long, min(longs) - pad_long),
        min(municipality.max_long, max(longs) + pad_long),
    )


# --- Index ----------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    kinds = [(k, k.label) for k in Kind if k != Kind.FAULT]
    return render(request, "feedback/index.html", {"kinds": kinds, "last_updated": _last_updated()})


# --- Fault report: step 1 (what, where) and step 2 (nearby reports + the rest) -------------


def _step2_context(
    request: HttpRequest, place: dict[str, Any], form: FaultReportForm
) -> dict[str, Any]:
    category = place["category"]
    area = place.get("area")
    nearby = selectors.nearby_open_reports(
        category=category,
        lat=place.get("lat"),
        long=place.get("long"),
        area_id=area.pk if area else None,
    )
    for index, item in enumerate(nearby):
        item.form = FollowForm(auto_id=f"id_follow{index}_%s")
    change = {
        "andra": "1",
        "category": category.pk,
        "address_text": place.get("address_text"),
        "lat": place.get("lat"),
        "long": place.get("long"),
        "area": area.pk if area else None,
    }
    change_qs = urlencode({k: v for k, v in change.items() if v not in (None, "")})
    return {
        "form": form,
        "place": place,
        "nearby": nearby,
        "category": category,
        "change_url": f"{reverse('feedback:fault')}?{change_qs}",
        "last_updated": _last_updated(),
    }


@require_GET
def fault(request: HttpRequest) -> HttpResponse:
    """Step 1 as a GET form (nothing personal); valid → step 2 on the same URL."""
    if not request.GET or "andra" in request.GET:
        initial = {k: v for k, v in request.GET.items() if k != "andra"}
        return render(
            request,
            "feedback/fault_step1.html",
            {
                "form": FaultPlaceForm(initial=initial),
                "last_updated": _last_updated(),
                **map_context(),
            },
        )
    place_form = FaultPlaceForm(request.GET)
    if not place_form.is_valid():
        return render(
            request,
            "feedback/fault_step1.html",
            {"form": place_form, "last_updated": _last_updated(), **map_context()},
        )
    place = place_form.cleaned_data
    category = selectors.category_with_questions(place["category"].code)
    initial = {k: v for k, v in place.items() if k != "category"}
    initial["category"] = category.pk
    if place.get("area") is not None:
        initial["area"] = place["area"].pk
    form = FaultReportForm(initial=initial, category=category)
    return render(request, "feedback/fault_step2.html", _step2_context(request, place, form))


@require_POST
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def fault_submit(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return too_many(request)
    category_id = params.id_or_none(request.POST.get("category"))
    category = (
        Category.objects.filter(pk=category_id, active=True, fault_reports=True)
        .prefetch_related("questions")
        .first()
        if category_id
        else None
    )
    if category is None:
        return redirect("feedback:fault")
    form = FaultReportForm(request.POST, request.FILES, category=category)
    if form.is_valid() and not form.is_spam():
        data = form.cleaned_data
        try:
            receipt = services.create_case(
                kind=Kind.FAULT,
                category=category,
                description=data["description"],
                lat=data.get("lat"),
                long=data.get("long"),
                address_text=data.get("address_text", ""),
                area=data.get("area"),
                attributes=data.get("attributes", {}),
                photos=data.get("photos", []),
                contact_name=data.get("contact_name", ""),
                contact_email=data.get("contact_email", ""),
                contact_phone=data.get("contact_phone", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _to_receipt(request, receipt.case, receipt.token)
    if form.is_spam():
        form.add_error("webbplats", _("Det här fältet ska vara tomt."))
    place = {
        "category": category,
        "lat": form.cleaned_data.get("lat"),
        "long": form.cleaned_data.get("long"),
        "address_text": form.cleaned_data.get("address_text", ""),
        "area": form.cleaned_data.get("area"),
    }
    return render(
        request, "feedback/fault_step2.html", _step2_context(request, place, form), status=400
    )


# --- Other kinds (synpunkt, idé, beröm, klagomål) ------------------------------------------


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def give(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if getattr(request, "limited", False):
            return too_many(request)
        form = FeedbackForm(request.POST, request.FILES)
        if form.is_valid() and not form.is_spam():
            data = form.cleaned_data
            try:
                receipt = services.create_case(
                    kind=data["kind"],
                    category=data["category"],
                    description=data["description"],
                    address_text=data.get("address_text", ""),
                    attributes=data.get("attributes", {}),
                    photos=data.get("photos", []),
                    contact_name=data.get("contact_name", ""),
                    contact_email=data.get("contact_email", ""),
                    contact_phone=data.get("contact_phone", ""),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return _to_receipt(request, receipt.case, receipt.token)
        if form.is_spam():
            form.add_error("webbplats", _("Det här fältet ska vara tomt."))
        status = 400
    else:
        kind = request.GET.get("typ", "")
        if kind == Kind.FAULT:
            return redirect("feedback:fault")
        form = FeedbackForm(initial={"kind": kind if kind in Kind.values else ""})
        status = 200
    return render(
        request,
        "feedback/give.html",
        {"form": form, "last_updated": _last_updated()},
        status=status,
    )


def _to_receipt(
    request: HttpRequest, case: Case, token: str, *, following: bool = False
) -> HttpResponse:
    request.session[RECEIPT_KEY] = {"number": case.number, "token": token, "following": following}
    return redirect("feedback:receipt")


@require_GET
@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    data = request.session.get(RECEIPT_KEY)
    if not data:
        return redirect("feedback:index")
    case = (
        Case.objects.select_related("category", "organisation")
        .filter(number=data["number"])
        .first()
    )
    if case is None:
        return redirect("feedback:index")
    url = request.build_absolute_uri(reverse("feedback:track", args=[data["token"]]))
    return _private(
        render(
            request,
            "feedback/receipt.html",
            {
                "case": case,
                "tracking_url": url,
                "following": data.get("following", False),
                "last_updated": case.created_at,
            },
        )
    )


# --- Following an existing report instead ------------------------------------------------


@require_POST
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def follow(request: HttpRequest, number: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return too_many(request)
    case = (
        Case.objects.published().filter(number=number).first()
        if selectors.valid_number(number)
        else None
    )
    if case is None:
        raise Http404
    form = FollowForm(request.POST)
    if form.is_valid() and not form.is_spam():
        try:
            token = services.follow_case(case=case, email=form.cleaned_data.get("email", ""))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _to_receipt(request, case.merged_into or case, token, following=True)
    if form.is_spam():
        form.add_error("webbplats", _("Det här fältet ska vara tomt."))
    return render(
        request,
        "feedback/follow_error.html",
        {"form": form, "case": case, "last_updated": case.updated_at},
        status=400,
    )


# --- Tracking page (private link) -----------------------------------------------------------


def _follower(token: str):
    follower = selectors.follower_by_token(token)
    if follower is None:
        raise Http404
    return follower


@require_GET
def track(request: HttpRequest, token: str) -> HttpResponse:
    follower = _follower(token)
    case = follower.case
    own = follower.reported_case if follower.reported_case_id else None
    context = {
        "follower": follower,
        "case": case,
        "own_case": own,
        **selectors.tracking_content(follower),
        "can_reopen": services.can_reopen(case) and follower.may_see_case,
        "reopen_form": ReopenForm(),
        "fixed_form": FixedForm()
        if case.status == "resolved" and case.resident_says_fixed is None and follower.may_see_case
        else None,
        "token": token,
        "reopen_days": services.reopen_days(),
        "last_updated": case.updated_at,
    }
    return _private(render(request, "feedback/track.html", context))


@require_POST
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def reopen(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return too_many(request)
    follower = _follower(token)
    form = ReopenForm(request.POST)
    if form.is_valid() and follower.may_see_case:
        try:
            services.reopen(case=follower.case, reason=form.cleaned_data.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return _private(redirect("feedback:track", token=token))


@require_POST
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def fixed(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return too_many(request)
    follower = _follower(token)
    form = FixedForm(request.POST)
    if not follower.may_see_case:
        pass
    elif form.is_valid():
        try:
            services.record_fixed_answer(case=follower.case, fixed=form.cleaned_data["fixed"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Tack för ditt svar!"))
    else:
        messages.error(request, _("Svara ja eller nej."))
    return _private(redirect("feedback:track", token=token))


@require_POST
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def unfollow(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return too_many(request)
    follower = _follower(token)
    services.stop_notifications(follower=follower)
    messages.success(request, _("Du får inte längre e-post om det här ärendet."))
    return _private(redirect("feedback:track", token=token))


# --- Public list, map and report pages ------------------------------------------------------


@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    filters = selectors.PublicFilters(page=params.page_param(request.GET))
    if form.is_bound and form.is_valid():
        category = form.cleaned_data.get("kategori")
        filters.category = category.pk if category else None
        filters.status = form.cleaned_data.get("status") or ""
    # From a goal's or an assignment's page: only the reports linked to it (a bad id is ignored).
    filters.goal = params.int_param(request.GET, "mal", low=1, ignore=True)
    filters.assignment = params.int_param(request.GET, "uppdrag", low=1, ignore=True)
    linked_to = selectors.linked_object(goal_id=filters.goal, assignment_id=filters.assignment)
    page = selectors.public_list(filters)
    query = request.GET.copy()
    query.pop("sida", None)
    latest = max((c.updated_at for c in page.items), default=timezone.now())
    return render(
        request,
        "feedback/reports.html",
        {
            "form": form,
            "page": page,
            "linked_to": linked_to,
            "linked_params": {"mal": filters.goal, "uppdrag": filters.assignment},
            "query": query.urlencode(),
            "last_updated": latest,
            **map_context(page.items),
        },
    )


@require_GET
def report(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.public_report(number)
    if case is None:
        raise Http404
    return render(
        request,
        "feedback/report.html",
        {
            "case": case,
            "events": selectors.public_events(case),
            "photos": selectors.public_photos(case),
            "governance": selectors.governance_link(case),
            "follow_form": FollowForm(),
            "last_updated": case.updated_at,
            **map_context([case]),
        },
    )


@require_GET
def photo(request: HttpRequest, uuid: str) -> FileResponse:
    item = (
        CasePhoto.objects.select_related("case")
        .filter(
            uuid=uuid,
            hidden=False,
            case__public_state=PublicState.PUBLISHED,
            case__kind=Kind.FAULT,
            case__merged_into__isnull=True,
        )
        .exclude(public_image="")
        .first()
    )
    if item is None:
        raise Http404
    response = FileResponse(item.public_image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=300"
    return response
