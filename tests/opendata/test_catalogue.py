"""The DCAT-AP-SE catalogue at /api/catalog: valid against the profile's shapes (pySHACL), every
published dataset in it, nothing unpublished, and honest when configuration is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.checks import run_checks
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from tests.opendata.conftest import SECRET
from tests.opendata.dcat_ap_se import shapes

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
VCARD_EMAIL = URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")


@pytest.fixture
def configured(settings):
    settings.CATALOGUE_CONTACT_EMAIL = "oppnadata@uppsala.example"
    settings.CATALOGUE_PUBLISHER_URI = "http://dataportal.se/organisation/SE2120003005"
    return settings


def _graph(client, path: str = "/api/catalog.ttl", fmt: str = "turtle") -> Graph:
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return Graph().parse(data=response.content, format=fmt)


def _report(results_graph: Graph) -> str:
    sh = "http://www.w3.org/ns/shacl#"
    lines = []
    for result in results_graph.subjects(RDF.type, URIRef(sh + "ValidationResult")):
        focus = results_graph.value(result, URIRef(sh + "focusNode"))
        path = results_graph.value(result, URIRef(sh + "resultPath"))
        message = results_graph.value(result, URIRef(sh + "resultMessage"))
        lines.append(f"{focus} {path}: {message}")
    return "\n".join(sorted(lines))


def _violations(results_graph: Graph) -> list[tuple[str, str]]:
    sh = "http://www.w3.org/ns/shacl#"
    return [
        (
            str(results_graph.value(r, URIRef(sh + "focusNode"))),
            str(results_graph.value(r, URIRef(sh + "resultPath"))),
        )
        for r in results_graph.subjects(RDF.type, URIRef(sh + "ValidationResult"))
        if results_graph.value(r, URIRef(sh + "resultSeverity")) == URIRef(sh + "Violation")
    ]


def test_catalogue_conforms_to_dcat_ap_se(client, world, configured):
    data = _graph(client)
    conforms, results, _text = validate(data, shacl_graph=shapes(), inference="none")
    assert conforms, _report(results)


def test_catalogue_conforms_to_dcat_ap_3_except_where_dcat_ap_se_differs(client, world, configured):
    """DCAT-AP-SE states a distribution's format as a media-type literal ("text/csv") where
    DCAT-AP 3 wants an IRI from the EU file-type list; that is the only difference allowed."""
    data = _graph(client)
    shacl = Graph().parse(DATA / "dcat-ap" / "dcat-ap-SHACL.ttl", format="turtle")
    # DCAT-AP's shapes expect RDFS entailment (a vcard:Organization is a vcard:Kind, …).
    _conforms, results, _text = validate(data, shacl_graph=shacl, inference="rdfs")
    other = [v for v in _violations(results) if v[1] != str(DCTERMS.format)]
    assert not other, _report(results)


def test_shapes_catch_a_catalogue_missing_what_the_profile_requires(client, world, configured):
    """The derived shapes can fail: without a dataset title or a distribution's accessURL."""
    data = _graph(client)
    dataset = next(data.subjects(RDF.type, DCAT.Dataset))
    data.remove((dataset, DCTERMS.title, None))
    distribution = next(data.subjects(RDF.type, DCAT.Distribution))
    data.remove((distribution, DCAT.accessURL, None))
    conforms, results, _text = validate(data, shacl_graph=shapes(), inference="none")
    assert not conforms
    paths = {path for _focus, path in _violations(results)}
    assert {str(DCTERMS.title), str(DCAT.accessURL)} <= paths


def test_every_published_period_is_a_dataset_and_nothing_unpublished(client, world, configured):
    data = _graph(client)
    titles = {str(o) for o in data.objects(None, DCTERMS.title)}
    assert any(world.april.label in t for t in titles)
    assert any(world.august.label in t for t in titles)
    body = client.get("/api/catalog.ttl").content.decode()
    assert SECRET not in body
    datasets = set(data.subjects(RDF.type, DCAT.Dataset))
    keys = {str(d).rsplit("#", 1)[1] for d in datasets}
    assert {
        "mal-och-uppdrag",
        "indikatorer",
        "budget",
        "dialoger",
        "medborgarbudgetar",
        "felanmalningar",
        "felanmalningsstatistik",
        f"uppfoljning-{world.april.pk}",
    } <= keys
    assert f"uppfoljning-{world.draft.pk}" not in keys


def test_every_distribution_url_answers(client, world, configured):
    data = _graph(client)
    urls = (
        {str(o) for o in data.objects(None, DCAT.accessURL)}
        | {str(o) for o in data.objects(None, DCAT.endpointURL)}
        | {str(o) for o in data.objects(None, DCAT.endpointDescription)}
    )
    assert len(urls) > 10
    for url in sorted(urls):
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    ("accept", "content_type", "fmt"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/rdf+xml", "xml"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle", "turtle"),
    ],
)
def test_content_negotiation(client, world, configured, accept, content_type, fmt):
    response = client.get("/api/catalog", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "Accept" in response["Vary"]
    graph = Graph().parse(data=response.content, format=fmt)
    assert (URIRef("http://testserver/api/catalog"), RDF.type, DCAT.Catalog) in graph


def test_jsonld_suffix_and_unknown_suffix(client, world, configured):
    response = client.get("/api/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    assert json.loads(response.content)
    response = client.get("/api/catalog.exe")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_publisher_and_contact_come_from_configuration(client, world, configured):
    data = _graph(client)
    publisher = URIRef("http://dataportal.se/organisation/SE2120003005")
    assert (URIRef("http://testserver/api/catalog"), DCTERMS.publisher, publisher) in data
    assert URIRef("mailto:oppnadata@uppsala.example") in set(data.objects(None, VCARD_EMAIL))


def test_missing_contact_is_a_check_warning_and_not_invented(client, world, settings):
    settings.CATALOGUE_CONTACT_EMAIL = ""
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "insyn.opendata.W002" in ids
    data = _graph(client)
    assert not list(data.objects(None, VCARD_EMAIL))
    assert not list(data.objects(None, DCAT.contactPoint))


def test_missing_licence_is_a_check_warning_and_no_licence_is_claimed(client, world, settings):
    settings.CATALOGUE_CONTACT_EMAIL = "oppnadata@uppsala.example"
    settings.CATALOGUE_LICENSE = ""
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "insyn.opendata.W003" in ids
    assert "insyn.opendata.W002" not in ids
    data = _graph(client)
    distribution = next(data.subjects(RDF.type, DCAT.Distribution))
    assert data.value(distribution, DCTERMS.license) is None
    # The catalogue's own metadata stays CC0, as DCAT-AP-SE requires.
    catalog = URIRef("http://testserver/api/catalog")
    assert data.value(catalog, DCTERMS.license) == URIRef(
        "http://creativecommons.org/publicdomain/zero/1.0/"
    )


def test_swedish_and_english_titles(client, world, configured):
    data = _graph(client)
    catalog = URIRef("http://testserver/api/catalog")
    languages = {o.language for o in data.objects(catalog, DCTERMS.title) if isinstance(o, Literal)}
    assert languages == {"sv", "en"}
