"""Notices and reminders: queued by services and `insyn send-reminders`, deduplicated, and sent
by `insyn send-queued-mail` through a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes, policy

import pytest
from django.core.management import call_command
from django.test import override_settings

from insyn.core.models import OutgoingEmail
from insyn.goals import services
from insyn.goals.models import Report, ReportState
from tests.world import open_period

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        with override_settings(MAILERS=mailers):
            yield collector
    finally:
        controller.stop()


def test_it_sends_the_period_opened_notice_through_smtp(world, smtp_server):
    open_period(world)
    call_command("send_queued_mail")
    assert not OutgoingEmail.objects.filter(state=OutgoingEmail.State.QUEUED).exists()
    by_address = {rcpt[0]: message for rcpt, message in smtp_server.messages}
    reporter = world.users["reporter"]
    assert reporter.email in by_address
    message = by_address[reporter.email]
    assert message["Subject"] == f"Rapportera: Delårsuppföljning per augusti {world.period.year}"
    body = message.get_content()
    assert "Socialnämnden" in body and "/personal/uppfoljning/mina-rapporter/" in body
    assert "Uppsalahem AB" in by_address["rapport@uppsalahem.example"].get_content()
    # The foreign reporter's organisation (UBN) reports too, so it is told; nobody twice.
    assert len(smtp_server.messages) == len(by_address)


def test_it_reminds_7_and_1_days_before_the_deadline_once(world):
    open_period(world)
    deadline = world.period.deadline
    Report.objects.filter(period=world.period, organisation=world.son).update(
        state=ReportState.SUBMITTED
    )
    OutgoingEmail.objects.all().delete()

    call_command("send_reminders", today=(deadline - dt.timedelta(days=8)).isoformat())
    assert not OutgoingEmail.objects.exists()
    call_command("send_reminders", today=(deadline - dt.timedelta(days=7)).isoformat())
    call_command("send_reminders", today=(deadline - dt.timedelta(days=6)).isoformat())
    week = OutgoingEmail.objects.filter(dedupe_key=f"reminder:{world.period.pk}:7")
    recipients = set(week.values_list("to", flat=True))
    assert world.users["reporter"].email not in recipients  # SON has submitted everything
    assert world.users["reporter_foreign"].email in recipients
    assert "rapport@uppsalahem.example" in recipients
    assert week.count() == len(recipients)  # deduplicated across runs

    call_command("send_reminders", today=(deadline - dt.timedelta(days=1)).isoformat())
    call_command("send_reminders", today=deadline.isoformat())
    day = OutgoingEmail.objects.filter(dedupe_key=f"reminder:{world.period.pk}:1")
    assert day.count() == len(recipients)
    assert "i morgon" in day.first().body
    call_command("send_reminders", today=(deadline + dt.timedelta(days=1)).isoformat())
    assert OutgoingEmail.objects.count() == 2 * len(recipients)


def test_it_tells_the_reporter_when_a_report_is_returned_and_when_published(world, smtp_server):
    open_period(world)
    OutgoingEmail.objects.all().delete()
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    reporter = world.users["reporter"]
    report = services.report_submit(
        report_id=report.pk,
        version=report.version,
        status="on_track",
        assessment="Klart",
        by=reporter,
    )
    services.report_return(report=report, comment="Saknar siffror.", by=world.users["compiler"])
    call_command("send_queued_mail")
    ((rcpt, message),) = smtp_server.messages
    assert rcpt == [reporter.email]
    assert "Saknar siffror." in message.get_content()
    assert message["Subject"].startswith("Komplettera rapporten")
