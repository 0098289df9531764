"""Public pages: give feedback or report a fault, follow a case, see published fault reports."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from insyn.core import params
from insyn.core.errors import ServiceError, add_to_form, summary_errors
from insyn.feedback import alerts, selectors, services
from insyn.feedback.forms import (
    AlertForm,
    FaultPlaceForm,
    FaultReportForm,
    FeedbackForm,
    FixedForm,
    FollowForm,
    PublicFilterForm,
    ReopenForm,
)
from insyn.feedback.models import (
    Case,
    CasePhoto,
    Category,
    Kind,
    PublicState,
)
from insyn.organisations.models import District
from insyn.organisations.places import find_places

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
    # "same-origin", not "no-referrer": under no-referrer a browser sends `Origin: null` with
    # the page's own forms (confirm an alert, stop following, "fixed?"), which the CSRF check
    # refuses; same-origin still keeps the link's token from every other site.
    response["Referrer-Policy"] = "same-origin"
    return response


# --- Map data (the street map in static/feedback/streetmap.js reads these) -------------------


def _public_filters(request: HttpRequest) -> tuple[PublicFilterForm, selectors.PublicFilters]:
    form = PublicFilterForm(request.GET or None)
    filters = selectors.PublicFilters(page=params.page_param(request.GET))
    if form.is_bound and form.is_valid():
        category = form.cleaned_data.get("kategori")
        filters.category = category.pk if category else None
        filters.status = form.cleaned_data.get("status") or ""
        lat, long = form.cleaned_data.get("lat"), form.cleaned_data.get("long")
        if lat is not None and long is not None:
            filters.near = (lat, long, form.cleaned_data.get("radie") or 500)
    # From a goal's or an assignment's page: only the reports linked to it (a bad id is ignored).
    filters.goal = params.int_param(request.GET, "mal", low=1, ignore=True)
    filters.assignment = params.int_param(request.GET, "uppdrag", low=1, ignore=True)
    return form, filters


@require_GET
def reports_map_data(request: HttpRequest) -> JsonResponse:
    """Published fault reports for the public map's viewport (`bbox=west,south,east,north`,
    WGS 84; `zoom` for the cluster size), with the list's filters: points up to a limit, grid
    clusters above it. Nothing else. A bad bbox is a 400 with a Swedish message in JSON; a bad
    zoom is ignored. Public and cached like the public pages (the script rounds the bbox so
    that visitors looking at the same place ask the same URL)."""
    _form, filters = _public_filters(request)
    try:
        bbox = params.bbox_param(request.GET)
    except params.BadParameter as error:
        return JsonResponse({"error": error.message}, status=400)
    zoom = params.int_param(request.GET, "zoom", low=0, high=22, ignore=True)
    response = JsonResponse(selectors.public_map_view(filters, bbox, zoom))
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def places_json(request: HttpRequest) -> JsonResponse:
    """Address and place search for the form's script: gazetteer, then the geocoder."""
    search = find_places(request.GET.get("q", ""))
    response = JsonResponse(
        {
            "query": search.query,
            "geocoder_failed": search.geocoder_failed,
            "results": [
                {"label": f.label, "lat": f.lat, "long": f.long, "kind": f.kind}
                for f in search.results
            ],
        }
    )
    # a geocoder's answer (or its failure) is not public material: never in the shared cache
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_GET
def areas_geojson(request: HttpRequest) -> JsonResponse:
    """The districts as GeoJSON for the maps (public: borders are public information)."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": d.name, "approximate": d.approximate, "kind": d.kind},
            "geometry": d.geometry,
        }
        for d in District.objects.filter(geometry__isnull=False).only(
            "name", "approximate", "kind", "geometry"
        )
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "public, max-age=300"
    return response


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
    lat, long = place.get("lat"), place.get("long")
    if lat is not None and long is not None:
        alert_qs = {"lat": f"{lat:.6f}", "long": f"{long:.6f}", "radie": 500}
    else:
        alert_qs = {"omrade": area.pk} if area else {}
    return {
        "nearby_map": selectors.nearby_map_payload(nearby),
        "alert_url": f"{reverse('feedback:alert_subscribe')}?{urlencode(alert_qs)}",
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
    if not request.GET or "andra" in request.GET or "sok" in request.GET:
        initial = {k: v for k, v in request.GET.items() if k not in ("andra", "sok")}
        search = None
        if "sok" in request.GET:
            # "Sök plats" without JavaScript: the same page with the places found as links.
            search = find_places(request.GET.get("address_text", ""))
            for found in search.results:
                query = {**initial, "address_text": found.label, "andra": "1"}
                query.update(lat=f"{found.lat:.6f}", long=f"{found.long:.6f}")
                found.url = f"{reverse('feedback:fault')}?{urlencode(query)}"
        response = render(
            request,
            "feedback/fault_step1.html",
            {
                "form": FaultPlaceForm(initial=initial),
                "search": search,
                "last_updated": _last_updated(),
                "areas_approximate": District.objects.filter(approximate=True).exists(),
            },
        )
        if search is not None:
            response["Cache-Control"] = "private, max-age=60"
        return response
    place_form = FaultPlaceForm(request.GET)
    if not place_form.is_valid():
        return render(
            request,
            "feedback/fault_step1.html",
            {
                "form": place_form,
                "last_updated": _last_updated(),
                "areas_approximate": District.objects.filter(approximate=True).exists(),
            },
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
        Category.objects.for_fault_reports()
        .filter(pk=category_id)
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
        except ValidationError as exc:  # a ServiceError, or validate_email's refusal
            add_to_form(form, exc)
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
            except ValidationError as exc:  # a ServiceError, or validate_email's refusal
                add_to_form(form, exc)
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
        except ValidationError as exc:  # a ServiceError, or validate_email's refusal
            add_to_form(form, exc)
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


# --- Area alerts (e-mail about new public reports in a district or near a point) ----------


def _coordinate(raw: Any) -> float | None:
    """A prefilled coordinate from a link; anything unreadable is ignored (the form checks)."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def alert_subscribe(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            return too_many(request)
        form = AlertForm(request.POST)
        if form.is_valid() and not form.is_spam():
            data = form.cleaned_data
            district = data.get("omrade")
            try:
                alerts.subscribe(
                    email=data["email"],
                    district=district,
                    lat=None if district else data.get("lat"),
                    long=None if district else data.get("long"),
                    radius=None if district else data.get("radie"),
                )
            except ValidationError as exc:  # a ServiceError, or validate_email's refusal
                add_to_form(form, exc)
            else:
                # The same answer whether or not the address already subscribes (no probing).
                return redirect("feedback:alert_sent")
        if form.is_spam():
            form.add_error("webbplats", _("Det här fältet ska vara tomt."))
        status = 400
    else:
        initial: dict[str, Any] = {}
        lat, long = _coordinate(request.GET.get("lat")), _coordinate(request.GET.get("long"))
        if lat is not None and long is not None:
            initial.update(lat=f"{lat:.6f}", long=f"{long:.6f}")
        radius = params.int_param(request.GET, "radie", low=1, ignore=True)
        initial["radie"] = radius if radius in alerts.RADII else 500
        district = params.int_param(request.GET, "omrade", low=1, ignore=True)
        if district:
            initial["omrade"] = district
        form = AlertForm(initial=initial)
    return render(
        request,
        "feedback/alert_subscribe.html",
        {"form": form, "last_updated": _last_updated()},
        status=status,
    )


@require_GET
def alert_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/alert_sent.html", {"last_updated": _last_updated()})


def _alert_page(request: HttpRequest, alert: Any, token: str, *, unsubscribing: bool) -> Any:
    return _private(
        render(
            request,
            "feedback/alert.html",
            {
                "alert": alert,
                "what": alerts.describe(alert) if alert else "",
                "token": token,
                "unsubscribing": unsubscribing,
                "last_updated": timezone.now(),
            },
        )
    )


@require_GET
def alert(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link's page: one button confirms (a mail scanner following the link
    must not subscribe someone), another deletes."""
    found = alerts.alert_by_token(token)
    if found is None:
        raise Http404
    return _alert_page(request, found, token, unsubscribing=False)


@require_POST
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return too_many(request)
    found = alerts.alert_by_token(token)
    if found is None:
        raise Http404
    alerts.confirm(alert=found)
    messages.success(request, _("Tack! Bevakningen gäller nu."))
    return _private(redirect("feedback:alert", token=token))


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=submit_rate, method="POST", block=False)
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every alert (and the confirmation page's button): GET shows one button,
    POST deletes the alert and its address. Both the signed unsubscribe token of an alert
    e-mail and the confirmation token work."""
    if request.method == "POST" and getattr(request, "limited", False):
        return too_many(request)
    found = alerts.alert_by_unsubscribe_token(token) or alerts.alert_by_token(token)
    if request.method == "POST":
        if found is not None:
            alerts.unsubscribe(alert=found)
        return _private(
            render(request, "feedback/alert_deleted.html", {"last_updated": timezone.now()})
        )
    if found is None:
        # Already deleted (or never existed): say so, nothing more.
        return _private(
            render(request, "feedback/alert_deleted.html", {"last_updated": timezone.now()})
        )
    return _alert_page(request, found, token, unsubscribing=True)


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
        except ServiceError as exc:
            for message in summary_errors(exc):
                messages.error(request, message)
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
        except ServiceError as exc:
            for message in summary_errors(exc):
                messages.error(request, message)
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
    form, filters = _public_filters(request)
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
            "map_query": urlencode(
                {
                    k: v
                    for k, v in (
                        ("kategori", filters.category),
                        ("status", filters.status),
                        ("mal", filters.goal),
                        ("uppdrag", filters.assignment),
                        *zip(("lat", "long", "radie"), filters.near or (), strict=False),
                    )
                    if v
                }
            ),
            "areas_approximate": District.objects.filter(approximate=True).exists(),
            "alert_url": reverse("feedback:alert_subscribe")
            + (
                "?" + urlencode(dict(zip(("lat", "long", "radie"), filters.near, strict=True)))
                if filters.near
                else ""
            ),
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
