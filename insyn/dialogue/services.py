"""Every state change of a resident dialogue, one typed function per verb.

The guideline's promises are enforced here, not in views:
- `dialogue_publish` refuses until the required register fields are filled and the anchoring
  with elected officials is recorded (`publication_blockers` lists what is missing, in Swedish);
- `dialogue_close` refuses until the feedback (result, how it was used, which decision) is
  published; `feedback_publish` notifies confirmed subscribers and signed-in participants;
- a ballot is one row per participant and budget (a database UniqueConstraint), replaced inside
  one transaction with its row locked, so concurrent casts never make two and never mix choices.

Adding a dialogue method (checklist):
1. a model in models.py with a FK to Dialogue, and contributions subclassing `Contribution`
   (district, age band, source) so representativeness counts them;
2. a `MethodKind` value, services here, selectors (public reads never expose personal data);
3. public and staff views/templates, and a line in `participant_export`/`participant_delete`;
4. its contributions in `selectors.participation_counts`, its public results in `_search_body`;
5. tests in tests/dialogue, including a bounded-query test and an axe check of its page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.core.mail import queue_email
from insyn.core.publication import bump_publication_version
from insyn.dialogue import counting, pabulib
from insyn.dialogue.models import (
    AgeBand,
    Answer,
    Ballot,
    BallotChoice,
    Budget,
    BudgetPhase,
    CoordinationComment,
    CountingRule,
    DeliveryStage,
    DeliveryUpdate,
    Dialogue,
    DialogueState,
    Discussion,
    District,
    LadderStep,
    LoginToken,
    Meeting,
    MethodKind,
    OfflineInput,
    Outreach,
    Participant,
    PopulationFigure,
    Post,
    PostReport,
    PostState,
    Proposal,
    ProposalState,
    Question,
    QuestionKind,
    Registration,
    Source,
    Subscription,
    Survey,
    SurveyResponse,
    VotingRule,
)
from insyn.goals.models import Assignment, AssignmentKind, Goal
from insyn.organisations.models import Organisation
from insyn.organisations.selectors import current_municipality

LOGIN_TOKEN_TTL = dt.timedelta(minutes=30)
CONFIRM_MAX_AGE = 7 * 24 * 3600
SUBSCRIBE_SALT = "insyn.dialogue.subscribe"
UNSUBSCRIBE_SALT = "insyn.dialogue.unsubscribe"
MAX_TEXT = 5000


# The old name, kept briefly so branches written before insyn.core.errors still work; use
# ServiceError.
DialogueError = ServiceError


class PublishRefused(ServiceError):
    pass


class CloseRefused(ServiceError):
    pass


class BallotRefused(ServiceError):
    pass


class MeetingFull(ServiceError):
    pass


class SurveyInvalid(ServiceError):
    def __init__(self, errors: Mapping[int, str]) -> None:
        super().__init__(
            _("Svaren kunde inte skickas. Rätta det som är markerat."), list(errors.values())
        )
        self.errors = dict(errors)


def _as_history_user(obj: Any, by: Any) -> Any:
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by
    return obj


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- The register ------------------------------------------------------------------------------

REGISTER_FIELDS = [
    "title",
    "question",
    "initiator",
    "responsible_board",
    "politically_decided",
    "purpose",
    "ladder_steps",
    "result_use",
    "decision_maker",
    "target_groups",
    "methods",
    "whole_municipality",
    "starts_on",
    "ends_on",
    "feedback_on",
    "earlier_dialogues_note",
    "identity_level",
]
REGISTER_RELATIONS = [
    "affected_organisations",
    "districts",
    "goals",
    "assignments",
    "earlier_dialogues",
]


@transaction.atomic
def dialogue_save(
    *,
    dialogue: Dialogue | None,
    fields: Mapping[str, Any],
    relations: Mapping[str, Iterable[Any]],
    by: Any,
) -> Dialogue:
    """Create or update a register entry; newly affected organisations are notified.

    A published dialogue must stay publishable: an edit that empties a required field is refused.
    """
    creating = dialogue is None
    if dialogue is None:
        dialogue = Dialogue(created_by=by if getattr(by, "is_authenticated", False) else None)
    unknown = set(fields) - set(REGISTER_FIELDS)
    if unknown:
        raise ValueError(f"unknown register fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(dialogue, name, value)
    dialogue.ladder_steps = [s for s in LadderStep.values if s in (dialogue.ladder_steps or [])]
    dialogue.methods = [m for m in MethodKind.values if m in (dialogue.methods or [])]
    if dialogue.ends_on and dialogue.starts_on and dialogue.ends_on < dialogue.starts_on:
        raise ServiceError(_("Slutdatum kan inte vara före startdatum."))
    before = (
        set() if creating else set(dialogue.affected_organisations.values_list("pk", flat=True))
    )
    _as_history_user(dialogue, by).save()
    for name in REGISTER_RELATIONS:
        if name in relations:
            values = list(relations[name])
            if name == "earlier_dialogues":
                values = [d for d in values if getattr(d, "pk", d) != dialogue.pk]
            getattr(dialogue, name).set(values)
    if dialogue.is_public:
        problems = publication_blockers(dialogue)
        if problems:
            raise PublishRefused(
                _("En publicerad dialog måste ha alla obligatoriska uppgifter."), problems
            )
        index_dialogue(dialogue)
    added = [org for org in dialogue.affected_organisations.all() if org.pk not in before]
    notify_affected(dialogue, added)
    return dialogue


def notify_affected(dialogue: Dialogue, organisations: Iterable[Organisation]) -> int:
    """Queue a coordination notice to each organisation's notice address (once per dialogue)."""
    sent = 0
    board = dialogue.responsible_board.name if dialogue.responsible_board_id else _("okänd")
    for org in organisations:
        if not org.email:
            continue
        body = _(
            '%(board)s planerar dialogen "%(title)s" och har angett att %(org)s berörs.\n\n'
            "Enligt riktlinjen för dialog ska kommunen uppträda som en kommun: lämna gärna "
            "synpunkter, underlag från tidigare dialoger eller önskemål om samordning här:\n"
            "%(url)s\n"
        ) % {
            "board": board,
            "title": dialogue.title,
            "org": org.name,
            "url": _absolute(dialogue.get_staff_url()),
        }
        if queue_email(
            org.email,
            _("Samordning av dialog: %(title)s") % {"title": dialogue.title},
            body,
            dedupe_key=f"dialogue:{dialogue.pk}:affected:{org.pk}",
        ):
            sent += 1
    return sent


def publication_blockers(dialogue: Dialogue) -> list[str]:
    """What the guideline still needs before the dialogue may be published (Swedish)."""
    missing: list[str] = []

    def need(condition: bool, text: str) -> None:
        if not condition:
            missing.append(text)

    need(bool(dialogue.title.strip()), _("Titel saknas."))
    need(bool(dialogue.question.strip()), _("Dialogfrågan saknas."))
    need(bool(dialogue.initiator), _("Ange varifrån initiativet kom."))
    need(
        dialogue.responsible_board_id is not None,
        _("Ange ansvarig nämnd (dialogansvaret följer verksamheten)."),
    )
    need(bool(dialogue.purpose.strip()), _("Syftet saknas (det ska vara tydligt för målgruppen)."))
    need(
        bool(dialogue.ladder_steps),
        _("Ange minst en matchningspunkt på delaktighetstrappan (graden av inflytande)."),
    )
    need(bool(dialogue.result_use.strip()), _("Beskriv hur resultatet ska användas."))
    need(bool(dialogue.decision_maker.strip()), _("Ange vem som beslutar."))
    need(bool(dialogue.target_groups.strip()), _("Ange målgrupper."))
    need(bool(dialogue.methods), _("Ange minst en metod."))
    need(
        dialogue.whole_municipality or (dialogue.pk is not None and dialogue.districts.exists()),
        _("Ange område eller att dialogen gäller hela kommunen."),
    )
    need(
        dialogue.starts_on is not None and dialogue.ends_on is not None,
        _("Ange när dialogen startar och slutar."),
    )
    need(dialogue.feedback_on is not None, _("Ange datum för återkoppling till deltagarna."))
    if dialogue.feedback_on and dialogue.ends_on and dialogue.feedback_on < dialogue.ends_on:
        missing.append(_("Återkopplingen kan inte ske innan dialogen har slutat."))
    need(
        bool(dialogue.earlier_dialogues_note.strip())
        or (dialogue.pk is not None and dialogue.earlier_dialogues.exists()),
        _("Ange vilka tidigare dialoger och underlag som tagits tillvara (eller att inga finns)."),
    )
    need(
        bool(dialogue.anchored_with.strip()),
        _("Förankringen: ange med vem dialogen är förankrad bland förtroendevalda."),
    )
    need(bool(dialogue.anchored_body.strip()), _("Förankringen: ange i vilket organ."))
    need(dialogue.anchored_on is not None, _("Förankringen: ange datum."))
    return missing


@transaction.atomic
def dialogue_record_anchoring(
    *, dialogue: Dialogue, anchored_with: str, anchored_body: str, anchored_on: dt.date, by: Any
) -> Dialogue:
    if not (anchored_with.strip() and anchored_body.strip() and anchored_on):
        raise ServiceError(_("Ange vem, vilket organ och datum för förankringen."))
    if anchored_on > timezone.localdate():
        raise ServiceError(_("Förankringen kan inte ha skett i framtiden."))
    dialogue.anchored_with = anchored_with.strip()
    dialogue.anchored_body = anchored_body.strip()
    dialogue.anchored_on = anchored_on
    _as_history_user(dialogue, by).save()
    return dialogue


@transaction.atomic
def dialogue_publish(*, dialogue: Dialogue, by: Any) -> Dialogue:
    caller, dialogue = dialogue, Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.state != DialogueState.DRAFT:
        raise PublishRefused(_("Dialogen är redan publicerad."))
    problems = publication_blockers(dialogue)
    if problems:
        raise PublishRefused(_("Dialogen kan inte publiceras ännu."), problems)
    dialogue.state = DialogueState.PUBLISHED
    dialogue.published_at = timezone.now()
    _as_history_user(dialogue, by).save()
    index_dialogue(dialogue)
    caller.refresh_from_db()
    return dialogue


@transaction.atomic
def feedback_save(
    *, dialogue: Dialogue, summary: str, usage: str, decision: str, by: Any
) -> Dialogue:
    """Save the feedback texts (a draft until `feedback_publish`; later edits are kept)."""
    dialogue.feedback_summary = summary.strip()
    dialogue.feedback_usage = usage.strip()
    dialogue.feedback_decision = decision.strip()
    if dialogue.feedback_published and not (
        dialogue.feedback_summary and dialogue.feedback_usage and dialogue.feedback_decision
    ):
        raise ServiceError(_("Publicerad återkoppling kan inte tömmas."))
    _as_history_user(dialogue, by).save()
    if dialogue.feedback_published:
        index_dialogue(dialogue)
    return dialogue


def feedback_blockers(dialogue: Dialogue) -> list[str]:
    missing = []
    if not dialogue.feedback_summary.strip():
        missing.append(_("Resultatet i sammanfattning saknas."))
    if not dialogue.feedback_usage.strip():
        missing.append(_("Beskriv hur resultatet har använts."))
    if not dialogue.feedback_decision.strip():
        missing.append(_("Ange vilket beslut resultatet har varit underlag för."))
    return missing


@transaction.atomic
def feedback_publish(*, dialogue: Dialogue, by: Any) -> int:
    """Publish the feedback and notify subscribers and signed-in participants; returns count."""
    caller, dialogue = dialogue, Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if not dialogue.is_public:
        raise ServiceError(_("Dialogen måste vara publicerad innan återkopplingen publiceras."))
    problems = feedback_blockers(dialogue)
    if problems:
        raise ServiceError(_("Återkopplingen kan inte publiceras ännu."), problems)
    if dialogue.feedback_published_at is None:
        dialogue.feedback_published_at = timezone.now()
        _as_history_user(dialogue, by).save()
    index_dialogue(dialogue)
    caller.refresh_from_db()
    return _notify_feedback(dialogue)


def _feedback_body(dialogue: Dialogue) -> str:
    return _(
        'Återkoppling från dialogen "%(title)s"\n\n'
        "Resultatet:\n%(summary)s\n\nSå har resultatet använts:\n%(usage)s\n\n"
        "Beslut som resultatet har varit underlag för:\n%(decision)s\n\n"
        "Läs mer: %(url)s\n"
    ) % {
        "title": dialogue.title,
        "summary": dialogue.feedback_summary,
        "usage": dialogue.feedback_usage,
        "decision": dialogue.feedback_decision,
        "url": _absolute(dialogue.get_absolute_url()),
    }


def _notify_feedback(dialogue: Dialogue) -> int:
    subject = _("Återkoppling: %(title)s") % {"title": dialogue.title}
    body = _feedback_body(dialogue)
    key = f"dialogue:{dialogue.pk}:feedback"
    queued = 0
    notified: set[str] = set()
    for sub in dialogue.subscriptions.filter(confirmed_at__isnull=False):
        token = signing.dumps(sub.pk, salt=UNSUBSCRIBE_SALT)
        link = _absolute(reverse("dialogue:unsubscribe", args=[token]))
        text = body + "\n" + _("Avsluta prenumerationen: %(link)s\n") % {"link": link}
        notified.add(sub.email.lower())
        queued += queue_email(sub.email, subject, text, dedupe_key=key)
    for email in participant_emails(dialogue):
        if email.lower() in notified:
            continue
        notified.add(email.lower())
        queued += queue_email(email, subject, body, dedupe_key=key)
    return queued


def participant_emails(dialogue: Dialogue) -> list[str]:
    """Email addresses of signed-in participants and meeting registrants of the dialogue."""
    ids: set[int] = set()
    ids.update(
        SurveyResponse.objects.filter(
            survey__dialogue=dialogue, participant__isnull=False
        ).values_list("participant_id", flat=True)
    )
    ids.update(
        Post.objects.filter(discussion__dialogue=dialogue, participant__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    ids.update(
        Proposal.objects.filter(budget__dialogue=dialogue, participant__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    ids.update(
        Ballot.objects.filter(budget__dialogue=dialogue, participant__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    emails = list(
        Participant.objects.filter(pk__in=ids).exclude(email="").values_list("email", flat=True)
    )
    emails += list(
        Registration.objects.filter(meeting__dialogue=dialogue)
        .exclude(email__endswith=".invalid")
        .values_list("email", flat=True)
    )
    return sorted(set(emails), key=str.lower)


@transaction.atomic
def dialogue_close(*, dialogue: Dialogue, by: Any) -> Dialogue:
    caller, dialogue = dialogue, Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.state != DialogueState.PUBLISHED:
        raise CloseRefused(_("Bara en publicerad dialog kan avslutas."))
    if not dialogue.feedback_published:
        raise CloseRefused(
            _("Dialogen kan inte avslutas förrän återkopplingen är publicerad."),
            feedback_blockers(dialogue) or [_("Publicera återkopplingen först.")],
        )
    dialogue.state = DialogueState.CLOSED
    dialogue.closed_at = timezone.now()
    _as_history_user(dialogue, by).save()
    dialogue.surveys.update(is_open=False)
    dialogue.discussions.update(is_open=False)
    dialogue.meetings.update(registration_open=False)
    dialogue.budgets.filter(phase__in=[BudgetPhase.PROPOSALS, BudgetPhase.ASSESSMENT]).update(
        phase=BudgetPhase.CLOSED
    )
    for budget in dialogue.budgets.filter(phase=BudgetPhase.VOTING):
        budget_close_voting(budget=budget, by=by)
    index_dialogue(dialogue)
    caller.refresh_from_db()
    return dialogue


def coordination_comment_add(
    *, dialogue: Dialogue, organisation: Organisation | None, author: Any, body: str
) -> CoordinationComment:
    if not body.strip():
        raise ServiceError(_("Skriv en kommentar."))
    return CoordinationComment.objects.create(
        dialogue=dialogue, organisation=organisation, author=author, body=body.strip()[:MAX_TEXT]
    )


def outreach_record(
    *,
    dialogue: Dialogue,
    done_on: dt.date,
    description: str,
    district: District | None,
    age_band: str,
    by: Any,
) -> Outreach:
    if not description.strip():
        raise ServiceError(_("Beskriv vad som gjordes."))
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    outreach = Outreach(
        dialogue=dialogue,
        done_on=done_on,
        description=description.strip(),
        district=district,
        age_band=age_band,
        created_by=by,
    )
    _as_history_user(outreach, by).save()
    return outreach


# --- Search (only published material, never personal data) -----------------------------------


def _search_body(dialogue: Dialogue) -> str:
    parts = [
        dialogue.question,
        dialogue.purpose,
        dialogue.result_use,
        dialogue.target_groups,
        " ".join(dialogue.ladder_step_labels()),
        " ".join(dialogue.method_labels()),
        " ".join(d.name for d in dialogue.districts.all()),
    ]
    for survey in dialogue.surveys.all():
        parts.append(survey.title)
        if survey.summary_published_at:
            parts.append(survey.summary)
    for budget in dialogue.budgets.all():
        parts.append(budget.title)
        if budget.phase == BudgetPhase.RESULTS:
            parts.extend(p.title for p in budget.proposals.filter(is_winner=True))
    for meeting in dialogue.meetings.all():
        parts.append(meeting.title)
        if meeting.notes_published:
            parts.append(meeting.notes)
    if dialogue.feedback_published:
        parts += [dialogue.feedback_summary, dialogue.feedback_usage, dialogue.feedback_decision]
    return "\n".join(p for p in parts if p)


def index_dialogue(dialogue: Dialogue) -> None:
    from insyn.search import services as search

    key = f"dialogue.dialogue:{dialogue.pk}"
    if not dialogue.is_public:
        search.remove_document(key)
        return
    year = (dialogue.starts_on or timezone.localdate()).year
    search.index_document(
        object_key=key,
        kind="dialogue",
        url=dialogue.get_absolute_url(),
        title=dialogue.title,
        body=_search_body(dialogue),
        year=year,
    )


# --- Subscriptions (double opt-in) -------------------------------------------------------------


@transaction.atomic
def subscribe(*, dialogue: Dialogue, email: str) -> Subscription:
    """Record the wish and send a confirmation link; nothing is sent before it is confirmed."""
    email = email.strip()
    if not dialogue.is_public:
        raise ServiceError(_("Dialogen finns inte."))
    if dialogue.feedback_published and dialogue.state == DialogueState.CLOSED:
        raise ServiceError(_("Återkopplingen är redan publicerad; du kan läsa den på sidan."))
    sub = Subscription.objects.filter(dialogue=dialogue, email__iexact=email).first()
    if sub is None:
        try:
            with transaction.atomic():
                sub = Subscription.objects.create(dialogue=dialogue, email=email)
        except IntegrityError:
            sub = Subscription.objects.get(dialogue=dialogue, email__iexact=email)
    if sub.confirmed_at is None:
        token = signing.dumps(sub.pk, salt=SUBSCRIBE_SALT)
        link = _absolute(reverse("dialogue:subscription_confirm", args=[token]))
        body = _(
            "Du (eller någon annan) har bett om att få återkopplingen från dialogen "
            '"%(title)s" med e-post.\n\nBekräfta här: %(link)s\n\nOm det inte var du behöver '
            "du inte göra något; då skickar vi inget mer.\n"
        ) % {"title": dialogue.title, "link": link}
        queue_email(
            sub.email,
            _("Bekräfta prenumeration: %(title)s") % {"title": dialogue.title},
            body,
            dedupe_key=f"dialogue:subscribe:{sub.pk}:{timezone.localdate()}",
        )
    return sub


def _load_signed(token: str, salt: str, max_age: int | None) -> int | None:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def subscription_from_token(token: str, *, unsubscribe: bool) -> Subscription | None:
    pk = _load_signed(
        token,
        UNSUBSCRIBE_SALT if unsubscribe else SUBSCRIBE_SALT,
        None if unsubscribe else CONFIRM_MAX_AGE,
    )
    if pk is None:
        return None
    return Subscription.objects.select_related("dialogue").filter(pk=pk).first()


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscription | None:
    sub = subscription_from_token(token, unsubscribe=False)
    if sub is not None and sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
    return sub


def unsubscribe_link(sub: Subscription) -> str:
    return reverse("dialogue:unsubscribe", args=[signing.dumps(sub.pk, salt=UNSUBSCRIBE_SALT)])


@transaction.atomic
def subscription_cancel(*, token: str) -> Dialogue | None:
    sub = subscription_from_token(token, unsubscribe=True)
    if sub is None:
        return None
    dialogue = sub.dialogue
    sub.delete()
    return dialogue


# --- Participants: one-time link, e-ID, own data -----------------------------------------------


def _participant_for_email(email: str) -> Participant:
    email = email.strip()
    participant = Participant.objects.filter(email__iexact=email).first()
    if participant is not None:
        return participant
    try:
        with transaction.atomic():
            return Participant.objects.create(email=email)
    except IntegrityError:  # someone created it at the same moment
        return Participant.objects.get(email__iexact=email)


# At most this many sign-in links to one recipient per window, whoever asks (issue 12 finding 6).
LOGIN_MAILS_PER_RECIPIENT = 3
LOGIN_MAIL_WINDOW = dt.timedelta(hours=1)


def recipient_key(email: str) -> str:
    """A hash of the address as a mailbox receives it: case folded, sub-address (+tag) dropped,
    so that variants of one address share one throttle."""
    local, _sep, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    return _hash(f"{local}@{domain}")


@transaction.atomic
def participant_request_login(*, email: str, next_url: str = "") -> bool:
    """Send a one-time sign-in link (valid 30 minutes, usable once). Says nothing about whether
    the address was known. Creates no participant until the link is used, and sends at most
    LOGIN_MAILS_PER_RECIPIENT links per LOGIN_MAIL_WINDOW to one recipient: False when
    throttled (the page says the same either way)."""
    now = timezone.now()
    email = email.strip()
    recipient = recipient_key(email)
    recent = LoginToken.objects.filter(
        recipient=recipient, created_at__gte=now - LOGIN_MAIL_WINDOW
    ).count()
    if recent >= LOGIN_MAILS_PER_RECIPIENT:
        return False
    # Links nobody used keep an address that belongs to nobody: gone once they cannot count.
    LoginToken.objects.filter(
        participant__isnull=True, expires_at__lt=now - LOGIN_MAIL_WINDOW
    ).delete()
    raw = secrets.token_urlsafe(32)
    token = LoginToken.objects.create(
        email=email,
        recipient=recipient,
        token_hash=_hash(raw),
        next_url=next_url[:300],
        expires_at=now + LOGIN_TOKEN_TTL,
    )
    link = _absolute(reverse("dialogue:login_confirm", args=[raw]))
    body = _(
        "Här är din inloggningslänk till Insyn dialog. Den gäller i 30 minuter och kan bara "
        "användas en gång:\n\n%(link)s\n\nOm du inte bad om den kan du bortse från det här "
        "meddelandet.\n"
    ) % {"link": link}
    queue_email(
        email,
        _("Din inloggningslänk"),
        body,
        dedupe_key=f"dialogue:login:{token.token_hash[:32]}",
    )
    return True


def login_token_valid(raw: str) -> bool:
    return LoginToken.objects.filter(
        token_hash=_hash(raw), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


@transaction.atomic
def participant_consume_login(*, raw_token: str) -> tuple[Participant, str] | None:
    """Use the token once: a conditional UPDATE means two clicks cannot both sign in."""
    now = timezone.now()
    token_hash = _hash(raw_token)
    claimed = LoginToken.objects.filter(
        token_hash=token_hash, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        return None
    token = LoginToken.objects.select_related("participant").get(token_hash=token_hash)
    participant = token.participant
    if participant is None:  # the first use of the link: only now is there a participant
        participant = _participant_for_email(token.email)
        token.participant = participant
        token.email = ""  # the address lives on the participant from now on
        token.save(update_fields=["participant", "email"])
    if participant.email_verified_at is None:
        participant.email_verified_at = now
        participant.save(update_fields=["email_verified_at"])
    return participant, token.next_url


@transaction.atomic
def participant_from_eid(*, issuer: str, subject: str, email: str = "") -> Participant:
    """The participant for an e-ID broker's pseudonymous subject (only its hash is kept)."""
    if not subject:
        raise ServiceError(_("E-legitimationen gav ingen identitet."))
    digest = _hash(f"{issuer}|{subject}")
    now = timezone.now()
    participant = Participant.objects.filter(eid_subject=digest).first()
    if participant is None and email:
        participant = Participant.objects.filter(email__iexact=email).first()
    if participant is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(eid_subject=digest)
        except IntegrityError:
            participant = Participant.objects.get(eid_subject=digest)
    participant.eid_subject = digest
    participant.eid_verified_at = now
    participant.save(update_fields=["eid_subject", "eid_verified_at"])
    return participant


def participant_update_profile(
    *, participant: Participant, district: District | None, age_band: str
) -> Participant:
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    participant.district = district
    participant.age_band = age_band
    participant.save(update_fields=["district", "age_band"])
    return participant


@transaction.atomic
def participant_delete(*, participant: Participant) -> None:
    """Delete the person; their contributions stay, anonymised (no link, no name, no email).

    A ballot in a vote that is still open is withdrawn (otherwise deleting and signing in again
    would allow a second vote); ballots in finished votes stay, without owner.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    Ballot.objects.filter(participant=participant, budget__phase=BudgetPhase.VOTING).delete()
    Post.objects.filter(participant=participant).update(author_name="")
    bump_publication_version()  # the name leaves every public page now
    emails = [participant.email] if participant.email else []
    registrations = Registration.objects.filter(participant=participant)
    for email in emails:
        registrations = registrations | Registration.objects.filter(email__iexact=email)
    now = timezone.now()
    for registration in registrations.select_related("meeting"):
        if registration.meeting.starts_at > now:
            registration.delete()
        else:
            registration.name = ""
            registration.email = f"borttagen-{registration.pk}@example.invalid"
            registration.needs = ""
            registration.participant = None
            registration.save(update_fields=["name", "email", "needs", "participant"])
    for email in emails:
        Subscription.objects.filter(email__iexact=email).delete()
    participant.delete()  # contributions: participant SET NULL


# --- Surveys -----------------------------------------------------------------------------------


def survey_create(
    *,
    dialogue: Dialogue,
    title: str,
    intro: str = "",
    requires_sign_in: bool = False,
    closes_at: dt.datetime | None = None,
    by: Any = None,
) -> Survey:
    survey = Survey(
        dialogue=dialogue,
        title=title,
        intro=intro,
        requires_sign_in=requires_sign_in,
        closes_at=closes_at,
    )
    _as_history_user(survey, by).save()
    return survey


@transaction.atomic
def question_add(
    *,
    survey: Survey,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    required: bool = False,
    help_text: str = "",
    scale_min: int = 1,
    scale_max: int = 5,
    scale_min_label: str = "",
    scale_max_label: str = "",
) -> Question:
    if kind not in QuestionKind.values:
        raise ServiceError(_("Okänd frågetyp."))
    if survey.responses.exists():
        raise ServiceError(_("Frågor kan inte läggas till när enkäten har fått svar."))
    options = [o.strip() for o in options if o.strip()]
    if (
        kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
        and len(options) < 2
    ):
        raise ServiceError(_("Frågan behöver minst två svarsalternativ."))
    if kind == QuestionKind.SCALE and not (scale_min < scale_max <= scale_min + 10):
        raise ServiceError(_("Skalan ska ha mellan två och elva steg."))
    order = survey.questions.count() + 1
    question = Question.objects.create(
        survey=survey,
        order=order,
        kind=kind,
        text=text.strip(),
        help_text=help_text,
        required=required,
        scale_min=scale_min,
        scale_max=scale_max,
        scale_min_label=scale_min_label,
        scale_max_label=scale_max_label,
    )
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING):
        from insyn.dialogue.models import Option

        Option.objects.bulk_create(
            Option(question=question, order=i, text=t) for i, t in enumerate(options, start=1)
        )
    return question


def _to_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _answers_for(question: Question, raw: Any, errors: dict[int, str]) -> list[Answer]:
    """Validate one question's raw input and turn it into Answer rows (unsaved)."""
    option_ids = {o.pk for o in question.options.all()}
    answers: list[Answer] = []
    kind = question.kind
    if kind == QuestionKind.SINGLE:
        value = _to_int(raw) if raw not in (None, "") else None
        if value is not None:
            if value not in option_ids:
                errors[question.pk] = _("Välj ett av alternativen.")
            else:
                answers.append(Answer(question=question, option_id=value))
    elif kind == QuestionKind.MULTIPLE:
        values = {_to_int(v) for v in (raw or [])}
        if not values <= option_ids:
            errors[question.pk] = _("Välj bland alternativen.")
        else:
            answers += [Answer(question=question, option_id=v) for v in sorted(values)]
    elif kind == QuestionKind.SCALE:
        if raw not in (None, ""):
            value = _to_int(raw)
            if value is None or not question.scale_min <= value <= question.scale_max:
                errors[question.pk] = _("Välj ett värde på skalan.")
            else:
                answers.append(Answer(question=question, value=value))
    elif kind == QuestionKind.RANKING:
        ranks = {k: _to_int(v) for k, v in (raw or {}).items() if v not in (None, "")}
        if ranks:
            if set(ranks) - option_ids or None in ranks.values():
                errors[question.pk] = _("Rangordna bland alternativen.")
            elif sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
                errors[question.pk] = _(
                    "Ge varje alternativ en egen plats (1, 2, 3 …) utan att hoppa över någon."
                )
            else:
                answers += [
                    Answer(question=question, option_id=k, value=v)
                    for k, v in sorted(ranks.items(), key=lambda kv: kv[1])
                ]
    elif kind == QuestionKind.TEXT:
        text = (raw or "").strip()
        if len(text) > MAX_TEXT:
            errors[question.pk] = _("Svaret är för långt (högst 5 000 tecken).")
        elif text:
            answers.append(Answer(question=question, text=text))
    if question.required and not answers and question.pk not in errors:
        errors[question.pk] = _("Frågan måste besvaras.")
    return answers


@transaction.atomic
def survey_submit(
    *,
    survey: Survey,
    answers: Mapping[int, Any],
    participant: Participant | None = None,
    district: District | None = None,
    age_band: str = "",
    source: str = Source.ONLINE,
    entered_by: Any = None,
) -> SurveyResponse:
    """Store one response. `answers` maps question id to: an option id (single), option ids
    (multiple), a number (scale), {option id: rank} (ranking) or text."""
    offline = source != Source.ONLINE
    if offline:
        if entered_by is None or survey.dialogue.state == DialogueState.CLOSED:
            raise ServiceError(_("Svar på papper kan bara föras in av personal före avslut."))
    elif not survey.accepting:
        raise ServiceError(_("Enkäten tar inte emot svar."))
    if survey.requires_sign_in and not offline:
        if participant is None:
            raise ServiceError(_("Logga in för att svara på den här enkäten."))
        if not participant.meets(survey.dialogue.identity_level):
            raise ServiceError(_("Enkäten kräver inloggning med e-legitimation."))
        if SurveyResponse.objects.filter(survey=survey, participant=participant).exists():
            raise ServiceError(_("Du har redan svarat på enkäten."))
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    errors: dict[int, str] = {}
    rows: list[Answer] = []
    for question in survey.questions.prefetch_related("options"):
        rows += _answers_for(question, answers.get(question.pk), errors)
    if errors:
        raise SurveyInvalid(errors)
    if not rows:
        raise SurveyInvalid({0: _("Svara på minst en fråga.")})
    if participant is not None and not offline:
        district = district or participant.district
        age_band = age_band or participant.age_band
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey,
                participant=participant if survey.requires_sign_in else None,
                district=district,
                age_band=age_band,
                source=source,
                entered_by=entered_by,
            )
    except IntegrityError as exc:
        raise ServiceError(_("Du har redan svarat på enkäten.")) from exc
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


def survey_close(*, survey: Survey, by: Any) -> Survey:
    survey.is_open = False
    _as_history_user(survey, by).save()
    return survey


@transaction.atomic
def survey_publish_summary(*, survey: Survey, summary: str, by: Any) -> Survey:
    if survey.accepting:
        raise ServiceError(_("Sammanfattningen publiceras när enkäten har stängt."))
    if not summary.strip():
        raise ServiceError(_("Skriv en sammanfattning av resultatet."))
    survey.summary = summary.strip()
    survey.summary_published_at = survey.summary_published_at or timezone.now()
    _as_history_user(survey, by).save()
    index_dialogue(survey.dialogue)
    return survey


# --- Discussions -------------------------------------------------------------------------------


def discussion_create(
    *, dialogue: Dialogue, title: str, intro: str = "", premoderation: bool = False, rules: str = ""
) -> Discussion:
    discussion = Discussion(
        dialogue=dialogue, title=title, intro=intro, premoderation=premoderation
    )
    if rules.strip():
        discussion.rules = rules.strip()
    discussion.save()
    return discussion


@transaction.atomic
def post_submit(
    *,
    discussion: Discussion,
    body: str,
    author_name: str = "",
    parent: Post | None = None,
    participant: Participant | None = None,
    district: District | None = None,
    age_band: str = "",
    source: str = Source.ONLINE,
    entered_by: Any = None,
) -> Post:
    if not discussion.accepting:
        raise ServiceError(_("Diskussionen tar inte emot inlägg."))
    body = body.strip()
    if not body:
        raise ServiceError(_("Skriv ett inlägg."))
    if len(body) > MAX_TEXT:
        raise ServiceError(_("Inlägget är för långt (högst 5 000 tecken)."))
    if parent is not None:
        if parent.discussion_id != discussion.pk or parent.state != PostState.VISIBLE:
            raise ServiceError(_("Inlägget du svarar på finns inte."))
        parent = parent.parent or parent  # replies are one level deep
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    state = PostState.PENDING if discussion.premoderation else PostState.VISIBLE
    return Post.objects.create(
        discussion=discussion,
        parent=parent,
        body=body,
        author_name=author_name.strip()[:80],
        participant=participant,
        district=district,
        age_band=age_band,
        state=state,
        source=source,
        entered_by=entered_by,
    )


@transaction.atomic
def post_report(*, post: Post, reason: str) -> PostReport:
    if post.state != PostState.VISIBLE:
        raise ServiceError(_("Inlägget finns inte."))
    reason = reason.strip() or _("Ingen motivering angavs.")
    report = PostReport.objects.create(post=post, reason=reason[:300])
    Post.objects.filter(pk=post.pk).update(report_count=F("report_count") + 1)
    return report


@transaction.atomic
def post_hide(*, post: Post, reason: str, by: Any) -> Post:
    if not reason.strip():
        raise ServiceError(
            _("Ange skälet till att inlägget döljs; skälet visas i stället för inlägget.")
        )
    post.state = PostState.HIDDEN
    post.hidden_reason = reason.strip()[:300]
    post.moderated_by = by
    post.moderated_at = timezone.now()
    _as_history_user(post, by).save()
    post.reports.filter(handled_at__isnull=True).update(handled_at=timezone.now())
    return post


@transaction.atomic
def post_approve(*, post: Post, by: Any) -> Post:
    post.state = PostState.VISIBLE
    post.hidden_reason = ""
    post.moderated_by = by
    post.moderated_at = timezone.now()
    _as_history_user(post, by).save()
    post.reports.filter(handled_at__isnull=True).update(handled_at=timezone.now())
    return post


# --- Proposals and participatory budget -----------------------------------------------------


RULES_NEEDING_N = {
    VotingRule.CHOOSE_N: _("Ange hur många förslag varje person får välja."),
    VotingRule.RANKING: _("Ange hur många förslag varje person får rangordna."),
    VotingRule.POINTS: _("Ange hur många poäng varje person får fördela."),
}


def _check_rules(rule: str, counting: str, max_choices: int | None) -> None:
    if rule not in VotingRule.values:
        raise ServiceError(_("Okänd röstningsregel."))
    if counting not in CountingRule.values:
        raise ServiceError(_("Okänt sätt att räkna rösterna."))
    if rule in RULES_NEEDING_N and not max_choices:
        raise ServiceError(str(RULES_NEEDING_N[rule]))
    if max_choices is not None and not 1 <= max_choices <= 1000:
        raise ServiceError(_("Antalet måste vara mellan 1 och 1 000."))


def budget_create(
    *,
    dialogue: Dialogue,
    title: str,
    amount: int,
    rule: str,
    max_choices: int | None = None,
    counting: str = CountingRule.GREEDY,
    intro: str = "",
    by: Any = None,
) -> Budget:
    _check_rules(rule, counting, max_choices)
    if amount <= 0:
        raise ServiceError(_("Budgeten måste vara större än noll."))
    budget = Budget(
        dialogue=dialogue,
        title=title,
        amount=amount,
        rule=rule,
        counting=counting,
        max_choices=max_choices if rule in RULES_NEEDING_N else None,
        intro=intro,
    )
    _as_history_user(budget, by).save()
    return budget


@transaction.atomic
def budget_set_rules(
    *, budget: Budget, rule: str, counting: str, max_choices: int | None, by: Any
) -> Budget:
    """Change the ballot and the counting rule — only before voting opens, so that everyone
    votes knowing how the votes will be counted."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.phase in (BudgetPhase.VOTING, BudgetPhase.CLOSED, BudgetPhase.RESULTS):
        raise ServiceError(
            _("Röstningsregeln och räknesättet kan inte ändras när omröstningen har öppnat.")
        )
    _check_rules(rule, counting, max_choices)
    budget.rule, budget.counting = rule, counting
    budget.max_choices = max_choices if rule in RULES_NEEDING_N else None
    _as_history_user(budget, by).save()
    return budget


@transaction.atomic
def proposal_submit(
    *,
    budget: Budget,
    title: str,
    description: str,
    place: str = "",
    participant: Participant | None = None,
    district: District | None = None,
    age_band: str = "",
    source: str = Source.ONLINE,
    entered_by: Any = None,
) -> Proposal:
    if not budget.accepting_proposals and source == Source.ONLINE:
        raise ServiceError(_("Det går inte att lämna förslag just nu."))
    if not title.strip() or not description.strip():
        raise ServiceError(_("Ge förslaget en rubrik och en beskrivning."))
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    return Proposal.objects.create(
        budget=budget,
        title=title.strip()[:200],
        description=description.strip()[:MAX_TEXT],
        place=place.strip()[:200],
        participant=participant,
        district=district,
        age_band=age_band,
        source=source,
        entered_by=entered_by,
    )


@transaction.atomic
def proposal_assess(
    *, proposal: Proposal, feasible: bool, cost: int | None, answer: str, by: Any
) -> Proposal:
    """Staff's feasibility and cost, with a public answer to the proposer and everyone."""
    budget = proposal.budget
    if budget.phase in (BudgetPhase.VOTING, BudgetPhase.CLOSED, BudgetPhase.RESULTS):
        raise ServiceError(_("Förslag kan inte bedömas om när omröstningen har börjat."))
    if not answer.strip():
        raise ServiceError(_("Skriv kommunens svar; det visas för alla."))
    if feasible:
        if not cost or cost <= 0:
            raise ServiceError(_("Ett genomförbart förslag behöver en beräknad kostnad."))
        if cost > budget.amount:
            raise ServiceError(_("Förslaget kostar mer än hela budgeten."))
    proposal.state = ProposalState.FEASIBLE if feasible else ProposalState.NOT_FEASIBLE
    proposal.cost = cost
    proposal.answer = answer.strip()
    proposal.assessed_by = by
    proposal.assessed_at = timezone.now()
    _as_history_user(proposal, by).save()
    return proposal


@transaction.atomic
def budget_set_phase(
    *, budget: Budget, phase: str, by: Any, voting_closes_at: dt.datetime | None = None
) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    order = BudgetPhase.values
    if phase not in order or order.index(phase) < order.index(budget.phase):
        raise ServiceError(_("Fasen kan bara flyttas framåt."))
    if phase == BudgetPhase.VOTING:
        if not budget.proposals.filter(state=ProposalState.FEASIBLE).exists():
            raise ServiceError(_("Minst ett förslag måste vara bedömt som genomförbart."))
        if budget.proposals.filter(state=ProposalState.SUBMITTED).exists():
            raise ServiceError(_("Alla förslag måste vara bedömda innan omröstningen öppnar."))
        budget.voting_closes_at = voting_closes_at
    if phase in (BudgetPhase.CLOSED, BudgetPhase.RESULTS):
        if budget.phase == BudgetPhase.VOTING:
            budget = budget_close_voting(budget=budget, by=by)
        if phase == BudgetPhase.RESULTS:
            return budget_publish_results(budget=budget, by=by)
        return budget
    budget.phase = phase
    _as_history_user(budget, by).save()
    return budget


def check_ballot(
    budget: Budget, proposals: Sequence[Proposal], values: Mapping[int, int] | None = None
) -> None:
    """Raise BallotRefused with a clear Swedish message if the choice breaks the rule.

    `values`: proposal id → rank (ranking, 1 = first) or points (points); 1 otherwise."""
    values = values or {}
    if not proposals:
        raise BallotRefused(_("Välj minst ett förslag."))
    if any(p.budget_id != budget.pk or p.state != ProposalState.FEASIBLE for p in proposals):
        raise BallotRefused(_("Du kan bara rösta på förslag som går till omröstning."))
    n = budget.max_choices or 0
    if budget.rule == VotingRule.WITHIN_BUDGET:
        total = sum(p.cost or 0 for p in proposals)
        if total > budget.amount:
            raise BallotRefused(
                _(
                    "Dina val kostar %(total)s kronor, men budgeten är %(amount)s kronor. "
                    "Ta bort något förslag så att summan ryms i budgeten."
                )
                % {"total": _kr(total), "amount": _kr(budget.amount)}
            )
    elif budget.rule == VotingRule.RANKING:
        ranks = sorted(values.get(p.pk, 0) for p in proposals)
        if len(proposals) > n:
            raise BallotRefused(
                _("Du har rangordnat %(count)s förslag, men du får rangordna högst %(max)s.")
                % {"count": len(proposals), "max": n}
            )
        if ranks != list(range(1, len(proposals) + 1)):
            raise BallotRefused(
                _("Ge förslagen platserna 1, 2, 3 … i följd, och varje plats bara en gång.")
            )
    elif budget.rule == VotingRule.POINTS:
        points = [values.get(p.pk, 0) for p in proposals]
        if any(v < 1 for v in points):
            raise BallotRefused(_("Ge varje förslag du väljer minst 1 poäng."))
        if sum(points) > n:
            raise BallotRefused(
                _("Du har delat ut %(total)s poäng, men du har %(max)s poäng att fördela.")
                % {"total": sum(points), "max": n}
            )
    elif n and len(proposals) > n:
        raise BallotRefused(
            _("Du har valt %(count)s förslag, men du får välja högst %(max)s.")
            % {"count": len(proposals), "max": n}
        )


def _kr(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0")


@transaction.atomic
def cast_ballot(
    *,
    budget: Budget,
    participant: Participant,
    proposal_ids: Iterable[int] = (),
    values: Mapping[int, int] | None = None,
    keep_informed: bool | None = None,
) -> Ballot:
    """Create or replace the participant's ballot. One row per person (UniqueConstraint); the
    row is locked while its choices are replaced, so concurrent casts serialise and the last one
    wins whole. `version` counts successful casts."""
    budget = Budget.objects.select_related("dialogue").get(pk=budget.pk)
    if not budget.voting_open:
        raise BallotRefused(_("Omröstningen är inte öppen."))
    if not participant.meets(budget.dialogue.identity_level):
        raise BallotRefused(_("Den här omröstningen kräver inloggning med e-legitimation."))
    values = {int(k): int(v) for k, v in (values or {}).items() if int(v) > 0}
    ids = sorted({int(i) for i in proposal_ids} | set(values))
    proposals = list(Proposal.objects.filter(pk__in=ids))
    if len(proposals) != len(ids):
        raise BallotRefused(_("Du kan bara rösta på förslag som går till omröstning."))
    check_ballot(budget, proposals, values)
    ballot = (
        Ballot.objects.select_for_update().filter(budget=budget, participant=participant).first()
    )
    if ballot is None:
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(
                    budget=budget,
                    participant=participant,
                    district=participant.district,
                    age_band=participant.age_band,
                )
        except IntegrityError:  # the same person's other request created it a moment ago
            ballot = Ballot.objects.select_for_update().get(budget=budget, participant=participant)
    # The row is locked until commit: a concurrent cast by the same person waits here.
    BallotChoice.objects.filter(ballot=ballot).delete()
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, proposal=p, value=values.get(p.pk, 1)) for p in proposals
    )
    ballot.version += 1
    ballot.district, ballot.age_band = participant.district, participant.age_band
    if keep_informed is not None:
        ballot.keep_informed = keep_informed
    ballot.save(update_fields=["version", "district", "age_band", "keep_informed", "updated_at"])
    return ballot


BALLOT_KINDS = {
    VotingRule.WITHIN_BUDGET: counting.APPROVAL,
    VotingRule.CHOOSE_N: counting.APPROVAL,
    VotingRule.RANKING: counting.RANKING,
    VotingRule.POINTS: counting.POINTS,
}


def count_budget(budget: Budget) -> counting.Outcome:
    """Count the budget's ballots under its rule (and under "most votes first" for comparison)."""
    proposals = list(budget.proposals.filter(state=ProposalState.FEASIBLE).order_by("pk"))
    ballots: dict[int, dict[int, int]] = {}
    for ballot_id, proposal_id, value in BallotChoice.objects.filter(
        ballot__budget=budget, proposal__state=ProposalState.FEASIBLE
    ).values_list("ballot_id", "proposal_id", "value"):
        ballots.setdefault(ballot_id, {})[proposal_id] = value
    return counting.count(
        amount=budget.amount,
        candidates=[counting.Candidate(p.pk, p.cost or 0) for p in proposals],
        ballots=list(ballots.values()),
        ballot_kind=BALLOT_KINDS[budget.rule],
        rule=budget.counting,
        max_rank=budget.max_choices or 0,
    )


def _compute_results(budget: Budget) -> None:
    outcome = count_budget(budget)
    for proposal_id, supporters in outcome.support.items():
        Proposal.objects.filter(pk=proposal_id).update(votes=supporters)
    budget.proposals.update(is_winner=False)
    budget.proposals.filter(pk__in=outcome.winners).update(is_winner=True)
    budget.results = counting.as_json(outcome)
    budget.save(update_fields=["results"])
    bump_publication_version()


@transaction.atomic
def budget_close_voting(*, budget: Budget, by: Any) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.phase != BudgetPhase.VOTING:
        raise ServiceError(_("Omröstningen pågår inte."))
    budget.phase = BudgetPhase.CLOSED
    _as_history_user(budget, by).save()
    _compute_results(budget)
    return budget


@transaction.atomic
def budget_publish_results(*, budget: Budget, by: Any) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.phase == BudgetPhase.VOTING:
        budget_close_voting(budget=budget, by=by)
        budget.refresh_from_db()
    if budget.phase != BudgetPhase.CLOSED:
        raise ServiceError(_("Resultatet kan publiceras när omröstningen har stängt."))
    budget.phase = BudgetPhase.RESULTS
    budget.results_published_at = timezone.now()
    _as_history_user(budget, by).save()
    index_dialogue(budget.dialogue)
    return budget


@transaction.atomic
def proposal_link_assignment(*, proposal: Proposal, assignment: Assignment, by: Any) -> None:
    if not proposal.is_winner:
        raise ServiceError(_("Bara vinnande förslag kopplas till uppdrag."))
    proposal.assignments.add(assignment)
    if not proposal.budget.dialogue.assignments.filter(pk=assignment.pk).exists():
        proposal.budget.dialogue.assignments.add(assignment)


@transaction.atomic
def proposal_create_assignment(
    *, proposal: Proposal, goal: Goal, by: Any, responsible: Organisation | None = None
) -> Assignment:
    """Turn a winning proposal into an assignment (tillkommande uppdrag) under the goal, so its
    implementation is followed up like any other assignment."""
    if not proposal.is_winner:
        raise ServiceError(_("Bara vinnande förslag blir uppdrag."))
    dialogue = proposal.budget.dialogue
    assignment = Assignment(
        goal=goal,
        kind=AssignmentKind.ADDITIONAL,
        title=proposal.title,
        description=_("Vinnande förslag i %(budget)s (%(dialogue)s): %(text)s")
        % {
            "budget": proposal.budget.title,
            "dialogue": dialogue.title,
            "text": proposal.description,
        },
        order=goal.assignments.count() + 1,
    )
    _as_history_user(assignment, by).save()
    board = responsible or dialogue.responsible_board
    if board is not None:
        assignment.responsible_organisations.add(board)
    proposal_link_assignment(proposal=proposal, assignment=assignment, by=by)
    return assignment


# --- Meetings, focus groups, offline input ----------------------------------------------------


def meeting_create(
    *,
    dialogue: Dialogue,
    title: str,
    starts_at: dt.datetime,
    place: str,
    kind: str = "meeting",
    ends_at: dt.datetime | None = None,
    accessibility: str = "",
    capacity: int | None = None,
    by: Any = None,
) -> Meeting:
    if ends_at and ends_at <= starts_at:
        raise ServiceError(_("Mötet måste sluta efter att det börjar."))
    meeting = Meeting(
        dialogue=dialogue,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        kind=kind,
        accessibility=accessibility,
        capacity=capacity,
    )
    _as_history_user(meeting, by).save()
    return meeting


@transaction.atomic
def meeting_register(
    *,
    meeting: Meeting,
    name: str,
    email: str,
    needs: str = "",
    participant: Participant | None = None,
    district: District | None = None,
    age_band: str = "",
) -> Registration:
    """Register for a meeting. The meeting row is locked (SELECT … FOR UPDATE; SQLite's
    IMMEDIATE transactions serialise writers) while places are counted, so the capacity holds
    under concurrent registrations."""
    meeting = Meeting.objects.select_for_update().select_related("dialogue").get(pk=meeting.pk)
    if not (
        meeting.registration_open
        and meeting.dialogue.is_open
        and meeting.starts_at > timezone.now()
    ):
        raise ServiceError(_("Anmälan till mötet är stängd."))
    if not name.strip() or not email.strip():
        raise ServiceError(_("Ange namn och e-post."))
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    if Registration.objects.filter(meeting=meeting, email__iexact=email.strip()).exists():
        raise ServiceError(_("Den e-postadressen är redan anmäld."))
    if meeting.capacity is not None and meeting.registrations.count() >= meeting.capacity:
        raise MeetingFull(_("Mötet är fullt."))
    registration = Registration.objects.create(
        meeting=meeting,
        name=name.strip()[:120],
        email=email.strip(),
        needs=needs.strip(),
        participant=participant,
        district=district,
        age_band=age_band,
    )
    queue_email(
        registration.email,
        _("Anmälan: %(title)s") % {"title": meeting.title},
        _(
            "Du är anmäld till %(title)s, %(when)s, %(place)s.\n\n%(access)s\n\n"
            "Mer information: %(url)s\n"
        )
        % {
            "title": meeting.title,
            "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
            "place": meeting.place,
            "access": meeting.accessibility,
            "url": _absolute(reverse("dialogue:meeting", args=[meeting.dialogue_id, meeting.pk])),
        },
        dedupe_key=f"dialogue:meeting:{meeting.pk}:registered",
    )
    return registration


def meeting_save_notes(*, meeting: Meeting, notes: str, publish: bool, by: Any) -> Meeting:
    meeting.notes = notes.strip()
    meeting.notes_published = publish and bool(meeting.notes)
    _as_history_user(meeting, by).save()
    if meeting.dialogue.is_public:
        index_dialogue(meeting.dialogue)
    return meeting


def offline_input_add(
    *,
    dialogue: Dialogue,
    body: str,
    by: Any,
    meeting: Meeting | None = None,
    district: District | None = None,
    age_band: str = "",
    source: str = Source.PAPER,
    people: int = 1,
) -> OfflineInput:
    if not body.strip():
        raise ServiceError(_("Skriv in synpunkten eller anteckningen."))
    if source == Source.ONLINE:
        raise ServiceError(_("Välj hur synpunkten kom in."))
    if meeting is not None and meeting.dialogue_id != dialogue.pk:
        raise ServiceError(_("Mötet hör inte till dialogen."))
    return OfflineInput.objects.create(
        dialogue=dialogue,
        body=body.strip(),
        meeting=meeting,
        district=district,
        age_band=age_band,
        source=source,
        people=max(1, people),
        entered_by=by,
    )


# --- Population ------------------------------------------------------------------------------


@transaction.atomic
def population_import(*, table: Any) -> tuple[int, int]:
    """Write a parsed PopulationTable; districts are created as needed. Returns (districts,
    figures)."""
    figures = 0
    for order, (name, (code, bands)) in enumerate(table.districts.items(), start=1):
        district, _created = District.objects.get_or_create(
            name=name, defaults={"code": code, "order": order}
        )
        if code and district.code != code:
            district.code = code
            district.save(update_fields=["code"])
        for band, count in bands.items():
            PopulationFigure.objects.update_or_create(
                district=district, age_band=band, year=table.year, defaults={"count": count}
            )
            figures += 1
    return len(table.districts), figures


# --- Pabulib export and import -------------------------------------------------------------------

PABULIB_VOTE_TYPES = {
    VotingRule.WITHIN_BUDGET: "approval",
    VotingRule.CHOOSE_N: "approval",
    VotingRule.RANKING: "ordinal",
    VotingRule.POINTS: "cumulative",
}


def budget_as_pabulib(budget: Budget) -> pabulib.PbElection:
    """The budget as a Pabulib election: feasible projects with cost, votes and whether they
    won; every ballot as an anonymous voter number (ballots sorted by content, so the number says
    nothing about who voted or when)."""
    dialogue = budget.dialogue
    town = current_municipality()
    proposals = list(budget.proposals.filter(state=ProposalState.FEASIBLE).order_by("pk"))
    ballots: dict[int, list[tuple[int, int]]] = {}
    for ballot_id, proposal_id, value in BallotChoice.objects.filter(
        ballot__budget=budget, proposal__state=ProposalState.FEASIBLE
    ).values_list("ballot_id", "proposal_id", "value"):
        ballots.setdefault(ballot_id, []).append((proposal_id, value))
    votes = []
    for choices in sorted(ballots.values(), key=lambda c: sorted(c)):
        if budget.rule == VotingRule.RANKING:
            ordered = [p for p, _rank in sorted(choices, key=lambda c: c[1])]
            votes.append((ordered, None))
        elif budget.rule == VotingRule.POINTS:
            votes.append(([p for p, _v in sorted(choices)], [v for _p, v in sorted(choices)]))
        else:
            votes.append(([p for p, _v in sorted(choices)], None))
    start = dialogue.starts_on or timezone.localdate()
    end = dialogue.ends_on or start
    meta = {
        "description": f"{budget.title} ({dialogue.title})",
        "country": "Sweden",
        "unit": town.short_name if town else "Kommunen",
        "instance": str(end.year),
        "num_projects": str(len(proposals)),
        "num_votes": str(len(votes)),
        "budget": str(budget.amount),
        "vote_type": PABULIB_VOTE_TYPES[budget.rule],
        "rule": "greedy" if budget.counting == CountingRule.GREEDY else "unknown",
        "date_begin": start.strftime("%d.%m.%Y"),
        "date_end": end.strftime("%d.%m.%Y"),
        "language": "sv",
        "currency": "SEK",
    }
    if budget.counting == CountingRule.MES:
        meta["comment"] = (
            "#1: Method of Equal Shares (pabutools 1.2.3), completed by raising every voter's "
            "share by 1% of it at a time while the outcome fits the budget, then greedily by "
            "support"
        )
    if budget.rule == VotingRule.WITHIN_BUDGET:
        meta["max_sum_cost"] = str(budget.amount)
    elif budget.rule in (VotingRule.CHOOSE_N, VotingRule.RANKING):
        meta["max_length"] = str(budget.max_choices or len(proposals))
    elif budget.rule == VotingRule.POINTS:
        meta["max_sum_points"] = str(budget.max_choices or 0)
    support = dict.fromkeys((p.pk for p in proposals), 0)
    for chosen, _points in votes:
        for p in chosen:
            support[p] = support.get(p, 0) + 1
    return pabulib.PbElection(
        meta=meta,
        projects=[
            pabulib.PbProject(
                id=str(p.pk),
                cost=p.cost or 0,
                name=p.title,
                votes=support.get(p.pk, 0),
                selected=p.is_winner,
            )
            for p in proposals
        ],
        votes=[
            pabulib.PbVote(str(n), [str(p) for p in chosen], points)
            for n, (chosen, points) in enumerate(votes, start=1)
        ],
    )


VOTING_RULES_BY_PABULIB = {
    "approval": VotingRule.CHOOSE_N,
    "ordinal": VotingRule.RANKING,
    "cumulative": VotingRule.POINTS,
}


@transaction.atomic
def budget_import_pabulib(*, dialogue: Dialogue, text: str, counting_rule: str, by: Any) -> Budget:
    """Replay a Pabulib election (an earlier budget, or one published elsewhere) as a closed
    budget of the dialogue, counted under `counting_rule`: all or nothing, and a PabulibError
    naming the line when the file is wrong."""
    election = pabulib.parse(text)
    if counting_rule not in CountingRule.values:
        raise ServiceError(_("Okänt sätt att räkna rösterna."))
    rule = VOTING_RULES_BY_PABULIB[election.vote_type]
    max_choices = None
    if rule == VotingRule.POINTS:
        max_choices = max((sum(v.points or []) for v in election.votes), default=1) or 1
    else:
        max_choices = max((len(v.projects) for v in election.votes), default=1) or 1
    if election.meta.get("max_sum_cost") and rule == VotingRule.CHOOSE_N:
        rule, max_choices = VotingRule.WITHIN_BUDGET, None
    budget = Budget(
        dialogue=dialogue,
        title=(election.meta.get("description") or _("Inläst medborgarbudget"))[:200],
        intro=_("Inläst från en Pabulib-fil för att jämföra räknesätt."),
        amount=election.budget,
        rule=rule,
        counting=counting_rule,
        max_choices=min(max_choices, 1000) if max_choices else None,
        phase=BudgetPhase.CLOSED,
    )
    _as_history_user(budget, by).save()
    proposals = {}
    now = timezone.now()
    for project in election.projects:
        proposals[project.id] = Proposal.objects.create(
            budget=budget,
            title=(project.name or project.id)[:200],
            description=_("Projekt %(id)s i Pabulib-filen.") % {"id": project.id},
            state=ProposalState.FEASIBLE,
            cost=project.cost,
            answer=_("Inläst från Pabulib."),
            assessed_by=by,
            assessed_at=now,
            source=Source.OTHER,
            entered_by=by,
        )
    ballots = Ballot.objects.bulk_create(
        Ballot(budget=budget, participant=None, version=1) for _vote in election.votes
    )
    choices = []
    for ballot, vote in zip(ballots, election.votes, strict=True):
        for position, pid in enumerate(vote.projects):
            if rule == VotingRule.RANKING:
                value = position + 1
            elif rule == VotingRule.POINTS:
                value = max(1, min((vote.points or [1])[position], 32767))
            else:
                value = 1
            choices.append(BallotChoice(ballot=ballot, proposal=proposals[pid], value=value))
    BallotChoice.objects.bulk_create(choices, batch_size=5000)
    _compute_results(budget)
    return budget


# --- Following winning projects to delivery --------------------------------------------------------


@transaction.atomic
def proposal_record_delivery(
    *,
    proposal: Proposal,
    stage: str,
    on: dt.date,
    note: str,
    by: Any,
    responsible: Organisation | None = None,
) -> DeliveryUpdate:
    """A winning project moved on (planned, procured, being built, done). Voters who asked to
    be kept informed get a notice."""
    if not proposal.is_winner:
        raise ServiceError(_("Bara vinnande förslag följs upp till genomförande."))
    if stage not in DeliveryStage.values:
        raise ServiceError(_("Okänt skede."))
    update = DeliveryUpdate(proposal=proposal, stage=stage, on=on, note=note.strip()[:MAX_TEXT])
    update.created_by = by if getattr(by, "is_authenticated", False) else None
    _as_history_user(update, by).save()
    proposal.delivery_stage = stage
    if responsible is not None:
        proposal.responsible_organisation = responsible
    _as_history_user(proposal, by).save()
    budget = proposal.budget
    url = settings.SITE_URL + reverse("dialogue:budget", args=[budget.dialogue_id, budget.pk])
    emails = (
        Ballot.objects.filter(budget=budget, keep_informed=True, participant__isnull=False)
        .exclude(participant__email="")
        .values_list("participant__email", flat=True)
        .distinct()
    )
    for email in emails:
        queue_email(
            to=email,
            subject=_("Medborgarbudgeten: %(title)s – %(stage)s")
            % {"title": proposal.title, "stage": update.get_stage_display()},
            body=_(
                "Förslaget ”%(title)s” som vann i %(budget)s har kommit ett steg till: "
                "%(stage)s (%(date)s).\n\n%(note)s\n\nLäs mer: %(url)s\n\n"
                "Du får det här för att du bad om att hållas informerad när du röstade."
            )
            % {
                "title": proposal.title,
                "budget": budget.title,
                "stage": update.get_stage_display().lower(),
                "date": on.isoformat(),
                "note": update.note,
                "url": url,
            },
        )
    return update
