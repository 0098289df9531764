"""The public site: thin views over insyn.goals.selectors (all reads, bounded queries).

Nothing here decides what is public; the selectors do (published periods only)."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from insyn.core import notices, params, stored
from insyn.core.errors import ServiceError, add_to_form
from insyn.core.publication import area_versions
from insyn.core.registry import other_panels
from insyn.goals import following, selectors
from insyn.goals.forms import GoalFollowForm
from insyn.goals.models import Goal, GoalStatus, Plan, Trend
from insyn.goals.selectors import (
    corrections_for_assignment,
    corrections_for_goal,
    corrections_for_period,
)
from insyn.public.panels import (
    assignment_panels,
    draw_panel,
    goal_panels,
    organisation_panels,
)

SEARCH_MAX_LENGTH = 200
# The law asks the statement to say when it was last reviewed: change this when you review it.
ACCESSIBILITY_STATEMENT_DATE = dt.date(2026, 11, 23)
ABOUT_PAGE_DATE = dt.date(2026, 11, 23)  # change with the text of the about page


def _int_param(request: HttpRequest, name: str) -> int | None:
    """An optional id GET parameter; anything else is a 400 (insyn.core.params)."""
    return params.int_param(request.GET, name, low=1)


def _published_corrections(corrections: list) -> list:
    """Corrections are made to published periods only; never show one of any other period."""
    return [c for c in corrections if c.is_public]


def _newest(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _common(**extra: Any) -> dict[str, Any]:
    context = {
        "status_legend": selectors.status_legend(),
        "goal_statuses": list(GoalStatus),
        "trends": list(Trend),
    }
    context.update(extra)
    return context


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    page = selectors.start_page()
    return render(
        request,
        "public/start.html",
        _common(page=page, last_updated=page.last_updated if page else None, nav="goals"),
    )


@require_GET
def plan(request: HttpRequest, year: int) -> HttpResponse:
    plan_obj = Plan.objects.filter(year=year).first()
    if plan_obj is None:
        raise Http404(_("Det finns ingen plan för det året."))
    page = selectors.plan_page(plan_obj, _int_param(request, "period"))
    if page is None:
        raise Http404(_("Uppföljningen finns inte eller är inte publicerad."))
    return render(
        request, "public/plan.html", _common(page=page, last_updated=page.last_updated, nav="goals")
    )


@require_GET
def goal(request: HttpRequest, year: int, number: str) -> HttpResponse:
    """A goal's page. Filtered by status or organisation it is drawn in full; unfiltered (what
    nearly every visitor sees) its follow-up part and the panels come from their stored
    renderings (insyn.core.stored), each kept for the versions of what it shows: a fault report
    filed redraws the feedback panels, a publication the follow-up part."""
    period_id = _int_param(request, "period")
    statuses = request.GET.getlist("status")
    organisation_slug = request.GET.get("organisation", "").strip()
    if statuses or organisation_slug:
        page = _goal_page(year, number, period_id, statuses, organisation_slug)
        return render(request, "public/goal.html", _goal_context(page, goal_panels(page.goal)))
    language = get_language()
    today = timezone.localdate().isoformat()
    goal_at = _GoalAt(year, number)
    others = other_panels("goal")
    kept = [other for other in others if other.areas]
    drawn, *panels_drawn = stored.fragments(
        [
            stored.Part(
                f"public-goal:{year}:{number}:{period_id or ''}:{language}",
                area_versions(("follow_up",)),
                lambda: goal_at.known(_draw_goal(year, number, period_id)),
            ),
            *(
                stored.Part(
                    f"public-goal-panel:{year}:{number}:{other.app}:{language}",
                    area_versions(other.areas) + (f"|{today}" if other.daily else ""),
                    lambda other=other: draw_panel(other.provider(goal_at.goal())),
                )
                for other in kept
            ),
        ]
    )
    goal_at.known(drawn)
    content = drawn["content"]
    by_app = dict(zip((other.app for other in kept), panels_drawn, strict=True))
    for other in others:
        html = by_app.get(other.app)
        if html is None:  # drawn on every request
            html = draw_panel(other.provider(goal_at.goal()), request)  # drawn for this visitor
        content = content.replace(other.marker, html, 1)
    # Drawn by goal.html's partials and the panels' templates: HTML already escaped.
    parts = {name: mark_safe(drawn[name]) for name in ("title", "breadcrumbs")}
    parts["content"] = mark_safe(content)
    updated = drawn["last_updated"]
    return render(
        request,
        "public/goal.html",
        {
            "stored": parts,
            "last_updated": dt.datetime.fromisoformat(updated) if updated else None,
            "nav": "goals",
        },
    )


class _GoalAt:
    """The goal at /plan/<year>/mal/<number>/ for the panels: from the stored follow-up part
    when it is known, else read (a panel drawn again before it, with only the id it needs)."""

    def __init__(self, year: int, number: str) -> None:
        self.year, self.number = year, number
        self._goal: Goal | None = None

    def known(self, drawn: dict[str, Any]) -> dict[str, Any]:
        if self._goal is None:
            self._goal = Goal(id=drawn["goal"], plan_id=drawn["plan"], number=self.number)
        return drawn

    def goal(self) -> Goal:
        if self._goal is None:
            self._goal = (
                Goal.objects.only("id", "plan_id", "number")
                .filter(plan__year=self.year, number=self.number)
                .first()
            )
            if self._goal is None:
                raise Http404(_("Målet finns inte."))
        return self._goal


def _goal_page(
    year: int, number: str, period_id: int | None, statuses: list[str], organisation_slug: str
) -> Any:
    page = selectors.goal_page(
        year,
        number,
        period_id=period_id,
        statuses=statuses,
        organisation_slug=organisation_slug,
    )
    if page is None:
        raise Http404(_("Målet finns inte."))
    return page


def _goal_context(page: Any, panels: list[Any]) -> dict[str, Any]:
    corrections = _published_corrections(corrections_for_goal(page.goal))
    return _common(
        page=page,
        goal=page.goal,
        panels=panels,
        corrections=corrections,
        csv_url=_csv_url(page.goal.plan.year, page.goal.number),
        last_updated=_newest(page.last_updated, *(c.created_at for c in corrections)),
        nav="goals",
    )


def _draw_goal(year: int, number: str, period_id: int | None) -> dict:
    """The goal page's stored rendering: its title, breadcrumbs and content (goal.html's
    partials) with the other panels' markers, and what those need. Drawn without the request:
    the same for every visitor, whoever's request drew it (no user, no form token)."""
    page = _goal_page(year, number, period_id, [], "")
    context = _goal_context(page, goal_panels(page.goal, follow_up_only=True))
    drawn = {
        name: render_to_string(f"public/goal.html#{name}", context)
        for name in ("title", "breadcrumbs", "content")
    }
    last_updated = context["last_updated"]
    return {
        **drawn,
        "goal": page.goal.pk,
        "plan": page.goal.plan_id,
        "last_updated": last_updated.isoformat() if last_updated else None,
    }


def _csv_url(year: int, number: str) -> str:
    """The open-data CSV of a goal's follow-up (the API names it; the path is stable)."""
    try:
        return reverse("api:goal-follow-up-csv", args=[year, number])
    except NoReverseMatch:
        return f"/api/v1/plans/{year}/goals/{number}/follow-up.csv"


@require_GET
def assignment_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    """The old address /uppdrag/<database id>/ moved for good to the citable one."""
    url = selectors.assignment_url(pk)
    if url is None:
        raise Http404(_("Uppdraget finns inte."))
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


@require_GET
def assignment(request: HttpRequest, year: int, number: str, slug: str) -> HttpResponse:
    page = selectors.assignment_page_at(year, number, slug)
    if page is None:
        raise Http404(_("Uppdraget finns inte."))
    corrections = _published_corrections(corrections_for_assignment(page.assignment))
    return render(
        request,
        "public/assignment.html",
        _common(
            page=page,
            assignment=page.assignment,
            panels=assignment_panels(page.assignment),
            corrections=corrections,
            last_updated=_newest(page.last_updated, *(c.created_at for c in corrections)),
            nav="goals",
        ),
    )


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    sections, groups = selectors.organisation_list()
    current = selectors.current_plan()
    return render(
        request,
        "public/organisations.html",
        {
            "sections": sections,
            "groups": groups,
            "current_plan": current,
            "last_updated": selectors.organisations_last_changed(),
            "nav": "organisations",
        },
    )


@require_GET
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.organisation_page(slug, params.year_param(request.GET, "ar"))
    if page is None:
        raise Http404(_("Organisationen finns inte."))
    return render(
        request,
        "public/organisation.html",
        _common(
            page=page,
            organisation=page.organisation,
            panels=organisation_panels(page.organisation),
            last_updated=page.last_updated,
            nav="organisations",
        ),
    )


@require_GET
def group(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    page = selectors.group_page(slug, year)
    if page is None:
        raise Http404(_("Gruppen finns inte."))
    return render(
        request,
        "public/group.html",
        {
            "page": page,
            "last_updated": selectors.organisations_last_changed(),
            "nav": "organisations",
        },
    )


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    plans = selectors.archive()
    newest = [p.published_at for a in plans for p in a.periods if p.published_at]
    return render(
        request,
        "public/archive.html",
        {"plans": plans, "last_updated": max(newest) if newest else None, "nav": "archive"},
    )


@require_GET
def period(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.period_page(pk)
    if page is None:
        raise Http404(_("Uppföljningen finns inte eller är inte publicerad."))
    corrections = _published_corrections(corrections_for_period(page.period))
    return render(
        request,
        "public/period.html",
        _common(
            page=page,
            corrections=corrections,
            last_updated=_newest(page.last_updated, *(c.created_at for c in corrections)),
            nav="archive",
        ),
    )


SEARCH_KIND_LABELS = {
    "goal": pgettext_lazy("sökträffar", "Mål"),
    "assignment": pgettext_lazy("sökträffar", "Uppdrag"),
    "report": pgettext_lazy("sökträffar", "Bedömningar"),
    "goal_follow_up": pgettext_lazy("sökträffar", "Måluppföljningar"),
    "organisation": pgettext_lazy("sökträffar", "Organisationer"),
    "period": pgettext_lazy("sökträffar", "Uppföljningar"),
    "plan": pgettext_lazy("sökträffar", "Planer"),
    "dialogue": pgettext_lazy("sökträffar", "Dialoger"),
    "proposal": pgettext_lazy("sökträffar", "Förslag"),
    "case": pgettext_lazy("sökträffar", "Synpunkter och felanmälningar"),
    "indicator": pgettext_lazy("sökträffar", "Indikatorer"),
}


def search_kind_label(kind: str) -> str:
    return str(SEARCH_KIND_LABELS.get(kind, pgettext_lazy("sökträffar", "Övrigt")))


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    unavailable = False
    hits: list = []
    if query:
        try:
            from insyn.search.services import search as run_search
        except ImportError:
            unavailable = True
        else:
            hits = run_search(query, limit=50)
        for hit in hits:
            group = groups.setdefault(
                hit.kind, {"kind": hit.kind, "label": search_kind_label(hit.kind), "hits": []}
            )
            group["hits"].append(hit)
    return render(
        request,
        "public/search.html",
        {
            "query": query,
            "groups": list(groups.values()),
            "hit_count": len(hits),
            "unavailable": unavailable,
            "last_updated": selectors.last_publication(),
            "nav": "search",
        },
    )


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "public/about.html", _common(nav="about", last_updated=ABOUT_PAGE_DATE))


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/accessibility.html",
        {
            "nav": "about",
            "statement_date": ACCESSIBILITY_STATEMENT_DATE,
            "last_updated": ACCESSIBILITY_STATEMENT_DATE,
        },
    )


# --- Following a goal by e-mail (insyn.goals.following) ------------------------------------------
# The goal page only links here: it is stored whole in the public response cache and must carry
# no form and no token. These pages are personal (a form with a CSRF token, an address, a link's
# token): never cached, never indexed, never leaked by referrer. Every POST is rate-limited.

FOLLOW_RATE = "20/h"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Not "no-referrer": a browser then sends `Origin: null` with the page's own forms, which the
    # CSRF check refuses. "same-origin" keeps the link's token from every other site.
    response["Referrer-Policy"] = "same-origin"
    return response


def _too_many(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "429.html", status=429))


def _followed_goal(year: int, number: str) -> Goal:
    goal = selectors.goal_at(year, number)
    if goal is None:
        raise Http404(_("Målet finns inte."))
    return goal


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=FOLLOW_RATE, method="POST", block=False)
def goal_follow(request: HttpRequest, year: int, number: str) -> HttpResponse:
    """Follow a goal: a resident gives an address and how often (a confirmation link is
    e-mailed); a signed-in staff member just chooses how often, or stops following."""
    if request.method == "POST" and getattr(request, "limited", False):
        return _too_many(request)
    goal = _followed_goal(year, number)
    staff = request.user.is_authenticated
    current = following.staff_follower(goal, request.user) if staff else None
    email = getattr(request.user, "email", "") if staff else ""
    initial = {"frequency": notices.frequency_of(email) if email else "immediate"}
    form = GoalFollowForm(request.POST or None, initial=initial, for_staff=staff)
    status = 200
    if request.method == "POST":
        if staff and request.POST.get("action") == "stop":
            if current is not None:
                following.unfollow(follower=current)
            messages.success(request, _("Du följer inte längre målet."))
            return _private(redirect("public:goal_follow", year=year, number=number))
        if form.is_valid() and not form.is_spam():
            try:
                if staff:
                    following.follow_as_staff(
                        goal=goal, user=request.user, frequency=form.cleaned_data["frequency"]
                    )
                else:
                    following.follow(
                        goal=goal,
                        email=form.cleaned_data["email"],
                        frequency=form.cleaned_data["frequency"],
                    )
            except ServiceError as exc:
                add_to_form(form, exc)
            else:
                if staff:
                    messages.success(request, _("Du följer målet."))
                    return _private(redirect("public:goal_follow", year=year, number=number))
                # The same answer whether or not the address already follows (no probing).
                return _private(redirect("public:goal_follow_sent", year=year, number=number))
        if form.is_spam():
            form.add_error("website", _("Det här fältet ska vara tomt."))
        status = 400
    return _private(
        render(
            request,
            "public/goal_follow.html",
            {
                "goal": goal,
                "form": form,
                "staff": staff,
                "staff_email": email,
                "current": current,
                "last_updated": timezone.now(),
                "nav": "goals",
            },
            status=status,
        )
    )


@require_GET
def goal_follow_sent(request: HttpRequest, year: int, number: str) -> HttpResponse:
    goal = _followed_goal(year, number)
    return _private(
        render(
            request,
            "public/goal_follow_sent.html",
            {"goal": goal, "last_updated": timezone.now(), "nav": "goals"},
        )
    )


def _follow_page(
    request: HttpRequest, follower: Any, *, token: str, stopping: bool
) -> HttpResponse:
    return _private(
        render(
            request,
            "public/goal_follow_link.html",
            {
                "follower": follower,
                "goal": follower.goal,
                "token": token,
                "stop_token": following.unsubscribe_token(follower),
                "frequency": dict(GoalFollowForm.base_fields["frequency"].choices).get(
                    follower.frequency, ""
                ),
                "stopping": stopping,
                "last_updated": timezone.now(),
                "nav": "goals",
            },
        )
    )


def _bad_link(request: HttpRequest) -> HttpResponse:
    return _private(
        render(
            request,
            "public/goal_follow_done.html",
            {
                "title": _("Länken fungerar inte"),
                "text": _(
                    "Länken är för gammal eller felaktig, eller så är följandet redan avslutat. "
                    "Börja om från målets sida."
                ),
                "last_updated": timezone.now(),
            },
            status=400,
        )
    )


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=FOLLOW_RATE, method="POST", block=False)
def goal_follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link's page: one button confirms (a mail scanner that opens the link
    confirms nothing), another stops and deletes the address."""
    if request.method == "POST" and getattr(request, "limited", False):
        return _too_many(request)
    follower = following.follower_by_confirm_token(token)
    if follower is None:
        return _bad_link(request)
    if request.method == "POST":
        following.confirm(follower=follower)
        messages.success(request, _("Klart! Du följer nu målet."))
        return _private(redirect("public:goal_follow_confirm", token=token))
    return _follow_page(request, follower, token=token, stopping=False)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=FOLLOW_RATE, method="POST", block=False)
def goal_unfollow(request: HttpRequest, token: str) -> HttpResponse:
    """The stop link in every notice: GET shows one button, POST deletes the follow and the
    address. Answers the same for a follow already gone."""
    if request.method == "POST" and getattr(request, "limited", False):
        return _too_many(request)
    follower = following.follower_by_unsubscribe_token(token)
    if request.method == "POST" or follower is None:
        if follower is not None:
            following.unfollow(follower=follower)
        return _private(
            render(
                request,
                "public/goal_follow_done.html",
                {
                    "title": _("Du följer inte målet"),
                    "text": _(
                        "Du får ingen mer e-post om målet, och vi har raderat din adress för det."
                    ),
                    "last_updated": timezone.now(),
                },
            )
        )
    return _follow_page(request, follower, token=token, stopping=True)
