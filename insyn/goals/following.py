"""Following a goal by e-mail: residents and staff are told when something public happens to it.

A resident follows from the goal's own follow page (never from the goal page itself, which is
served from the public response cache and carries no form): `follow` stores an unconfirmed row
and e-mails a link; the link's page has one button that confirms (`confirm`; a mail scanner
following the link confirms nothing) and one that stops (`unfollow`, which deletes the row and
the address). A signed-in staff member follows with one click (`follow_as_staff`), confirmed at
once, with the address of their account. Limits: at most MAX_GOALS_PER_EMAIL goals per address,
and confirmation links to at most MAX_UNCONFIRMED_PER_DAY rows of one address in a day; the page
answers the same whatever the address already follows (no probing). Rows never confirmed are
deleted after UNCONFIRMED_DAYS (`delete_unconfirmed`, run by `insyn send-reminders`, daily).

What followers are told, each through `insyn.core.notices.notify` (at once, or in the address's
daily or weekly digest together with the cases, dialogues and areas it follows), each notice
ending with a one-button link to stop following:

- a follow-up period of the goal's plan is published (`period_published`, called by
  goals.services.period_publish): the goal's status, summary and assessment in that period;
- a published follow-up of the goal or one of its assignments is corrected
  (`correction_published`, called by the correction service): what changed and why;
- a dialogue linked to the goal or one of its assignments publishes its feedback (the dialogue
  app calls `notify_followers`).

The frequency chosen on the follow page is the address's (insyn.core.notices.set_frequency),
applied when the follow is confirmed; it covers everything the address follows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from insyn.core import notices
from insyn.core.errors import ServiceError
from insyn.core.forms import EMAIL_INVALID, EMAIL_REQUIRED
from insyn.core.mail import queue_email
from insyn.core.models import NoticeFrequency
from insyn.goals.models import Correction, FollowUpPeriod, Goal, GoalFollower, GoalFollowUp

MAX_GOALS_PER_EMAIL = 20  # confirmed or not
MAX_UNCONFIRMED_PER_DAY = 3  # rows of one address sent a confirmation link in 24 hours
UNCONFIRMED_DAYS = 7  # a follow never confirmed is deleted after this; its link expires
CONFIRM_SALT = "insyn.goals.following.confirm"
UNSUBSCRIBE_SALT = "insyn.goals.following.unsubscribe"
EXCERPT = 1200  # characters of an assessment or a corrected text in a notice

Compose = Callable[[Goal], tuple[str, str]]


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def _normal(email: str) -> str:
    return (email or "").strip().lower()


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _check_frequency(frequency: str) -> None:
    if frequency not in NoticeFrequency.values:
        raise ServiceError({"frequency": _("Välj hur ofta du vill få e-post.")})


# --- Links ---------------------------------------------------------------------------------------


def confirm_token(follower: GoalFollower) -> str:
    return signing.dumps([follower.pk, follower.secret], salt=CONFIRM_SALT)


def unsubscribe_token(follower: GoalFollower) -> str:
    return signing.dumps([follower.pk, follower.secret], salt=UNSUBSCRIBE_SALT)


def confirm_url(follower: GoalFollower) -> str:
    return _site() + reverse("public:goal_follow_confirm", args=[confirm_token(follower)])


def unsubscribe_url(follower: GoalFollower) -> str:
    return _site() + reverse("public:goal_unfollow", args=[unsubscribe_token(follower)])


def _by_token(token: str, salt: str, max_age: int | None) -> GoalFollower | None:
    if not token or len(token) > 300:
        return None
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
    ):
        return None
    follower = GoalFollower.objects.select_related("goal__plan").filter(pk=value[0]).first()
    if follower is None or not constant_time_compare(follower.secret, value[1]):
        return None  # deleted, or a later row that reuses the id: the link fits no longer
    return follower


def follower_by_confirm_token(token: str) -> GoalFollower | None:
    """The follow of a confirmation link (valid UNCONFIRMED_DAYS)."""
    return _by_token(token, CONFIRM_SALT, UNCONFIRMED_DAYS * 24 * 3600)


def follower_by_unsubscribe_token(token: str) -> GoalFollower | None:
    """The follow of the stop link in a notice (valid as long as the follow exists)."""
    return _by_token(token, UNSUBSCRIBE_SALT, None)


def staff_follower(goal: Goal, user: object) -> GoalFollower | None:
    """The signed-in staff member's own follow of the goal, if any."""
    address = _normal(getattr(user, "email", "") or "")
    if not address:
        return None
    return GoalFollower.objects.filter(goal=goal, email=address).first()


# --- Following -----------------------------------------------------------------------------------


@transaction.atomic
def follow(
    *, goal: Goal, email: str, frequency: str, now: dt.datetime | None = None
) -> GoalFollower | None:
    """A resident asks to follow the goal: store the wish (unconfirmed, or as it was if the
    address already follows) and e-mail the confirmation link. Nothing is sent about the goal
    before the link's button is pressed. Past MAX_GOALS_PER_EMAIL goals, or confirmation links
    to MAX_UNCONFIRMED_PER_DAY rows of the address in a day, nothing is stored or sent (None);
    the page says the same either way."""
    now = now or timezone.now()
    address = _normal(email)
    if not address:
        raise ServiceError({"email": EMAIL_REQUIRED})
    try:
        validate_email(address)
    except ValidationError:
        raise ServiceError({"email": EMAIL_INVALID}) from None
    _check_frequency(frequency)
    mine = GoalFollower.objects.filter(email=address)
    existing = mine.filter(goal=goal).first()
    asked = mine.filter(asked_at__gte=now - dt.timedelta(days=1))
    if existing is not None:
        asked = asked.exclude(pk=existing.pk)
    asked_today = asked.count()
    if asked_today >= MAX_UNCONFIRMED_PER_DAY:
        return None
    if existing is None:
        if mine.count() >= MAX_GOALS_PER_EMAIL:
            return None
        follower = GoalFollower.objects.create(
            goal=goal,
            email=address,
            secret=secrets.token_hex(16),
            frequency=frequency,
            language=_language(),
            created_at=now,
            asked_at=now,
        )
    else:
        follower = existing
        follower.frequency = frequency
        follower.language = _language()
        follower.asked_at = now
        follower.save(update_fields=["frequency", "language", "asked_at"])
    body = "\n".join(
        [
            _(
                "Någon (förhoppningsvis du) vill få e-post om %(goal)s när något om målet publiceras."
            )
            % {"goal": goal},
            "",
            _("Bekräfta på sidan bakom länken (en knapp):"),
            confirm_url(follower),
            "",
            _(
                "Om du inte bad om det här behöver du inte göra något: vi skickar inget mer och "
                "din e-postadress raderas efter %(days)s dagar om den inte används för annat du "
                "följer."
            )
            % {"days": UNCONFIRMED_DAYS},
        ]
    )
    queue_email(
        address,
        _("Bekräfta att du vill följa mål %(number)s") % {"number": goal.number},
        body,
        dedupe_key=f"goals:follow:confirm:{follower.pk}:{timezone.localdate(now)}",
    )
    return follower


@transaction.atomic
def follow_as_staff(
    *, goal: Goal, user: object, frequency: str, now: dt.datetime | None = None
) -> GoalFollower:
    """A signed-in staff member follows the goal with their account's address: confirmed at
    once (they are who they say), and the frequency is theirs to set."""
    now = now or timezone.now()
    address = _normal(getattr(user, "email", "") or "")
    if not address:
        raise ServiceError(_("Ditt konto har ingen e-postadress. Be en administratör."))
    _check_frequency(frequency)
    follower = GoalFollower.objects.filter(goal=goal, email=address).first()
    if follower is None:
        if GoalFollower.objects.filter(email=address).count() >= MAX_GOALS_PER_EMAIL:
            raise ServiceError(
                _("Du följer redan %(n)s mål, det högsta antalet. Sluta följa något först.")
                % {"n": MAX_GOALS_PER_EMAIL}
            )
        follower = GoalFollower(
            goal=goal, email=address, secret=secrets.token_hex(16), created_at=now, asked_at=now
        )
    follower.frequency = frequency
    follower.language = settings.LANGUAGE_CODE  # staff notices are in the site's language
    follower.confirmed_at = follower.confirmed_at or now
    follower.save()
    notices.set_frequency(email=address, frequency=frequency, now=now)
    return follower


@transaction.atomic
def confirm(*, follower: GoalFollower, now: dt.datetime | None = None) -> GoalFollower:
    """The confirmation link's button: the follow counts from now, with the frequency asked
    for (the address's choice for everything it follows)."""
    now = now or timezone.now()
    if follower.confirmed_at is None:
        follower.confirmed_at = now
        follower.save(update_fields=["confirmed_at"])
    if follower.frequency:
        notices.set_frequency(email=follower.email, frequency=follower.frequency, now=now)
    return follower


def unfollow(*, follower: GoalFollower) -> None:
    """Stop following: the row and with it the address are deleted (nothing is kept)."""
    GoalFollower.objects.filter(pk=follower.pk).delete()


def followed_by(emails: Iterable[str]) -> list[GoalFollower]:
    """The goals these addresses follow (a resident's export of their own data)."""
    addresses = {_normal(e) for e in emails if e}
    return list(
        GoalFollower.objects.filter(email__in=addresses).select_related("goal").order_by("pk")
    )


def forget(*, email: str) -> int:
    """Delete every follow of the address (a resident deletes their data)."""
    address = _normal(email)
    if not address:
        return 0
    deleted, _counts = GoalFollower.objects.filter(email=address).delete()
    return deleted


def delete_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Delete follows never confirmed within UNCONFIRMED_DAYS."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=UNCONFIRMED_DAYS)
    deleted, _counts = GoalFollower.objects.filter(
        confirmed_at__isnull=True, asked_at__lt=cutoff
    ).delete()
    return deleted


# --- Telling followers ---------------------------------------------------------------------------


def notify_followers(
    goal_ids: Iterable[int],
    compose: Compose,
    *,
    key: str,
    url: str = "",
    skip: set[str] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Tell the confirmed followers of these goals about one public event: `compose(goal)`
    gives the subject and body, written in each follower's language; every notice ends with
    the follower's own stop link. An address is told once per event however many of the goals
    it follows, and never if it is in `skip` (addresses already told, e.g. a dialogue's own
    subscribers); `skip` is extended with those told. Returns how many notices were given."""
    told = skip if skip is not None else set()
    followers = (
        GoalFollower.objects.filter(goal_id__in=set(goal_ids), confirmed_at__isnull=False)
        .select_related("goal__plan")
        .order_by("goal__plan__year", "goal__order", "goal__number", "pk")
    )
    texts: dict[tuple[int, str], tuple[str, str]] = {}
    given = 0
    for follower in followers:
        if follower.email in told:
            continue
        told.add(follower.email)
        with translation.override(follower.language or settings.LANGUAGE_CODE):
            cache_key = (follower.goal_id, follower.language)
            if cache_key not in texts:
                texts[cache_key] = compose(follower.goal)
            subject, body = texts[cache_key]
            footer = "\n\n" + _(
                "Du får det här för att du följer %(goal)s. Sluta följa målet (en knapp): %(url)s"
            ) % {"goal": follower.goal, "url": unsubscribe_url(follower)}
        given += notices.notify(
            follower.email,
            subject,
            body + footer,
            dedupe_key=f"goals:follow:{follower.pk}:{key}",
            url=url,
            now=now,
        )
    return given


def _goal_url(goal: Goal, period: FollowUpPeriod | None = None) -> str:
    url = _site() + goal.get_absolute_url()
    return f"{url}?period={period.pk}" if period is not None else url


def period_published(period: FollowUpPeriod) -> int:
    """A follow-up period is published: each followed goal of its plan, in that period."""
    from insyn.goals.selectors import goal_summary

    goal_ids = set(
        GoalFollower.objects.filter(
            goal__plan_id=period.plan_id, confirmed_at__isnull=False
        ).values_list("goal_id", flat=True)
    )
    if not goal_ids:
        return 0
    follow_ups = {
        f.goal_id: f for f in GoalFollowUp.objects.filter(period=period, goal_id__in=goal_ids)
    }

    def compose(goal: Goal) -> tuple[str, str]:
        follow_up = follow_ups.get(goal.pk)
        lines = [
            _("%(period)s är publicerad för %(goal)s.") % {"period": period, "goal": goal},
            "",
        ]
        if follow_up is not None and follow_up.status:
            lines.append(
                _("Målets status: %(status)s") % {"status": follow_up.get_status_display()}
            )
        lines.append(goal_summary(goal, period))
        if follow_up is not None and follow_up.assessment.strip():
            lines += ["", _("Bedömning:"), _excerpt(follow_up.assessment)]
        lines += ["", _("Läs hela uppföljningen: %(url)s") % {"url": _goal_url(goal, period)}]
        subject = _("Ny uppföljning av mål %(number)s: %(period)s") % {
            "number": goal.number,
            "period": period,
        }
        return subject, "\n".join(str(line) for line in lines)

    return notify_followers(goal_ids, compose, key=f"period:{period.pk}")


def correction_published(correction: Correction) -> int:
    """A published follow-up of a goal or of one of its assignments is corrected."""
    assignment = correction.assignment
    goal = correction.goal or (assignment.goal if assignment is not None else None)
    if goal is None:
        return 0
    period = correction.period

    def compose(goal: Goal) -> tuple[str, str]:
        what = (
            _("%(heading)s: %(title)s") % {"heading": assignment.heading, "title": assignment.title}
            if assignment is not None
            else _("Målets status och bedömning")
        )
        lines = [
            _("En publicerad uppföljning av %(goal)s är rättad (%(period)s, version %(version)s).")
            % {"goal": goal, "period": period, "version": correction.version},
            "",
            _("Vad som rättades: %(what)s") % {"what": what},
        ]
        for change in correction.changes:
            lines += [
                "",
                str(change.get("label", "")),
                _("Före: %(text)s") % {"text": _excerpt(change.get("before", ""), 500)},
                _("Efter: %(text)s") % {"text": _excerpt(change.get("after", ""), 500)},
            ]
        lines += [
            "",
            _("Varför: %(note)s") % {"note": correction.note},
            "",
            _("Läs mer: %(url)s") % {"url": _goal_url(goal, period)},
        ]
        subject = _("Rättelse i uppföljningen av mål %(number)s") % {"number": goal.number}
        return subject, "\n".join(str(line) for line in lines)

    return notify_followers([goal.pk], compose, key=f"correction:{correction.pk}")
