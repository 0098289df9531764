"""Where apps contribute to the shared pages and commands without being imported by them.

A layer may not import a layer above it (docs/architecture.md). So the public site, search and
`insyn load-demo` do not list the feature apps: each app registers what it contributes in its
`AppConfig.ready()`, importing its own modules directly — a missing or broken contributor fails
at start-up instead of silently vanishing:

    class DialogueConfig(AppConfig):
        def ready(self) -> None:
            from insyn.core import registry
            from insyn.dialogue import demo, indexing, selectors

            registry.register_panels(
                "dialogue",
                goal=selectors.goal_panel,
                assignment=selectors.assignment_panel,
                organisation=selectors.organisation_panel,
            )
            registry.register_search_contributor("dialogue", indexing.reindex_search)
            registry.register_demo_loader("dialogue", demo.load_demo, order=60)

Apps also register **resident signals** (`register_signal`): indicators Insyn computes from its
own data (fault reports per 1,000 residents, time to resolution, dialogue participation …). The
indicators app stores and shows them like any indicator without importing the apps that compute
them. The population per district and age band, owned by dialogue, is offered to the other
feature apps the same way (`register_population`).

The **loop** ("Ni sa — vi gjorde") on goal and assignment pages is gathered the same way
(`register_loop(app, goal=…, assignment=…)`): each app returns LoopItems for its stage — what
residents said (feedback's themes and categories, dialogue results), what the municipality
decided (dialogue feedback and decisions), what the follow-up reports now (goals) — and the
public site shows them in that order in one panel. A provider costs one query.

The **staff home** (/personal/) is gathered the same way, so accounts, which draws it, imports
none of the apps whose work it lists. Each app registers:

- `register_staff_links(name, provider, order=)`: its entries in the staff menu;
  `provider(user)` returns the StaffLinks the user may open (none when they may not);
- `register_staff_section(key, provider, order=)`: a section of the home for a role;
  `provider(user, since)` returns a StaffSection, or None when the user does not hold the role;
- `register_staff_items(section, name, provider, order=)`: items added to a section another app
  draws (the moderator's counts, the administrator's system health); `provider(user)` returns
  StaffItems. Items for a section nobody registered are an error, not silence;
- `register_moderation(name, provider, order=)`: its part of the moderation page,
  `provider(user)` returns a Panel (or None when the user may not moderate it);
- `register_staff_urls(name, patterns)`: views under /personal/ in the "staff" URL namespace
  (the moderation actions), included by insyn.accounts.staff_urls.

Providers of one page often need the same rows (the dialogue panel and the dialogue loop both
list the goal's public dialogues; the goal page has already read the goal's follow-ups that the
goals loop shows). `shared(obj, key, compute)` reads them once per page: the result is kept on the
page's object, which lives for one request, and `share(obj, key, value)` hands over what the
page itself has read. Keys are "app:what".

Panels are shown in the order the apps are installed (settings.INSTALLED_APPS); demo loaders
run by `order` (organisations 10, follow-up pages 20, accounts 30, goals 40,
dialogue 60, feedback 70, indicators 80 (its resident signals are computed from those two)).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "LOOP_STAGES",
    "PANEL_KINDS",
    "LoopItem",
    "Panel",
    "Population",
    "Signal",
    "SignalRow",
    "StaffItem",
    "StaffLink",
    "StaffSection",
    "demo_loaders",
    "loop_items",
    "moderation_panels",
    "panels",
    "population",
    "register_demo_loader",
    "register_loop",
    "register_moderation",
    "register_panels",
    "register_population",
    "register_search_contributor",
    "register_signal",
    "register_staff_items",
    "register_staff_links",
    "register_staff_section",
    "register_staff_urls",
    "search_contributors",
    "share",
    "shared",
    "signals",
    "staff_links",
    "staff_sections",
    "staff_urls",
]

PANEL_KINDS = ("goal", "assignment", "organisation")


@dataclass
class Panel:
    """A box an app adds to a public goal, assignment or organisation page: a template and its
    context. A panel provider returns a Panel or None and costs a bounded number of queries."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    # Set on the stand-in for a live panel in a stored rendering (see panels(part=...)): the
    # page writes this marker where the panel goes, and the panel is drawn into it per request.
    marker: str = ""


PanelProvider = Callable[[Any], Panel | None]


@dataclass(frozen=True)
class DemoLoader:
    name: str
    load: Callable[[], Any]
    order: int


@dataclass(frozen=True)
class SignalRow:
    """One computed number of a resident signal for one year: the whole municipality
    (group "total") or one group of a breakdown ("district", "category", "organisation",
    "age_band"). `value` None means it cannot be computed (no population figure, no cases);
    `numerator`/`denominator` say what it was computed from. Never personal data: only counts."""

    group: str
    key: str
    label: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Signal:
    """A resident signal: an indicator computed from Insyn's own data, per calendar year.

    `key` is stable (the Kpi id is "INSYN-" + key); `method` says in one or two Swedish
    sentences how it is computed; `compute(year)` returns the year's SignalRows (one with group
    "total" for the municipality as a whole)."""

    key: str
    app: str
    title: str
    method: str
    unit: str
    direction: str
    compute: Callable[[int], list[SignalRow]]


@dataclass(frozen=True)
class Population:
    """Residents per district and age band for a year: `year` is the year of the figures used
    (the newest at or before the year asked for, else the oldest), None when there are none."""

    year: int | None
    by_district: dict[int, int]
    by_age_band: dict[str, int]
    district_names: dict[int, str]

    @property
    def total(self) -> int:
        return sum(self.by_district.values())


LOOP_STAGES = ("said", "decided", "reports")


@dataclass(frozen=True)
class LoopItem:
    """One line of "Ni sa — vi gjorde": its stage (LOOP_STAGES), a heading, a short text, a
    link, a date and a count where they apply. Only published material, never personal data."""

    stage: str
    title: str
    text: str = ""
    url: str = ""
    date: Any = None
    count: int | None = None
    note: str = ""
    order: Any = 0


_loop: dict[str, dict[str, Callable[[Any], list[LoopItem]]]] = {"goal": {}, "assignment": {}}
_signals: dict[str, Signal] = {}
_population: list[Callable[[int], Population]] = []

_panels: dict[str, dict[str, PanelProvider]] = {kind: {} for kind in PANEL_KINDS}
_panel_areas: dict[str, tuple[tuple[str, ...], bool]] = {}
_search: dict[str, Callable[[], int]] = {}
_demo: dict[str, DemoLoader] = {}


def _check_callable(what: str, name: str, value: object) -> None:
    if not callable(value):
        raise TypeError(f"{name}: {what} must be callable, got {value!r}")


def register_panels(
    app: str, *, areas: tuple[str, ...] = (), daily: bool = False, **providers: PanelProvider
) -> None:
    """Register an app's panel providers by page kind: goal=, assignment=, organisation=.

    areas: the areas (insyn.core.publication.AREAS) whose rows the panels show, so that a
    page may keep them drawn (insyn.core.stored) until one of those versions changes; daily=True
    if they also depend on today's date (a feedback date passed). No areas: drawn on every
    request."""
    from insyn.core.publication import AREA_NAMES

    unknown = set(areas) - set(AREA_NAMES)
    if unknown:
        raise ValueError(f"{app}: unknown areas {sorted(unknown)} (known: {AREA_NAMES})")
    _panel_areas[app] = (tuple(areas), daily)
    for kind, provider in providers.items():
        if kind not in PANEL_KINDS:
            raise ValueError(f"{app}: unknown panel kind {kind!r} (known: {PANEL_KINDS})")
        _check_callable(f"the {kind} panel", app, provider)
        _panels[kind][app] = provider


def panel_marker(app: str) -> str:
    return f"<!--insyn-panel:{app}-->"


def _in_follow_up(app: str) -> bool:
    areas, daily = _panel_areas.get(app, ((), False))
    return areas == ("follow_up",) and not daily


def panels(kind: str, obj: Any, *, follow_up_only: bool = False) -> list[Panel]:
    """Every registered app's panel for this object, in app order, leaving out the Nones.

    follow_up_only=True, for a page's stored follow-up part: the panels that show only the
    follow-up (areas=("follow_up",), not daily) are drawn, and for each other app a stand-in
    carrying its marker (Panel.marker) takes its place; see `other_panels()`."""
    if kind not in PANEL_KINDS:
        raise ValueError(f"unknown panel kind {kind!r}")
    result = []
    for app, provider in _panels[kind].items():
        if follow_up_only and not _in_follow_up(app):
            result.append(Panel(template="", marker=panel_marker(app)))
            continue
        panel = provider(obj)
        if panel is not None:
            result.append(panel)
    return result


@dataclass(frozen=True)
class OtherPanel:
    """A panel a stored follow-up part leaves out: where it goes (`marker`), what it shows
    (`areas`, `daily`: see register_panels) and how to draw it (`provider`)."""

    app: str
    marker: str
    areas: tuple[str, ...]
    daily: bool
    provider: PanelProvider


def other_panels(kind: str) -> list[OtherPanel]:
    """The apps' panels that `panels(kind, obj, follow_up_only=True)` leaves out, in app order."""
    if kind not in PANEL_KINDS:
        raise ValueError(f"unknown panel kind {kind!r}")
    return [
        OtherPanel(app, panel_marker(app), *_panel_areas.get(app, ((), False)), provider)
        for app, provider in _panels[kind].items()
        if not _in_follow_up(app)
    ]


def register_search_contributor(app: str, reindex: Callable[[], int]) -> None:
    """`reindex()` replaces the app's share of the search index and returns how many documents
    it wrote; `insyn rebuild-search-index` calls every contributor."""
    _check_callable("the search contributor", app, reindex)
    _search[app] = reindex


def search_contributors() -> dict[str, Callable[[], int]]:
    return dict(_search)


def register_demo_loader(app: str, load: Callable[[], Any], *, order: int) -> None:
    """`load()` adds the app's demo data (idempotently); `insyn load-demo` runs them by order,
    each in its own transaction."""
    _check_callable("the demo loader", app, load)
    _demo[app] = DemoLoader(app, load, order)


def demo_loaders() -> list[DemoLoader]:
    return sorted(_demo.values(), key=lambda loader: (loader.order, loader.name))


def register_signal(signal: Signal) -> None:
    """Register a resident signal (see Signal); keys are unique across apps."""
    _check_callable("the signal computation", signal.app, signal.compute)
    existing = _signals.get(signal.key)
    if existing is not None and existing.app != signal.app:
        raise ValueError(f"{signal.app}: signal {signal.key!r} is already {existing.app}'s")
    _signals[signal.key] = signal


def signals() -> list[Signal]:
    """Every registered signal, in registration order."""
    return list(_signals.values())


def register_population(provider: Callable[[int], Population]) -> None:
    """The one provider of population figures (the dialogue app owns them)."""
    _check_callable("the population provider", "population", provider)
    _population[:] = [provider]


def population(year: int) -> Population:
    """Residents per district and age band for the year (empty when nobody provides them)."""
    if not _population:
        return Population(year=None, by_district={}, by_age_band={}, district_names={})
    return _population[0](year)


def register_loop(app: str, **providers: Callable[[Any], list[LoopItem]]) -> None:
    """Register an app's "Ni sa — vi gjorde" items by page kind: goal=, assignment=."""
    for kind, provider in providers.items():
        if kind not in _loop:
            raise ValueError(f"{app}: unknown loop kind {kind!r} (known: {tuple(_loop)})")
        _check_callable(f"the {kind} loop", app, provider)
        _loop[kind][app] = provider


def loop_items(kind: str, obj: Any) -> list[LoopItem]:
    """Every app's items for the object, by stage (said, decided, reports), then app order."""
    items: list[LoopItem] = []
    for provider in _loop[kind].values():
        items.extend(provider(obj))
    return sorted(items, key=lambda item: LOOP_STAGES.index(item.stage))


# --- The staff home (/personal/) --------------------------------------------------------------


@dataclass
class StaffLink:
    """An entry in the staff menu."""

    label: str
    url: str


@dataclass
class StaffItem:
    """A line of a staff-home section: a link, a count, a detail; urgent ones are marked."""

    label: str
    url: str = ""
    count: int | None = None
    detail: str = ""
    urgent: bool = False


@dataclass
class StaffSection:
    """A section of the staff home: one role's work."""

    key: str
    title: str
    items: list[StaffItem] = field(default_factory=list)
    empty: str = ""


@dataclass(frozen=True)
class _Ordered:
    name: str
    provider: Callable[..., Any]
    order: int


_staff_links: dict[str, _Ordered] = {}
_staff_sections: dict[str, _Ordered] = {}
_staff_items: dict[str, dict[str, _Ordered]] = {}
_moderation: dict[str, _Ordered] = {}
_staff_urls: dict[str, list[Any]] = {}


def _by_order(entries: dict[str, _Ordered]) -> list[_Ordered]:
    return sorted(entries.values(), key=lambda entry: (entry.order, entry.name))


def register_staff_links(
    name: str, provider: Callable[[Any], list[StaffLink]], *, order: int
) -> None:
    """`provider(user)` returns the menu entries the user may open, shown by `order`."""
    _check_callable("the staff links", name, provider)
    _staff_links[name] = _Ordered(name, provider, order)


def staff_links(user: Any) -> list[StaffLink]:
    links: list[StaffLink] = []
    for entry in _by_order(_staff_links):
        links.extend(entry.provider(user))
    return links


def register_staff_section(
    key: str,
    provider: Callable[[Any, Any], StaffSection | None],
    *,
    order: int,
) -> None:
    """`provider(user, since)` returns the section, or None when it is not the user's;
    `since` is when the user was last here (None: unknown). Sections are shown by `order`."""
    _check_callable("the staff section", key, provider)
    _staff_sections[key] = _Ordered(key, provider, order)


def register_staff_items(
    section: str, name: str, provider: Callable[[Any], list[StaffItem]], *, order: int
) -> None:
    """`provider(user)` returns items appended, by `order`, to the section `section` that
    another app draws, whenever that section is shown."""
    _check_callable("the staff items", name, provider)
    _staff_items.setdefault(section, {})[name] = _Ordered(name, provider, order)


def staff_sections(user: Any, since: Any = None) -> list[StaffSection]:
    """The user's sections by registration order, each with the items added to it."""
    unknown = set(_staff_items) - set(_staff_sections)
    if unknown:
        raise LookupError(f"staff items for sections nobody registered: {sorted(unknown)}")
    sections: list[StaffSection] = []
    for entry in _by_order(_staff_sections):
        section = entry.provider(user, since)
        if section is None:
            continue
        for contribution in _by_order(_staff_items.get(entry.name, {})):
            section.items.extend(contribution.provider(user))
        sections.append(section)
    return sections


def register_moderation(name: str, provider: Callable[[Any], Panel | None], *, order: int) -> None:
    """`provider(user)` returns the app's part of the moderation page, or None."""
    _check_callable("the moderation panel", name, provider)
    _moderation[name] = _Ordered(name, provider, order)


def moderation_panels(user: Any) -> list[Panel]:
    result = []
    for entry in _by_order(_moderation):
        panel = entry.provider(user)
        if panel is not None:
            result.append(panel)
    return result


def register_staff_urls(name: str, patterns: Sequence[Any]) -> None:
    """URL patterns served under /personal/ in the "staff" namespace."""
    _staff_urls[name] = list(patterns)


def staff_urls() -> list[Any]:
    return [pattern for patterns in _staff_urls.values() for pattern in patterns]


_SHARED = "_insyn_shared"


def share(obj: Any, key: str, value: Any) -> None:
    """Hand what a page has read about `obj` to the providers that need the same (see shared)."""
    obj.__dict__.setdefault(_SHARED, {})[key] = value


def shared(obj: Any, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per page object: kept on the object (one request long), so the panels
    and loop items of one page that need the same rows read them once."""
    memo = obj.__dict__.setdefault(_SHARED, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]
