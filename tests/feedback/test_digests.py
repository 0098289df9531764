"""A follower who chose a daily digest gets a case's updates in the digest, not one by one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from insyn.core import notices
from insyn.core.models import NoticeFrequency, PendingNotice
from insyn.feedback import services
from insyn.feedback.models import CaseStatus
from tests.feedback.test_lifecycle import mails_to, publish, report

pytestmark = pytest.mark.django_db


def test_case_updates_wait_for_the_followers_daily_digest(setup):
    staff = setup.users["cc"]
    receipt = report(setup)
    publish(setup, receipt.case)
    services.follow_case(case=receipt.case, email="granne@example.org")
    start = timezone.now()
    notices.set_frequency(email="granne@example.org", frequency=NoticeFrequency.DAILY, now=start)
    services.change_status(case=receipt.case, status=CaseStatus.IN_PROGRESS, by=staff)
    services.answer(case=receipt.case, body="Vi byter lampan i veckan.", by=staff)
    assert len(mails_to("granne@example.org")) == 1  # only the follow receipt, sent at once
    assert PendingNotice.objects.filter(email="granne@example.org").count() == 2
    # The reporter chose nothing: immediate, as before.
    assert len(mails_to("anna@example.org")) == 3
    assert notices.send_digests(now=start + dt.timedelta(hours=23)) == 1
    digest = mails_to("granne@example.org")[-1]
    assert receipt.case.number in digest.body
    assert "Vi byter lampan i veckan." in digest.body
