"""Factories for feedback tests: realistic Uppsala defaults."""

from __future__ import annotations

import factory

from insyn.feedback.models import (
    AnswerTemplate,
    Category,
    CategoryQuestion,
    Datatype,
    RoutingRule,
)
from tests.factories import OrganisationFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"kategori-{n}")
    name = factory.Sequence(lambda n: f"Kategori {n}")
    fault_reports = True
    feedback = False
    target_days = 7
    service_notice = "Vi åtgärdar normalt inom en vecka."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryQuestion

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"fraga{n}")
    description = "Vilket nummer står på stolpen?"
    datatype = Datatype.STRING
    order = factory.Sequence(lambda n: n + 1)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    category = factory.SubFactory(CategoryFactory)
    area = None
    organisation = factory.SubFactory(OrganisationFactory)


class AnswerTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerTemplate

    title = "Åtgärdat"
    body = "Ärende {nummer} ({kategori}) är åtgärdat. Tack!"
    status = "resolved"
