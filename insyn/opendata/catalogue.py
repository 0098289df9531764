"""The DCAT-AP-SE catalogue of everything Insyn publishes, for dataportal.se to harvest.

Served at /api/catalog (RDF/XML, Turtle or JSON-LD by the Accept header; /api/catalog.rdf, .ttl
and .jsonld for a fixed format). Built with rdflib from what is published now: one dataset per
published follow-up period, and one each for goals and assignments, indicators, the budget,
dialogues, participatory budgets, fault reports (Open311) and fault-report statistics; each with
its distributions (JSON, CSV) and the API that serves it (a dcat:DataService described by its
OpenAPI document).

The municipality's identity comes from configuration (settings.CATALOGUE_*) and the
organisation registry; `insyn check` warns when something required is missing (see
insyn.opendata.checks), and the catalogue then leaves that statement out rather than saying
something false. Tests validate the output with pySHACL against DCAT-AP 3.0.0's SHACL shapes and
shapes derived from DIGG's DCAT-AP-SE specification (tests/opendata/data/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from insyn.goals.selectors import all_published_periods
from insyn.organisations.selectors import current_municipality

Link = Callable[[str], str]

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
THEME = Namespace(EU + "data-theme/")
FREQUENCY = Namespace(EU + "frequency/")
LANGUAGE = Namespace(EU + "language/")
ACCESS_RIGHT = Namespace(EU + "access-right/")
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
THEME_LABELS = {  # the EU data-theme vocabulary's Swedish labels
    "GOVE": "Regeringen och den offentliga sektorn",
    "ECON": "Ekonomi och finans",
}

MEDIA_TYPES_BY_SUFFIX = {
    "rdf": "application/rdf+xml",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
}
_RDFLIB_FORMATS = {
    "application/rdf+xml": "pretty-xml",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
}


def negotiate(accept: str) -> str:
    """The media type to answer with: the client's most preferred one we have, else RDF/XML
    (what dataportal.se harvests)."""
    best, best_q = "application/rdf+xml", 0.0
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media in _RDFLIB_FORMATS and q > best_q:
            best, best_q = media, q - position * 1e-6
    return best


def serialise(graph: Graph, media_type: str) -> bytes:
    data = graph.serialize(format=_RDFLIB_FORMATS[media_type], encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")


# --- configuration ------------------------------------------------------------------------------


@dataclass
class Identity:
    publisher_name: str
    publisher_uri: str
    contact_name: str
    contact_email: str
    licence: str
    homepage: str
    problems: list[tuple[str, str]] = field(default_factory=list)  # (check id, message)


def identity(link: Link) -> Identity:
    """Who publishes, whom to contact, under which licence — and what is missing."""
    municipality = current_municipality()
    problems = []
    name = getattr(settings, "CATALOGUE_PUBLISHER_NAME", "") or (
        municipality.name if municipality else ""
    )
    if not name:
        problems.append(
            (
                "W001",
                "Utgivare saknas: ange CATALOGUE_PUBLISHER_NAME eller läs in kommunens "
                "organisationer.",
            )
        )
    email = getattr(settings, "CATALOGUE_CONTACT_EMAIL", "") or (
        municipality.contact_email if municipality else ""
    )
    if not email:
        problems.append(
            (
                "W002",
                "Kontaktpunkt saknas: ange CATALOGUE_CONTACT_EMAIL (t.ex. kommunens "
                "funktionsbrevlåda).",
            )
        )
    licence = getattr(settings, "CATALOGUE_LICENSE", CC0)
    if not licence:
        problems.append(("W003", "Licens saknas: ange CATALOGUE_LICENSE (till exempel CC0 1.0)."))
    homepage = (municipality.website if municipality else "") or link("/")
    return Identity(
        publisher_name=name,
        publisher_uri=getattr(settings, "CATALOGUE_PUBLISHER_URI", "")
        or link(reverse("api:catalog")) + "#publisher",
        contact_name=getattr(settings, "CATALOGUE_CONTACT_NAME", "") or name,
        contact_email=email,
        licence=licence,
        homepage=homepage,
        problems=problems,
    )


# --- the graph ----------------------------------------------------------------------------------


@dataclass
class Distribution:
    key: str
    title_sv: str
    url: str
    media_type: str  # "application/json", "text/csv", "application/pdf", …
    download: bool = True


@dataclass
class Dataset:
    key: str
    title_sv: str
    title_en: str
    description_sv: str
    description_en: str
    page: str
    theme: str  # an EU data theme code, e.g. GOVE
    frequency: str  # an EU frequency code, e.g. IRREG, ANNUAL, CONT
    keywords: list[str]
    distributions: list[Distribution]
    start: dt.date | None = None
    end: dt.date | None = None
    modified: dt.datetime | None = None


def datasets(link: Link) -> list[Dataset]:
    """What Insyn publishes, as datasets with their distributions."""

    def url(name: str, *args: object) -> str:
        return link(reverse(name, args=args))

    result = []
    for period in all_published_periods():
        label = f"{period.label} {period.year}"
        result.append(
            Dataset(
                key=f"uppfoljning-{period.pk}",
                title_sv=f"Uppföljning av Mål och budget: {label}",
                title_en=f"Follow-up of the council's goals and budget: {label}",
                description_sv=(
                    f"Kommunfullmäktiges mål och uppdrag med nämndernas och bolagens bedömningar "
                    f"och den sammanställda uppföljningen, {label}."
                ),
                description_en=(
                    f"The council's goals and assignments with the boards' and companies' "
                    f"assessments and the compiled follow-up, {label}."
                ),
                page=url("public:period", period.pk),
                theme="GOVE",
                frequency="NEVER",  # a published follow-up only changes by recorded correction
                keywords=["uppföljning", "mål och budget", "styrning"],
                start=dt.date(period.year, 1, 1),
                end=dt.date(period.year, 12, 31),
                modified=period.published_at,
                distributions=[
                    Distribution("json", "JSON", url("api:period", period.pk), "application/json"),
                    Distribution(
                        "rapporter",
                        "Rapporter (JSON)",
                        url("api:period-reports", period.pk),
                        "application/json",
                    ),
                    *(
                        Distribution(
                            fmt,
                            fmt.upper(),
                            url("goals_export:period", period.pk, fmt),
                            media,
                        )
                        for fmt, media in (
                            ("csv", "text/csv"),
                            (
                                "xlsx",
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            ),
                            ("pdf", "application/pdf"),
                        )
                    ),
                ],
            )
        )
    fixed = [
        Dataset(
            "mal-och-uppdrag",
            "Mål och uppdrag",
            "Goals and assignments",
            "Kommunfullmäktiges planer (Mål och budget) med mål, uppdrag, ansvariga nämnder och "
            "bolag, och organisationerna.",
            "The council's plans with goals, assignments and responsible boards and companies.",
            link("/"),
            "GOVE",
            "ANNUAL",
            ["mål", "uppdrag", "nämnder", "bolag"],
            [
                Distribution("planer", "Planer (JSON)", url("api:plans"), "application/json"),
                Distribution(
                    "organisationer",
                    "Organisationer (JSON)",
                    url("api:organisations"),
                    "application/json",
                ),
            ],
        ),
        Dataset(
            "indikatorer",
            "Indikatorer",
            "Indicators",
            "Nyckeltal som följer upp målen, med värden, jämförelser och källa (Kolada eller "
            "kommunens egna).",
            "Key figures that follow up the goals, with values, comparisons and provenance.",
            url("indicators:index"),
            "GOVE",
            "ANNUAL",
            ["indikatorer", "nyckeltal", "Kolada"],
            [Distribution("json", "Indikatorer (JSON)", url("api:indicators"), "application/json")],
        ),
        Dataset(
            "budget",
            "Budget per nämnd",
            "Budget by board",
            "Nämndernas budgeterade nettokostnader per år och verksamhet.",
            "The boards' budgeted net costs per year and activity.",
            url("indicators:budget"),
            "ECON",
            "ANNUAL",
            ["budget", "nettokostnad"],
            [
                Distribution("json", "Budget (JSON)", url("api:budget"), "application/json"),
                Distribution("csv", "Budget (CSV)", url("api:budget-csv"), "text/csv"),
            ],
        ),
        Dataset(
            "dialoger",
            "Dialoger med invånare",
            "Resident dialogues",
            "Kommunens dialoger med invånare: syfte, steg på delaktighetstrappan, metoder, "
            "resultat, återkoppling och kopplade mål.",
            "The municipality's dialogues with residents: purpose, participation level, methods, "
            "results, feedback and linked goals.",
            url("dialogue:index"),
            "GOVE",
            "CONT",
            ["dialog", "medborgardialog", "delaktighet"],
            [
                Distribution("json", "Dialoger (JSON)", url("api:dialogues"), "application/json"),
                Distribution("csv", "Dialoger (CSV)", url("api:dialogues-csv"), "text/csv"),
            ],
        ),
        Dataset(
            "medborgarbudgetar",
            "Medborgarbudgetar",
            "Participatory budgets",
            "Medborgarbudgetar med förslag, kostnader, röster och resultat.",
            "Participatory budgets with projects, costs, votes and results.",
            url("dialogue:index"),
            "GOVE",
            "IRREG",
            ["medborgarbudget", "omröstning"],
            [
                Distribution(
                    "json",
                    "Medborgarbudgetar (JSON)",
                    url("api:participatory-budgets"),
                    "application/json",
                )
            ],
        ),
        Dataset(
            "felanmalningar",
            "Felanmälningar",
            "Fault reports",
            "Publicerade felanmälningar med kategori, plats och status (Open311 GeoReport v2).",
            "Published fault reports with category, place and status (Open311 GeoReport v2).",
            url("feedback:reports"),
            "GOVE",
            "CONT",
            ["felanmälan", "Open311"],
            [
                Distribution(
                    "open311",
                    "Open311 GeoReport v2 (JSON)",
                    url("open311:requests", "json"),
                    "application/json",
                    download=False,
                ),
                Distribution(
                    "open311-xml",
                    "Open311 GeoReport v2 (XML)",
                    url("open311:requests", "xml"),
                    "application/xml",
                    download=False,
                ),
            ],
        ),
        Dataset(
            "felanmalningsstatistik",
            "Statistik över felanmälningar",
            "Fault report statistics",
            "Antal inkomna och åtgärdade felanmälningar per månad, kategori och område.",
            "Fault reports received and resolved per month, category and area.",
            url("feedback:reports"),
            "GOVE",
            "CONT",
            ["felanmälan", "statistik"],
            [
                Distribution(
                    "json", "Statistik (JSON)", url("api:fault-statistics"), "application/json"
                ),
                Distribution("csv", "Statistik (CSV)", url("api:fault-statistics-csv"), "text/csv"),
            ],
        ),
    ]
    return result + fixed


def _typed(graph: Graph, uri: str, *types: URIRef) -> URIRef:
    node = URIRef(uri)
    for t in types:
        graph.add((node, RDF.type, t))
    return node


def _date(value: dt.date | dt.datetime) -> Literal:
    if isinstance(value, dt.datetime):
        return Literal(timezone.localtime(value).date().isoformat(), datatype=XSD.date)
    return Literal(value.isoformat(), datatype=XSD.date)


def build(link: Link) -> Graph:
    """The catalogue as an RDF graph (DCAT-AP-SE 3)."""
    who = identity(link)
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("skos", SKOS),
    ):
        g.bind(prefix, ns)

    catalog_uri = link(reverse("api:catalog"))
    catalog = _typed(g, catalog_uri, DCAT.Catalog)
    g.add((catalog, DCTERMS.title, Literal(f"Insyn – {who.publisher_name}".strip(" –"), lang="sv")))
    g.add((catalog, DCTERMS.title, Literal("Insyn – open data", lang="en")))
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Öppna data om kommunens styrning med mål, dialoger med invånare och "
                "felanmälningar, publicerade med Insyn.",
                lang="sv",
            ),
        )
    )
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Open data on the municipality's governance by goals, resident dialogues and "
                "fault reports, published with Insyn.",
                lang="en",
            ),
        )
    )
    # The catalogue's own metadata is always CC0 (DCAT-AP-SE requires it).
    g.add((catalog, DCTERMS.license, _typed(g, CC0, DCTERMS.LicenseDocument)))
    swedish = _typed(g, LANGUAGE + "SWE", DCTERMS.LinguisticSystem)
    g.add((catalog, DCTERMS.language, swedish))
    g.add((catalog, FOAF.homepage, _typed(g, who.homepage, FOAF.Document)))
    themes = _typed(g, EU + "data-theme", SKOS.ConceptScheme)
    g.add((themes, DCTERMS.title, Literal("Datateman", lang="sv")))
    g.add((themes, DCTERMS.title, Literal("Data theme", lang="en")))
    g.add((catalog, DCAT.themeTaxonomy, themes))

    publisher = None
    if who.publisher_name:
        publisher = _typed(g, who.publisher_uri, FOAF.Agent, FOAF.Organization)
        g.add((publisher, FOAF.name, Literal(who.publisher_name, lang="sv")))
        local_authority = _typed(g, PUBLISHER_TYPE + "LocalAuthority", SKOS.Concept)
        g.add((local_authority, SKOS.prefLabel, Literal("Local Authority", lang="en")))
        g.add((publisher, DCTERMS.type, local_authority))
        g.add((catalog, DCTERMS.publisher, publisher))

    contact = None
    if who.contact_email:
        contact = BNode()
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, RDF.type, VCARD.Kind))  # stated, so no vCard ontology is needed
        g.add((contact, VCARD.fn, Literal(who.contact_name, lang="sv")))
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{who.contact_email}")))

    licence = _typed(g, who.licence, DCTERMS.LicenseDocument) if who.licence else None

    api_service = _typed(g, catalog_uri + "#api", DCAT.DataService)
    g.add((api_service, DCTERMS.title, Literal("Insyn – öppet API", lang="sv")))
    g.add((api_service, DCTERMS.title, Literal("Insyn open data API", lang="en")))
    g.add(
        (
            api_service,
            DCTERMS.description,
            Literal("Läsbart JSON- och CSV-gränssnitt, beskrivet med OpenAPI 3.1.", lang="sv"),
        )
    )
    g.add((api_service, DCAT.endpointURL, URIRef(link(reverse("api:index")))))
    g.add((api_service, DCAT.endpointDescription, URIRef(link(reverse("api:openapi")))))
    g.add((api_service, DCTERMS.format, Literal("application/json")))
    g.add(
        (
            api_service,
            DCTERMS.accessRights,
            _typed(g, ACCESS_RIGHT + "PUBLIC", DCTERMS.RightsStatement),
        )
    )
    open311 = _typed(g, catalog_uri + "#open311", DCAT.DataService)
    g.add((open311, DCTERMS.title, Literal("Open311 GeoReport v2", lang="sv")))
    g.add((open311, DCAT.endpointURL, URIRef(link(reverse("open311:discovery", args=["json"])))))
    g.add((open311, DCTERMS.format, Literal("application/json")))
    g.add(
        (open311, DCTERMS.accessRights, _typed(g, ACCESS_RIGHT + "PUBLIC", DCTERMS.RightsStatement))
    )
    for service in (api_service, open311):
        g.add((catalog, DCAT.service, service))
        if publisher is not None:
            g.add((service, DCTERMS.publisher, publisher))
        if contact is not None:
            g.add((service, DCAT.contactPoint, contact))
        if licence is not None:
            g.add((service, DCTERMS.license, licence))

    newest: dt.datetime | None = None
    for ds in datasets(link):
        node = _typed(g, f"{catalog_uri}#{ds.key}", DCAT.Dataset)
        g.add((catalog, DCAT.dataset, node))
        g.add((node, DCTERMS.title, Literal(ds.title_sv, lang="sv")))
        g.add((node, DCTERMS.title, Literal(ds.title_en, lang="en")))
        g.add((node, DCTERMS.description, Literal(ds.description_sv, lang="sv")))
        g.add((node, DCTERMS.description, Literal(ds.description_en, lang="en")))
        g.add((node, DCAT.landingPage, _typed(g, ds.page, FOAF.Document)))
        theme = _typed(g, THEME + ds.theme, SKOS.Concept)
        g.add((theme, SKOS.prefLabel, Literal(THEME_LABELS[ds.theme], lang="sv")))
        g.add((theme, SKOS.inScheme, themes))
        g.add((node, DCAT.theme, theme))
        g.add(
            (
                node,
                DCTERMS.accrualPeriodicity,
                _typed(g, FREQUENCY + ds.frequency, DCTERMS.Frequency),
            )
        )
        g.add((node, DCTERMS.language, swedish))
        g.add(
            (
                node,
                DCTERMS.accessRights,
                _typed(g, ACCESS_RIGHT + "PUBLIC", DCTERMS.RightsStatement),
            )
        )
        for keyword in ds.keywords:
            g.add((node, DCAT.keyword, Literal(keyword, lang="sv")))
        if publisher is not None:
            g.add((node, DCTERMS.publisher, publisher))
        if contact is not None:
            g.add((node, DCAT.contactPoint, contact))
        if ds.start and ds.end:
            period = BNode()
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            g.add((period, DCAT.startDate, _date(ds.start)))
            g.add((period, DCAT.endDate, _date(ds.end)))
            g.add((node, DCTERMS.temporal, period))
        if ds.modified:
            g.add((node, DCTERMS.modified, _date(ds.modified)))
            newest = max(newest, ds.modified) if newest else ds.modified
        for dist in ds.distributions:
            d = _typed(g, f"{catalog_uri}#{ds.key}-{dist.key}", DCAT.Distribution)
            g.add((node, DCAT.distribution, d))
            g.add((d, DCTERMS.title, Literal(dist.title_sv, lang="sv")))
            g.add((d, DCAT.accessURL, URIRef(dist.url)))
            if dist.download:
                g.add((d, DCAT.downloadURL, URIRef(dist.url)))
            # DCAT-AP-SE: the format is the media type as a literal (DCAT-AP 3 would have an
            # IRI from the EU file-type vocabulary; dataportal.se follows the Swedish profile).
            g.add((d, DCTERMS.format, Literal(dist.media_type)))
            if licence is not None:
                g.add((d, DCTERMS.license, licence))
            service = open311 if dist.key.startswith("open311") else api_service
            if dist.media_type in ("application/json", "application/xml", "text/csv"):
                g.add((d, DCAT.accessService, service))
                g.add((service, DCAT.servesDataset, node))
    if newest:
        g.add((catalog, DCTERMS.modified, _date(newest)))
    return g


def problems() -> Iterable[tuple[str, str]]:
    """What the configuration lacks (for `insyn check`)."""
    return identity(lambda path: settings.SITE_URL + path).problems
