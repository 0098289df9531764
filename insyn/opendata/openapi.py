"""The OpenAPI 3.1 description of the open-data API, written by hand.

Served at /api/openapi.json. Tests check that every route in insyn.opendata.urls is described
here and run schemathesis against it (no 5xx, responses match these schemas): when a view's
output changes, change its schema here in the same commit.
"""

from __future__ import annotations

from typing import Any

from insyn.goals.models import AssignmentKind, GoalKind, GoalStatus, PeriodKind, Status, Trend
from insyn.organisations.models import OrganisationAlias, OrganisationKind

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    kind = schema.get("type")
    result = dict(schema, type=[kind, "null"])
    if "enum" in schema:
        result["enum"] = [*schema["enum"], None]
    return result


def obj(properties: Schema, required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def results(items: Schema) -> Schema:
    return obj({"results": array(items)})


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
URL: Schema = {"type": "string", "format": "uri"}
DATE: Schema = {"type": "string", "format": "date"}
DATETIME: Schema = {"type": "string", "format": "date-time"}

STATUS = {
    "type": "string",
    "enum": list(Status.values),
    "description": "Uppdragets status: completed (slutfört), on_track (enligt plan), "
    "delayed (försenat), not_done (genomförs inte), unknown (saknas).",
}
GOAL_STATUS = {
    "type": "string",
    "enum": list(GoalStatus.values),
    "description": "Målets status: green (grön), yellow (gul), red (röd).",
}
TREND = {"type": "string", "enum": list(Trend.values)}

SCHEMAS: dict[str, Schema] = {
    "Error": obj({"error": obj({"status": INTEGER, "message": STRING})}),
    "OrganisationRef": obj({"slug": STRING, "name": STRING, "url": URL}),
    "Organisation": obj(
        {
            "slug": STRING,
            "name": STRING,
            "short_name": STRING,
            "kind": {"type": "string", "enum": list(OrganisationKind.values)},
            "kind_label": STRING,
            "aliases": array(
                obj(
                    {
                        "alias": STRING,
                        "kind": {"type": "string", "enum": list(OrganisationAlias.Kind.values)},
                    }
                )
            ),
            "active_from": nullable(INTEGER),
            "active_until": nullable(INTEGER),
            "successor": nullable(ref("OrganisationRef")),
            "website": STRING,
            "url": URL,
            "html_url": URL,
        }
    ),
    "OrganisationDetail": {
        "allOf": [
            ref("Organisation"),
            obj(
                {
                    "description": STRING,
                    "predecessors": array(ref("OrganisationRef")),
                    "groups": array(obj({"slug": STRING, "name": STRING})),
                    "responsible_for": array(ref("AssignmentRef")),
                    "affected_by": array(ref("AssignmentRef")),
                }
            ),
        ]
    },
    "Group": obj(
        {
            "slug": STRING,
            "name": STRING,
            "kinds": array(STRING),
            "members": array(ref("OrganisationRef")),
        }
    ),
    "PeriodRef": obj(
        {
            "id": INTEGER,
            "label": STRING,
            "year": INTEGER,
            "month": nullable(INTEGER),
            "kind": {"type": "string", "enum": list(PeriodKind.values)},
            "url": URL,
        }
    ),
    "Period": {
        "allOf": [
            ref("PeriodRef"),
            obj(
                {
                    "kind_label": STRING,
                    "plan_year": INTEGER,
                    "published_at": nullable(DATETIME),
                    "published_on": nullable(DATE),
                    "reports_url": URL,
                    "html_url": URL,
                }
            ),
        ]
    },
    "PeriodDetail": {"allOf": [ref("Period"), obj({"report_count": INTEGER})]},
    "Plan": obj(
        {
            "year": INTEGER,
            "title": STRING,
            "last_year": nullable(INTEGER),
            "decision_case_number": STRING,
            "decision_date": nullable(DATE),
            "periods": array(ref("PeriodRef")),
            "goal_count": INTEGER,
            "url": URL,
            "goals_url": URL,
            "html_url": URL,
        },
        required=[
            "year",
            "title",
            "last_year",
            "decision_case_number",
            "decision_date",
            "periods",
            "url",
            "goals_url",
            "html_url",
        ],
    ),
    "PlanDetail": {"allOf": [ref("Plan"), obj({"goals": array(ref("Goal"))})]},
    "Counts": obj(
        {
            name: INTEGER
            for name in ("assignments", "completed", "on_track", "delayed", "not_done", "unknown")
        }
    ),
    "GoalFollowUp": obj(
        {
            "period": ref("PeriodRef"),
            "status": nullable(GOAL_STATUS),
            "status_label": nullable(STRING),
            "trend": nullable(TREND),
            "trend_label": nullable(STRING),
            "trend_computed": nullable(BOOLEAN),
            "summary": {
                "type": "string",
                "description": "Sammanfattningen i kommunens stil, "
                "beräknad ur de sammanställda statusarna (nämnd-/bolagsmål räknas inte).",
            },
            "counts": ref("Counts"),
            "assessment": STRING,
            "published_summary": STRING,
        }
    ),
    "GoalRef": obj(
        {
            "plan_year": INTEGER,
            "number": STRING,
            "kind": {"type": "string", "enum": list(GoalKind.values)},
            "title": STRING,
            "url": URL,
        }
    ),
    "Goal": obj(
        {
            "plan_year": INTEGER,
            "number": STRING,
            "kind": {"type": "string", "enum": list(GoalKind.values)},
            "kind_label": STRING,
            "title": STRING,
            "short_title": STRING,
            "latest_follow_up": nullable(ref("GoalFollowUp")),
            "url": URL,
            "csv_url": URL,
            "html_url": URL,
        }
    ),
    "GoalDetail": {
        "allOf": [
            ref("Goal"),
            obj(
                {
                    "plan": obj({"year": INTEGER, "title": STRING, "url": URL}),
                    "sections": array(obj({"heading": STRING, "body": STRING})),
                    "assignments": array(ref("GoalAssignment")),
                    "follow_ups": array(ref("GoalFollowUp")),
                }
            ),
        ]
    },
    "AssignmentRef": obj(
        {
            "id": INTEGER,
            "plan_year": INTEGER,
            "goal_number": STRING,
            "heading": STRING,
            "number": nullable(STRING),
            "kind": {"type": "string", "enum": list(AssignmentKind.values)},
            "title": STRING,
            "url": URL,
        }
    ),
    "GoalAssignment": {
        "allOf": [
            ref("AssignmentRef"),
            obj(
                {
                    "kind_label": STRING,
                    "counts_in_summary": BOOLEAN,
                    "responsible_organisations": array(ref("OrganisationRef")),
                    "responsible_groups": array(obj({"slug": STRING, "name": STRING})),
                    "latest_status": nullable(
                        obj({"period": ref("PeriodRef"), "status": STATUS, "status_label": STRING})
                    ),
                    "html_url": URL,
                }
            ),
        ]
    },
    "Report": obj(
        {
            "id": INTEGER,
            "period": ref("PeriodRef"),
            "assignment": ref("AssignmentRef"),
            "compiled": {
                "type": "boolean",
                "description": "true för kommunens sammanställda rapport, false för en "
                "organisations egen rapport.",
            },
            "organisation": nullable(ref("OrganisationRef")),
            "status": STATUS,
            "status_label": STRING,
            "assessment_label": STRING,
            "assessment": STRING,
        },
        required=[
            "id",
            "compiled",
            "organisation",
            "status",
            "status_label",
            "assessment_label",
            "assessment",
        ],
    ),
    "Assignment": obj(
        {
            "id": INTEGER,
            "goal": ref("GoalRef"),
            "heading": STRING,
            "number": nullable(STRING),
            "kind": {"type": "string", "enum": list(AssignmentKind.values)},
            "kind_label": STRING,
            "counts_in_summary": BOOLEAN,
            "title": STRING,
            "description": STRING,
            "origin": obj(
                {
                    "year": nullable(INTEGER),
                    "number": nullable(STRING),
                    "carried_over_from": nullable(ref("AssignmentRef")),
                }
            ),
            "carried_into": array(ref("AssignmentRef")),
            "decision": obj(
                {
                    "case_number": nullable(STRING),
                    "paragraph": nullable(STRING),
                    "body": nullable(STRING),
                    "date": nullable(DATE),
                    "reference": nullable(STRING),
                }
            ),
            "board_goal_code": nullable(STRING),
            "responsible_organisations": array(ref("OrganisationRef")),
            "responsible_groups": array(ref("Group")),
            "affected_organisations": array(ref("OrganisationRef")),
            "affected_groups": array(ref("Group")),
            "reports": array(ref("Report")),
            "url": URL,
            "html_url": URL,
        }
    ),
    "ReportPage": obj(
        {
            "period": ref("PeriodRef"),
            "count": INTEGER,
            "limit": INTEGER,
            "offset": INTEGER,
            "next": nullable(URL),
            "previous": nullable(URL),
            "results": array(ref("Report")),
        }
    ),
    "Index": {
        "type": "object",
        "required": ["name", "description", "openapi", "endpoints"],
        "properties": {
            "name": STRING,
            "description": STRING,
            "openapi": URL,
            "endpoints": array(obj({"url": STRING, "description": STRING})),
        },
    },
}

NULLABLE_DATE = nullable(DATE)
NULLABLE_DATETIME = nullable(DATETIME)
NULLABLE_STRING = nullable(STRING)
CODE_LABEL = obj({"code": STRING, "label": STRING})

SCHEMAS.update(
    {
        "Dialogue": obj(
            {
                "id": INTEGER,
                "url": URL,
                "page": URL,
                "title": STRING,
                "state": {"type": "string", "enum": ["open", "closed"]},
                "responsible_board": NULLABLE_STRING,
                "starts_on": NULLABLE_DATE,
                "ends_on": NULLABLE_DATE,
                "feedback_due_on": NULLABLE_DATE,
                "feedback_published_at": NULLABLE_DATETIME,
                "published_at": NULLABLE_DATETIME,
                "question": STRING,
                "purpose": STRING,
                "result_use": STRING,
                "decision_maker": STRING,
                "target_groups": STRING,
                "politically_decided": BOOLEAN,
                "participation_ladder": array(CODE_LABEL),
                "methods": array(CODE_LABEL),
                "whole_municipality": BOOLEAN,
                "districts": array(STRING),
                "anchoring": nullable(obj({"with": STRING, "body": STRING, "on": NULLABLE_DATE})),
                "goals": array(
                    obj({"plan": INTEGER, "number": STRING, "title": STRING, "url": URL})
                ),
                "assignments": array(obj({"title": STRING, "url": URL})),
                "results": array(
                    obj({"survey": STRING, "summary": STRING, "published_at": NULLABLE_DATETIME})
                ),
                "participatory_budgets": array(URL),
                "feedback": nullable(
                    obj(
                        {
                            "summary": STRING,
                            "usage": STRING,
                            "decision": STRING,
                            "published_at": NULLABLE_DATETIME,
                        }
                    )
                ),
            }
        ),
        "DialoguePage": obj(
            {
                "count": INTEGER,
                "limit": INTEGER,
                "offset": INTEGER,
                "next": nullable(URL),
                "previous": nullable(URL),
                "results": array(ref("Dialogue")),
            }
        ),
        "Indicator": obj(
            {
                "id": INTEGER,
                "url": URL,
                "page": URL,
                "title": STRING,
                "description": STRING,
                "unit": STRING,
                "direction": STRING,
                "kpi": obj(
                    {
                        "id": STRING,
                        "source": STRING,
                        "title": STRING,
                        "publication_date": NULLABLE_DATE,
                        "source_ref": STRING,
                    }
                ),
                "targets": array(obj({"year": INTEGER, "value": {"type": "number"}})),
            }
        ),
        "IndicatorValue": obj(
            {
                "area": obj({"id": STRING, "name": STRING, "type": STRING}),
                "year": INTEGER,
                "gender": {"type": "string", "enum": ["T", "K", "M"]},
                "value": nullable({"type": "number"}),
                "status": STRING,
                "provenance": obj(
                    {
                        "fetched_at": NULLABLE_DATETIME,
                        "publication_date": NULLABLE_DATE,
                        "source_ref": STRING,
                    }
                ),
            }
        ),
        "BudgetYear": obj(
            {
                "year": INTEGER,
                "published_at": NULLABLE_DATETIME,
                "note": STRING,
                "lines": array(
                    obj(
                        {
                            "organisation": STRING,
                            "organisation_url": URL,
                            "activity": STRING,
                            "net_cost_mnkr": {"type": "string", "description": "Miljoner kronor."},
                        }
                    )
                ),
            }
        ),
        "ParticipatoryBudget": obj(
            {
                "id": INTEGER,
                "url": URL,
                "page": URL,
                "dialogue": URL,
                "title": STRING,
                "amount_sek": INTEGER,
                "rule": {
                    "type": "string",
                    "description": "Röstsedeln: budget (välj inom budgeten), choose_n, ranking "
                    "eller points.",
                },
                "counting": {
                    "type": "string",
                    "enum": ["greedy", "mes"],
                    "description": "greedy: flest röster först; mes: lika andelar (Method of "
                    "Equal Shares).",
                },
                "phase": STRING,
                "results_published_at": NULLABLE_DATETIME,
            }
        ),
        "FaultStatistics": obj(
            {
                "start": DATE,
                "end": DATE,
                "results": array(
                    obj(
                        {
                            "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                            "category": STRING,
                            "area": STRING,
                            "received": INTEGER,
                            "resolved": INTEGER,
                        }
                    )
                ),
            }
        ),
    }
)
SCHEMAS["IndicatorDetail"] = {
    "allOf": [ref("Indicator"), obj({"values": array(ref("IndicatorValue"))})]
}
SCHEMAS["ParticipatoryBudgetDetail"] = {
    "allOf": [
        ref("ParticipatoryBudget"),
        obj(
            {
                "projects": array(
                    obj(
                        {
                            "title": STRING,
                            "description": STRING,
                            "place": STRING,
                            "feasible": BOOLEAN,
                            "answer": STRING,
                            "cost_sek": nullable(INTEGER),
                            "votes": nullable(INTEGER),
                            "selected": nullable(BOOLEAN),
                            "delivery": nullable(
                                obj(
                                    {
                                        "stage": nullable(
                                            {
                                                "type": "string",
                                                "enum": ["planned", "procured", "building", "done"],
                                            }
                                        ),
                                        "responsible_organisation": NULLABLE_STRING,
                                        "updates": array(
                                            obj(
                                                {
                                                    "stage": STRING,
                                                    "on": DATE,
                                                    "note": STRING,
                                                    "photo": nullable(
                                                        obj({"url": URL, "alt": STRING})
                                                    ),
                                                }
                                            )
                                        ),
                                    }
                                )
                            ),
                        }
                    )
                )
            }
        ),
    ]
}

CORS_HEADER = {
    "Access-Control-Allow-Origin": {
        "description": "Alltid *: vem som helst får läsa datat, även från en annan webbplats.",
        "schema": {"type": "string", "const": "*"},
    }
}


def json_ok(schema: Schema, description: str = "OK") -> Schema:
    return {
        "description": description,
        "headers": CORS_HEADER,
        "content": {"application/json": {"schema": schema}},
    }


def error(description: str) -> Schema:
    return {
        "description": description,
        "headers": CORS_HEADER,
        "content": {"application/json": {"schema": ref("Error")}},
    }


NOT_FOUND = error("Finns inte (eller är inte publicerat).")
BAD_REQUEST = error("Felaktig parameter.")


def path_param(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


YEAR = path_param(
    "year",
    {"type": "integer", "minimum": 0, "maximum": 9999},
    "Planens år, t.ex. 2023 för Mål och budget 2023.",
)
NUMBER = path_param(
    "number",
    {"type": "string", "minLength": 1, "maxLength": 10},
    "Målets nummer i planen, t.ex. 4.",
)
SLUG = path_param(
    "slug",
    {"type": "string", "minLength": 1, "maxLength": 200},
    "Organisationens kortnamn i adresser, t.ex. kulturnamnden.",
)
ID = path_param("id", {"type": "integer", "minimum": 1}, "Id.")


def get(
    operation_id: str,
    summary: str,
    responses: Schema,
    parameters: list[Schema] | None = None,
    description: str = "",
) -> Schema:
    operation: Schema = {"operationId": operation_id, "summary": summary, "responses": responses}
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


PATHS: dict[str, Schema] = {
    "/api/": get("index", "Om de öppna datat", {"200": json_ok(ref("Index"))}),
    "/api/openapi.json": get(
        "openapi", "Den här beskrivningen (OpenAPI 3.1)", {"200": json_ok({"type": "object"})}
    ),
    "/api/v1/organisations": get(
        "listOrganisations",
        "Alla organisationer (nämnder, bolag)",
        {"200": json_ok(results(ref("Organisation")))},
    ),
    "/api/v1/organisations/{slug}": get(
        "getOrganisation",
        "En organisation och de uppdrag den är ansvarig för eller berörd av",
        {"200": json_ok(ref("OrganisationDetail")), "404": NOT_FOUND},
        [SLUG],
    ),
    "/api/v1/plans": get(
        "listPlans", "Alla planer (Mål och budget)", {"200": json_ok(results(ref("Plan")))}
    ),
    "/api/v1/plans/{year}": get(
        "getPlan",
        "En plan med mål och publicerade uppföljningar",
        {"200": json_ok(ref("PlanDetail")), "404": NOT_FOUND},
        [YEAR],
    ),
    "/api/v1/plans/{year}/goals": get(
        "listGoals",
        "Planens mål med senaste publicerade uppföljning",
        {"200": json_ok(results(ref("Goal"))), "404": NOT_FOUND},
        [YEAR],
    ),
    "/api/v1/plans/{year}/goals/{number}": get(
        "getGoal",
        "Ett mål: beskrivning, uppdrag och uppföljning per publicerad period",
        {"200": json_ok(ref("GoalDetail")), "404": NOT_FOUND},
        [YEAR, NUMBER],
    ),
    "/api/v1/plans/{year}/goals/{number}/follow-up.csv": get(
        "getGoalFollowUpCsv",
        "Målets uppföljning som CSV",
        {
            "200": {
                "description": "CSV (UTF-8 med BOM, kommaseparerad): en rad per uppdrag och "
                "publicerad period.",
                "headers": {
                    **CORS_HEADER,
                    "Content-Disposition": {
                        "schema": {"type": "string"},
                        "description": "attachment; filename=…",
                    },
                },
                "content": {"text/csv": {"schema": {"type": "string"}}},
            },
            "404": NOT_FOUND,
        },
        [YEAR, NUMBER],
    ),
    "/api/v1/assignments/{id}": get(
        "getAssignment",
        "Ett uppdrag med beslut, ansvariga, berörda och publicerade rapporter",
        {"200": json_ok(ref("Assignment")), "404": NOT_FOUND},
        [ID],
    ),
    "/api/v1/periods": get(
        "listPeriods", "Publicerade uppföljningsperioder", {"200": json_ok(results(ref("Period")))}
    ),
    "/api/v1/periods/{id}": get(
        "getPeriod",
        "En publicerad uppföljningsperiod",
        {"200": json_ok(ref("PeriodDetail")), "404": NOT_FOUND},
        [ID],
    ),
    "/api/v1/periods/{id}/reports": get(
        "listPeriodReports",
        "Periodens rapporter, sammanställda och per organisation",
        {"200": json_ok(ref("ReportPage")), "400": BAD_REQUEST, "404": NOT_FOUND},
        [
            ID,
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                "description": "Antal rapporter per sida.",
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0},
                "description": "Hur många rapporter som hoppas över.",
            },
        ],
        description="Sidindelad med limit och offset; next och previous är färdiga adresser.",
    ),
}


def _csv(description: str) -> Schema:
    return {
        "description": description,
        "headers": {
            **CORS_HEADER,
            "Content-Disposition": {
                "schema": {"type": "string"},
                "description": "attachment; filename=…",
            },
        },
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


LIMIT = _query(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    "Antal per sida.",
)
OFFSET = _query(
    "offset",
    {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0},
    "Hur många som hoppas över.",
)
DATE_RANGE = [
    _query("start", DATE, "Första dag (standard: ett år före end)."),
    _query("end", DATE, "Sista dag (standard: i dag)."),
]
RDF_CONTENT = {
    "application/rdf+xml": {"schema": {"type": "string"}},
    "text/turtle": {"schema": {"type": "string"}},
    "application/ld+json": {"schema": {"type": ["array", "object"]}},
}

PATHS.update(
    {
        "/api/v1/dialogues": get(
            "listDialogues",
            "Publicerade dialoger med invånare: syfte, metoder, resultat och återkoppling",
            {"200": json_ok(ref("DialoguePage")), "400": BAD_REQUEST},
            [LIMIT, OFFSET],
        ),
        "/api/v1/dialogues.csv": get(
            "getDialoguesCsv",
            "Publicerade dialoger som CSV",
            {"200": _csv("CSV (UTF-8 med BOM): en rad per dialog.")},
        ),
        "/api/v1/dialogues/{id}": get(
            "getDialogue",
            "En publicerad dialog",
            {"200": json_ok(ref("Dialogue")), "404": NOT_FOUND},
            [ID],
        ),
        "/api/v1/indicators": get(
            "listIndicators",
            "Publicerade indikatorer med målvärden och källa",
            {"200": json_ok(results(ref("Indicator")))},
        ),
        "/api/v1/indicators/{id}": get(
            "getIndicator",
            "En indikator med alla värden (kommunen, jämförelsegrupper) och deras ursprung",
            {"200": json_ok(ref("IndicatorDetail")), "404": NOT_FOUND},
            [ID],
        ),
        "/api/v1/budget": get(
            "getBudget",
            "Publicerad budget per år, nämnd och verksamhet",
            {"200": json_ok(results(ref("BudgetYear")))},
        ),
        "/api/v1/budget.csv": get(
            "getBudgetCsv",
            "Publicerad budget som CSV",
            {"200": _csv("CSV (UTF-8 med BOM): en rad per nämnd och verksamhet och år.")},
        ),
        "/api/v1/participatory-budgets": get(
            "listParticipatoryBudgets",
            "Medborgarbudgetar i publicerade dialoger",
            {"200": json_ok(results(ref("ParticipatoryBudget")))},
        ),
        "/api/v1/participatory-budgets/{id}": get(
            "getParticipatoryBudget",
            "En medborgarbudget med bedömda förslag; röster och utfall när resultatet är publicerat",
            {"200": json_ok(ref("ParticipatoryBudgetDetail")), "404": NOT_FOUND},
            [ID],
        ),
        "/api/v1/fault-statistics": get(
            "getFaultStatistics",
            "Antal felanmälningar per månad, kategori och område (bara antal, aldrig text)",
            {"200": json_ok(ref("FaultStatistics")), "400": BAD_REQUEST},
            DATE_RANGE,
        ),
        "/api/v1/fault-statistics.csv": get(
            "getFaultStatisticsCsv",
            "Felanmälningsstatistik som CSV",
            {"200": _csv("CSV (UTF-8 med BOM)."), "400": BAD_REQUEST},
            DATE_RANGE,
        ),
        "/api/catalog": get(
            "getCatalog",
            "Datakatalog enligt DCAT-AP-SE (RDF/XML, Turtle eller JSON-LD efter Accept)",
            {"200": {"description": "Katalogen.", "headers": CORS_HEADER, "content": RDF_CONTENT}},
            description="Skördas av Sveriges dataportal. Formatet väljs med Accept-huvudet; "
            "/api/catalog.rdf, .ttl och .jsonld ger ett bestämt format.",
        ),
        "/api/catalog.{fmt}": get(
            "getCatalogFormat",
            "Datakatalogen i ett bestämt format",
            {
                "200": {
                    "description": "Katalogen.",
                    "headers": CORS_HEADER,
                    "content": RDF_CONTENT,
                },
                "404": NOT_FOUND,
            },
            [
                path_param(
                    "fmt",
                    {"type": "string", "enum": ["rdf", "ttl", "jsonld"]},
                    "rdf (RDF/XML), ttl (Turtle) eller jsonld (JSON-LD).",
                )
            ],
        ),
    }
)


def document() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Insyn – öppna data",
            "version": "1.0.0",
            "description": (
                "Kommunens styrning med mål som öppna data: planer, mål, uppdrag, "
                "uppföljningsperioder och rapporter, organisationer, indikatorer, budget, "
                "dialoger med invånare, medborgarbudgetar och felanmälningsstatistik, och en "
                "datakatalog enligt DCAT-AP-SE. Endast publicerat "
                "material. Inga personuppgifter. Alla svar har "
                "Access-Control-Allow-Origin: *. Fel: "
                '{"error": {"status": 404, "message": "…"}}.'
            ),
        },
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
