"""SHACL shapes for DCAT-AP-SE, derived from DIGG's specification (RDForms templates, pinned in
tests/opendata/data/dcat-ap-se/bundle.json; see the README there).

For each class of the profile (catalogue, dataset, distribution, data service) every property
template becomes a property shape: its minimum and maximum cardinality, the kind of value (IRI,
resource, literal, language-tagged literal, typed literal with the allowed datatypes), the class
a resource must have, and a closed list of values where the specification gives one and no
other template for the same property allows more. A group of alternatives with a minimum
("format-group": one of several ways to state the format) becomes sh:or.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

SH = Namespace("http://www.w3.org/ns/shacl#")
BUNDLE = Path(__file__).parent / "data" / "dcat-ap-se" / "bundle.json"
SE = Namespace("https://example.invalid/dcat-ap-se-shapes#")

PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "http://schema.org/",
    "dcatap": "http://data.europa.eu/r5r/",
    "adms": "http://www.w3.org/ns/adms#",
    "odrs": "http://schema.theodi.org/odrs#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
CLASSES = ["dcat:Catalog", "dcat:Dataset", "dcat:Distribution", "dcat:DataService"]
# Mandatory only for high-value datasets (those that declare dcatap:applicableLegislation to
# Regulation (EU) 2023/138); none of Insyn's datasets is on that list.
CONDITIONAL = {"dcatap:hvdCategory"}


def expand(name: str) -> URIRef:
    if "://" in name:
        return URIRef(name)
    prefix, _, local = name.partition(":")
    return URIRef(PREFIXES[prefix] + local)


def _templates() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in json.loads(BUNDLE.read_text("utf-8"))["templates"]}


def _resolve(item: Any, by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    template = dict(by_id[item]) if isinstance(item, str) else dict(item)
    if "extends" in template:  # the item's own keys override what it extends
        base = _resolve(template["extends"], by_id)
        base.update({k: v for k, v in template.items() if k != "extends"})
        template = base
    return template


def _value_constraints(g: Graph, shape: BNode, template: dict[str, Any], closed: bool) -> None:
    kind = template.get("nodetype")
    if kind == "URI":
        g.add((shape, SH.nodeKind, SH.IRI))
    elif kind == "RESOURCE":
        g.add((shape, SH.nodeKind, SH.BlankNodeOrIRI))
    elif kind in ("LITERAL", "ONLY_LITERAL", "PLAIN_LITERAL", "LANGUAGE_LITERAL"):
        g.add((shape, SH.nodeKind, SH.Literal))
    elif kind == "DATATYPE_LITERAL":
        g.add((shape, SH.nodeKind, SH.Literal))
        datatypes = template.get("datatype")
        if isinstance(datatypes, str):
            datatypes = [datatypes]
        if datatypes:
            alternatives = []
            for datatype in datatypes:
                alt = BNode()
                g.add((alt, SH.datatype, expand(datatype)))
                alternatives.append(alt)
            head = BNode()
            Collection(g, head, alternatives)
            g.add((shape, SH["or"], head))
    types = (template.get("constraints") or {}).get(str(RDF.type))
    if types and kind in ("URI", "RESOURCE"):
        types = [types] if isinstance(types, str) else types
        alternatives = []
        for cls in types:
            alt = BNode()
            g.add((alt, SH["class"], expand(cls)))
            alternatives.append(alt)
        head = BNode()
        Collection(g, head, alternatives)
        g.add((shape, SH["or"], head))
    choices = template.get("choices")
    if closed and choices and template.get("type") == "choice":
        values = [
            URIRef(c["value"]) if kind in ("URI", "RESOURCE") else Literal(c["value"])
            for c in choices
        ]
        head = BNode()
        Collection(g, head, values)
        g.add((shape, SH["in"], head))
    if "pattern" in template:
        g.add((shape, SH.pattern, Literal(template["pattern"])))


def _property_shape(
    g: Graph, node: URIRef, template: dict[str, Any], closed: bool, *, count: bool = True
) -> BNode:
    shape = BNode()
    g.add((node, SH.property, shape))
    g.add((shape, SH.path, expand(template["property"])))
    g.add((shape, RDFS.label, Literal(template.get("id", template["property"]))))
    card = template.get("cardinality") or {}
    if count and card.get("min") and expand(template["property"]) not in map(expand, CONDITIONAL):
        g.add((shape, SH.minCount, Literal(card["min"], datatype=XSD.integer)))
    if count and card.get("max"):
        g.add((shape, SH.maxCount, Literal(card["max"], datatype=XSD.integer)))
    _value_constraints(g, shape, template, closed)
    return shape


def shapes() -> Graph:
    by_id = _templates()
    g = Graph()
    g.bind("sh", SH)
    for class_id in CLASSES:
        cls = by_id[class_id]
        node = SE[class_id.replace(":", "_") + "Shape"]
        g.add((node, RDF.type, SH.NodeShape))
        g.add((node, SH.targetClass, expand(cls["constraints"][str(RDF.type)])))
        items = [_resolve(item, by_id) for item in cls["items"]]
        per_property: dict[str, int] = {}
        for item in items:
            if "property" in item:
                per_property[item["property"]] = per_property.get(item["property"], 0) + 1
        for item in items:
            if "property" in item:
                # Several templates for one property (e.g. frequency from two vocabularies):
                # each value needs to satisfy only one of them, so neither list is closed and
                # the counts are checked only where the template is the property's only one.
                alone = per_property[item["property"]] == 1
                _property_shape(g, node, item, closed=alone, count=alone)
                continue
            # A group of alternatives without a property of its own.
            card = item.get("cardinality") or {}
            members = [_resolve(member, by_id) for member in item.get("items", [])]
            properties = sorted({m["property"] for m in members if "property" in m})
            if card.get("min") and properties:
                alternatives = []
                for prop in properties:
                    alt = BNode()
                    g.add((alt, SH.path, expand(prop)))
                    g.add((alt, SH.minCount, Literal(1, datatype=XSD.integer)))
                    wrapper = BNode()
                    g.add((wrapper, SH.property, alt))
                    alternatives.append(wrapper)
                head = BNode()
                Collection(g, head, alternatives)
                g.add((node, SH["or"], head))
            if card.get("max") == 1:
                for prop in properties:
                    shape = BNode()
                    g.add((node, SH.property, shape))
                    g.add((shape, SH.path, expand(prop)))
                    g.add((shape, SH.maxCount, Literal(1, datatype=XSD.integer)))
    return g
