"""Every state change of a feedback case, one typed function per verb.

Views, the Open311 API, the demo loader and management commands call these; each writes the
change, an event in the case's log, and queues the emails it causes — in one transaction.

How to add a new Open311 service (a new kind of fault report):
1. In the back office (admin → Kategorier) add a Category with a unique `code` (this is the
   Open311 service_code; never change it once clients use it), `fault_reports` ticked, a target
   time in days and the `service_notice` residents and clients get.
2. Add its extra questions (Tilläggsfrågor): each becomes an Open311 attribute; list types need
   `values` as [{"key": "...", "name": "..."}]. `metadata` in the service list turns true.
3. Add a RoutingRule with no area (the default organisation) and, where another organisation is
   responsible in some district, one rule per District. Tick `forward` and write a `notice` if the
   matter belongs to someone else (Trafikverket, a housing company).
4. Check the staff overview /personal/arenden/fordelning/ and GET /open311/v2/services.xml.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from insyn.core.bulk import row_reader
from insyn.core.errors import ServiceError, StaleEdit
from insyn.core.images import CleanImage, blurred_copy
from insyn.core.mail import SUBJECT_LENGTH, delivered, delivery_state, queue_email
from insyn.core.models import OutgoingEmail
from insyn.core.notices import notify
from insyn.core.publication import bump_publication_version
from insyn.core.reference import Memo
from insyn.feedback.geo import municipality_bounds
from insyn.feedback.models import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    AnswerTemplate,
    Case,
    CaseEvent,
    CaseFollower,
    CaseNumberCounter,
    CasePhoto,
    CaseStatus,
    Category,
    CategoryQuestion,
    Datatype,
    DialogueLink,
    EventKind,
    Kind,
    Open311ApiKey,
    PublicState,
    RoutingRule,
    Source,
    Theme,
)
from insyn.feedback.privacy import mask_personal_data
from insyn.goals.models import Assignment, Goal
from insyn.organisations.models import District, Organisation
from insyn.organisations.selectors import districts_at

logger = logging.getLogger(__name__)

DEFAULT_REOPEN_DAYS = 30
DEFAULT_RETENTION_DAYS = 730
MAX_DESCRIPTION = 4000
ANONYMISED_TEXT = "(Texten har tagits bort enligt reglerna för gallring av personuppgifter.)"


# --- Small helpers ------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A random, unguessable token and the hash we store (the token itself is never stored)."""
    token = secrets.token_urlsafe(24)
    return token, hash_token(token)


def reopen_days() -> int:
    return int(getattr(settings, "FEEDBACK_REOPEN_DAYS", DEFAULT_REOPEN_DAYS))


def retention_days() -> int:
    return int(getattr(settings, "FEEDBACK_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def case_prefix() -> str:
    return getattr(settings, "FEEDBACK_CASE_PREFIX", "UPP")


def tracking_url(token: str) -> str:
    return settings.SITE_URL + reverse("feedback:track", args=[token])


def next_case_number(year: int) -> str:
    """UPP-2026-000123: a gapless per-year sequence. One UPDATE … RETURNING (PostgreSQL and
    SQLite ≥ 3.35) both increments and reads; it locks the year's row until commit."""
    table = CaseNumberCounter._meta.db_table
    sql = f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last"
    # No savepoint inside an intake's transaction: only the first case of a year needs one.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    CaseNumberCounter.objects.create(year=year, last=1)
                    row = (1,)
            except IntegrityError:  # another intake created the year's row first
                cursor.execute(sql, [year])
                row = cursor.fetchone()
    return f"{case_prefix()}-{year}-{row[0]:06d}"


def check_location(lat: float | None, long: float | None) -> None:
    if (lat is None) != (long is None):
        raise ServiceError(
            _("Ange både latitud och longitud, eller ingen av dem."), code="half_location"
        )
    if lat is not None and long is not None and not municipality_bounds().contains(lat, long):
        raise ServiceError(
            _(
                "Platsen ligger utanför %(name)s. Vi kan bara ta emot felanmälningar inom "
                "kommunen – kontakta den kommun där platsen ligger."
            )
            % {"name": _municipality_name()},
            code="outside",
        )


def _municipality_name() -> str:
    from insyn.organisations.selectors import current_municipality

    municipality = current_municipality()
    return municipality.name if municipality else _("kommunen")


# --- Routing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    organisation: Organisation | None
    forward: bool
    notice: str
    area: District | None

    @property
    def forward_to(self) -> Organisation | None:
        """The organisation the case is sent on to (a forwarding rule always names one)."""
        return self.organisation if self.forward else None


def _rules_by_category() -> dict[int, list[RoutingRule]]:
    rules: dict[int, list[RoutingRule]] = {}
    for rule in RoutingRule.objects.select_related("organisation"):
        rules.setdefault(rule.category_id, []).append(rule)
    return rules


# Every rule with its organisation, in this process until a rule or organisation changes.
_routing_rules: Memo[dict[int, list[RoutingRule]]] = Memo(_rules_by_category)


def route(
    *,
    category: Category,
    lat: float | None = None,
    long: float | None = None,
    area: District | None = None,
) -> Route:
    """Where a case goes: the rule for its area if there is one, else the category's default.

    With a point and no area, the districts whose polygons cover the point are tried smallest
    first (a service area inside a district wins; a point on a border goes to the smaller one);
    the case's area is the one whose rule was used, else the smallest."""
    candidates = [area] if area is not None else []
    if area is None and lat is not None and long is not None:
        candidates = districts_at(lat, long)
        area = candidates[0] if candidates else None
    rules = _routing_rules.get().get(category.pk, [])
    chosen = None
    for candidate in candidates:
        chosen = next((r for r in rules if r.area_id == candidate.pk), None)
        if chosen is not None:
            area = candidate
            break
    if chosen is None:
        chosen = next((r for r in rules if r.area_id is None), None)
    if chosen is None:
        return Route(None, False, category.service_notice, area)
    notice = chosen.notice if chosen.forward and chosen.notice else category.service_notice
    if chosen.forward and not notice:
        notice = _("Det här ansvarar %(org)s för. Vi har skickat ditt ärende vidare dit.") % {
            "org": chosen.organisation.name
        }
    return Route(chosen.organisation, chosen.forward, notice, area)


# --- Extra questions (form and Open311 share this) ----------------------------------------------


def validate_attributes(
    category: Category, raw: Mapping[str, Any], questions: Sequence[CategoryQuestion] | None = None
) -> dict[str, Any]:
    """Check answers to the category's questions; returns {code: value}. Unknown codes ignored."""
    if questions is None:
        questions = list(category.questions.all())
    answers: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for q in questions:
        if not q.variable:
            continue
        value = raw.get(q.code)
        if isinstance(value, (list, tuple)) and q.datatype != Datatype.MULTI:
            value = value[0] if value else ""
        empty = value in (None, "", [], ())
        if empty:
            if q.required:
                errors.append(
                    ValidationError(
                        _("Svara på frågan ”%(q)s”.") % {"q": q.description}, code=q.code
                    )
                )
            continue
        try:
            answers[q.code] = _convert(q, value)
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ServiceError(errors)
    return answers


def _convert(q: CategoryQuestion, value: Any) -> Any:
    keys = {key for key, _name in q.choices}
    bad = ValidationError(_("Ogiltigt svar på frågan ”%(q)s”.") % {"q": q.description}, code=q.code)
    if q.datatype == Datatype.MULTI:
        values = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        if not values or any(v not in keys for v in values):
            raise bad
        return values
    value = str(value).strip()
    if q.datatype == Datatype.SINGLE:
        if value not in keys:
            raise bad
        return value
    if q.datatype == Datatype.NUMBER:
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            raise bad from None
        if number != number or number in (float("inf"), float("-inf")):
            raise bad
        return number
    if q.datatype == Datatype.DATETIME:
        try:
            parsed = parse_datetime(value) or parse_date(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise bad
        return value
    limit = 4000 if q.datatype == Datatype.TEXT else 300
    if len(value) > limit or "\x00" in value:
        raise bad
    return value


# --- Intake ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    case: Case
    token: str

    @property
    def tracking_url(self) -> str:
        return tracking_url(self.token)


def create_case(
    *,
    kind: str,
    category: Category,
    description: str,
    lat: float | None = None,
    long: float | None = None,
    address_text: str = "",
    area: District | None = None,
    attributes: Mapping[str, Any] | None = None,
    photos: Iterable[CleanImage] = (),
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    source: str = Source.WEB,
    created_by: Any = None,
    api_key: Open311ApiKey | None = None,
    device_id: str = "",
    account_id: str = "",
    external_media_url: str = "",
    now: dt.datetime | None = None,
) -> Receipt:
    """File a case: number it, route it, store photos, give the reporter a tracking link."""
    now = now or timezone.now()
    if kind not in Kind.values:
        raise ServiceError(_("Okänd typ av ärende."), code="kind")
    if not category.active:
        raise ServiceError(_("Kategorin tar inte emot ärenden."), code="category")
    description = (description or "").strip()
    if not description:
        raise ServiceError(_("Beskriv ärendet."), code="description")
    if len(description) > MAX_DESCRIPTION:
        raise ServiceError(_("Beskrivningen får vara högst 4 000 tecken."), code="description")
    address_text = (address_text or "").strip()[:300]
    check_location(lat, long)
    if kind == Kind.FAULT and lat is None and not address_text and area is None:
        raise ServiceError(
            _("Ange var felet finns: välj en punkt eller skriv en adress eller platsbeskrivning."),
            code="location",
        )
    if contact_email:
        validate_email(contact_email)
    photos = list(photos)
    if len(photos) > 3:
        raise ServiceError(_("Du kan skicka högst tre bilder."), code="photos")

    where = route(category=category, lat=lat, long=long, area=area)
    status = CaseStatus.FORWARDED if where.forward else CaseStatus.RECEIVED
    public_description = mask_personal_data(description) if kind == Kind.FAULT else ""
    public_address = mask_personal_data(address_text) if kind == Kind.FAULT else ""
    token, token_hash = new_token()
    # Checks, routing and masking come before the writes: on SQLite the write transaction holds
    # the one write lock, so it should cover the writes only.
    case = Case(
        number="",  # taken with the writes (_write_intake)
        kind=kind,
        category=category,
        description=description,
        address_text=address_text,
        lat=lat,
        long=long,
        area=where.area,
        attributes=dict(attributes or {}),
        organisation=where.organisation,
        status=status,
        notice=where.notice,
        source=source,
        created_at=now,
        updated_at=now,
        due_at=None if where.forward else now + dt.timedelta(days=category.target_days),
        closed_at=None,
        contact_name=contact_name.strip()[:200],
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip()[:40],
        device_id=device_id[:100],
        account_id=account_id[:100],
        public_description=public_description,
        public_address=public_address,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        api_key=api_key,
        external_media_url=external_media_url[:500],
        open311_token=secrets.token_hex(8) if source == Source.OPEN311 else "",
    )
    events = [
        _event(
            case,
            EventKind.CREATED,
            public=True,
            status=status,
            actor=created_by,
            actor_label=_actor_label(created_by, api_key, source),
            api_key=api_key,
            now=now,
            body=_("Ärendet har tagits emot."),
            save=False,
        )
    ]
    forward_to = where.forward_to
    if forward_to is not None:
        events.append(
            _event(
                case,
                EventKind.FORWARDED,
                public=True,
                status=status,
                now=now,
                actor_label=_("Kontaktcenter"),
                body=where.notice,
                data={"organisation": forward_to.pk},
                save=False,
            )
        )
    follower = CaseFollower(
        email=case.contact_email, token_hash=token_hash, created_at=now, notify=True
    )
    # Whatever needs the case's id before it is written (photos, the notice to an organisation
    # with its dedupe key) makes the intake a transaction of several statements; without them
    # it is one statement on PostgreSQL.
    more = bool(photos) or (forward_to is not None and bool(forward_to.email))
    with transaction.atomic() if more else contextlib.nullcontext():
        _write_intake(case, follower, events, token=token)
        _store_photos(case, photos, now=now)
        if forward_to is not None:
            _send_to_organisation(case, forward_to, events[1])
    # The rows were written without save(): the public pages' versions are bumped here (the
    # case counts on public pages, e.g. a goal page's "Ni sa – vi gjorde", before moderation).
    bump_publication_version(area="feedback")
    return Receipt(case, token)


# --- The intake's writes, as plain SQL -----------------------------------------------------------
#
# An intake writes one case, its reporter's follower row, one or two events, the case's first
# history row and the receipt e-mail, and takes the year's next case number. Through the ORM
# that was about a third of an Open311 POST's CPU (compiling five INSERTs of wide models) and,
# on PostgreSQL, a second version of the case row (written with a placeholder number, then
# renumbered: every one of its indexes written twice). Here each row's values are read as
# `insyn.core.bulk` reads them, and the statements are built once per process:
#
# - PostgreSQL: one statement of data-modifying CTEs, outside any transaction when nothing
#   follows it: the counter's UPDATE (its row lock held only while the statement runs and
#   commits), the case with its number, the follower, the events in one INSERT (in order: their
#   ids order them), the history row copied from the case as written (simple-history's "+"
#   record) and the receipt e-mail, whose text carries a stand-in for the number that the
#   statement replaces.
# - SQLite (no data-modifying CTEs): the same rows in one IMMEDIATE transaction, the number first
#   (the transaction holds the one write lock throughout anyway), so the case is written once.

_TEXT_TYPES = frozenset({"CharField", "EmailField", "SlugField", "TextField", "URLField"})


def _param(field: Any) -> str:
    """A parameter for this field in a SELECT list: cast to what the column takes (PostgreSQL
    gives a SELECT's untyped parameters no column type; text goes in as text, so that a value
    too long for its column fails as it would in VALUES instead of being cut)."""
    kind = "text" if field.get_internal_type() in _TEXT_TYPES else field.db_type(connection)
    return f"%s::{kind}"


@dataclass(frozen=True)
class _Table:
    """A model's columns for an INSERT, each row's SQL (`%s` per value; PostgreSQL's SELECT list
    casts them) and how to read the parameters from an object. On PostgreSQL `links` give a
    column's value in SQL (the new case's id, a value the case row already holds) and `nulls`
    name columns a new row never fills (NULL in the statement; a value there is refused): psycopg
    keeps its translation of a statement only while it has at most 50 parameters."""

    columns: str
    row: str
    read: Callable[[Any], list[Any]]

    @classmethod
    def of(
        cls,
        model: Any,
        *,
        pg: bool,
        links: Mapping[str, str] | None = None,
        nulls: frozenset[str] = frozenset(),
    ) -> _Table:
        fields = row_reader(model, connections[DEFAULT_DB_ALIAS])[0]
        columns = [str(f.column) for f in fields]
        sql = dict(links or {}) if pg else {}
        if pg:
            sql.update(dict.fromkeys(nulls, "NULL"))
        keep = [i for i, c in enumerate(columns) if c not in sql]
        empty = [i for i, c in enumerate(columns) if c in nulls] if pg else []

        def read(obj: Any) -> list[Any]:
            row = row_reader(model, connections[DEFAULT_DB_ALIAS])[1](obj)
            if any(row[i] is not None for i in empty):
                raise ValueError(f"a new {model.__name__} has a value in a column left NULL")
            return [row[i] for i in keep]

        q = connection.ops.quote_name
        return cls(
            columns=", ".join(q(c) for c in columns),
            row=", ".join(
                sql.get(c) or (_param(f) if pg else "%s")
                for c, f in zip(columns, fields, strict=True)
            ),
            read=read,
        )


# What a new case never has (create_case fills none of them).
_NEW_CASE_NULLS = frozenset(
    {
        "first_answered_at",
        "resolved_at",
        "closed_at",
        "anonymised_at",
        "moderated_at",
        "merged_into_id",
        "goal_id",
        "assignment_id",
        "theme_id",
        "resident_says_fixed",
        "resident_answered_at",
    }
)


# The case's number in PostgreSQL's statement: the prefix (a parameter) and the counter's value,
# as next_case_number() writes it (at least six digits).
_PG_NUMBER = (
    "%s::text || CASE WHEN n.last < 1000000 THEN lpad(n.last::text, 6, '0') ELSE n.last::text END"
)


@dataclass(frozen=True)
class _IntakeSQL:
    case: _Table
    follower: _Table
    event: _Table
    history: str  # the case's "+" history row, copied from the case as written
    email: str


@functools.cache
def _intake_sql(vendor: str) -> _IntakeSQL:
    q = connection.ops.quote_name
    pg = vendor == "postgresql"
    history = _case_history().model
    tracked = ", ".join(q(f.column) for f in history.tracked_fields)
    user_type = history._meta.get_field("history_user").db_type(connection)
    case = _Table.of(Case, pg=pg, nulls=_NEW_CASE_NULLS)
    if pg:  # the number: made in the statement from the counter's new value
        number = Case._meta.get_field("number")
        fields = row_reader(Case, connections[DEFAULT_DB_ALIAS])[0]
        case = _Table(
            columns=case.columns,
            row=", ".join(
                _PG_NUMBER
                if f is number
                else ("NULL" if f.column in _NEW_CASE_NULLS else _param(f))
                for f in fields
            ),
            read=case.read,
        )
    email_columns = ", ".join(
        q(c)
        for c in (
            "to",
            "subject",
            "body",
            "dedupe_key",
            "state",
            "attempts",
            "last_error",
            "created_at",
            "sent_at",
        )
    )
    return _IntakeSQL(
        case=case,
        # The reporter's follower row: the case's address and time (create_case gives it them).
        follower=_Table.of(
            CaseFollower,
            pg=pg,
            links={
                "case_id": "c.id",
                "reported_case_id": "c.id",
                "email": "c.contact_email",
                "created_at": "c.created_at",
            },
        ),
        event=_Table.of(CaseEvent, pg=pg, links={"case_id": "c.id"}),
        history=(
            f"INSERT INTO {q(history._meta.db_table)} ({tracked}, history_date, history_type, "
            "history_user_id, history_change_reason) "
            + (
                f"SELECT {tracked}, c.created_at, '+', %s::{user_type}, '' FROM c"
                if pg
                else f"SELECT {tracked}, %s, '+', %s, '' FROM {_table(Case)} WHERE id = %s"
            )
        ),
        email=(
            f"INSERT INTO {_table(OutgoingEmail)} ({email_columns}) "
            + (
                "SELECT c.contact_email, substr(replace(%s::text, %s::text, c.number), 1, "
                f"{SUBJECT_LENGTH}), replace(%s::text, %s::text, c.number), '', %s::text, 0, "
                "'', %s::timestamptz, %s::timestamptz FROM c RETURNING id"
                if pg
                else "VALUES (%s, %s, %s, '', %s, 0, '', %s, %s) RETURNING id"
            )
        ),
    )


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _write_intake(
    case: Case, follower: CaseFollower, events: list[CaseEvent], *, token: str
) -> None:
    """Write a new case's rows (see above); sets the case's id and number and its events' ids."""
    year = timezone.localtime(case.created_at).year
    request = getattr(HistoricalRecords.context, "request", None)
    user: Any = getattr(request, "user", None)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    with_history = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    email = case.contact_email
    state, sent_at = delivery_state()
    sql = _intake_sql(connection.vendor)
    email_id = None
    # The number in the receipt until it is known (PostgreSQL: the statement replaces it).
    stand_in = f"#{secrets.token_hex(12)}#"
    subject = ""
    if connection.vendor == "postgresql":
        case.number = stand_in
        case_params = sql.case.read(case)
        case_params[_number_index()] = f"{case_prefix()}-{year}-"
        params = [year, *case_params, *sql.follower.read(follower)]
        for event in events:
            params += sql.event.read(event)
        if with_history:
            params.append(user_id)
        if email:
            subject, body = _receipt_text(case, token)
            params += [subject, stand_in, body, stand_in, state, timezone.now(), sent_at]
        statement = _pg_statement(sql, len(events), with_history, bool(email))
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            row = cursor.fetchone()
            if row is None:  # the year's first case: its counter row, then once more
                cursor.execute(
                    f"INSERT INTO {_table(CaseNumberCounter)} (year, last) VALUES (%s, 0) "
                    "ON CONFLICT (year) DO NOTHING",
                    [year],
                )
                cursor.execute(statement, params)
                row = cursor.fetchone()
        case.pk, case.number, event_ids, email_id = row
        for event, pk in zip(events, event_ids, strict=True):
            event.pk = pk
    else:
        # SQLite: the number first (the IMMEDIATE transaction holds the write lock from BEGIN).
        adapt = connection.ops.adapt_datetimefield_value
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            case.number = next_case_number(year)
            cursor.execute(
                f"INSERT INTO {_table(Case)} ({sql.case.columns}) VALUES ({sql.case.row}) "
                "RETURNING id",
                sql.case.read(case),
            )
            (case.pk,) = cursor.fetchone()
            follower.case_id = follower.reported_case_id = case.pk
            cursor.execute(
                f"INSERT INTO {_table(CaseFollower)} ({sql.follower.columns}) "
                f"VALUES ({sql.follower.row})",
                sql.follower.read(follower),
            )
            params = []
            for event in events:
                event.case = case
                params += sql.event.read(event)
            cursor.execute(
                f"INSERT INTO {_table(CaseEvent)} ({sql.event.columns}) VALUES "
                + ", ".join([f"({sql.event.row})"] * len(events))
                + " RETURNING id",
                params,
            )
            for event, (pk,) in zip(events, cursor.fetchall(), strict=True):
                event.pk = pk
            if with_history:
                cursor.execute(sql.history, [adapt(case.created_at), user_id, case.pk])
            if email:
                subject, body = _receipt_text(case, token)
                cursor.execute(
                    sql.email,
                    [
                        email,
                        subject[:SUBJECT_LENGTH],
                        body,
                        state,
                        adapt(timezone.now()),
                        adapt(sent_at),
                    ],
                )
                (email_id,) = cursor.fetchone()
    case._state.adding = False
    case._state.db = connection.alias
    for event in events:
        event.case = case
        event._state.adding = False
        event._state.db = connection.alias
    if email_id is not None:
        delivered(email_id, subject.replace(stand_in, case.number)[:SUBJECT_LENGTH])


@functools.cache
def _number_index() -> int:
    return [f.column for f in row_reader(Case, connections[DEFAULT_DB_ALIAS])[0]].index("number")


@functools.cache
def _pg_statement(sql: _IntakeSQL, events: int, with_history: bool, with_email: bool) -> str:
    """PostgreSQL's one statement, per shape (a forwarded case has two events; history and the
    receipt may be left out)."""
    parts = [
        f"n AS (UPDATE {_table(CaseNumberCounter)} SET last = last + 1 WHERE year = %s "
        "RETURNING last)",
        f"c AS (INSERT INTO {_table(Case)} ({sql.case.columns}) SELECT {sql.case.row} FROM n "
        "RETURNING *)",
        f"f AS (INSERT INTO {_table(CaseFollower)} ({sql.follower.columns}) "
        f"SELECT {sql.follower.row} FROM c)",
        # One INSERT: the events' ids follow their order (the log is ordered by time, then id).
        f"e AS (INSERT INTO {_table(CaseEvent)} ({sql.event.columns}) "
        + " UNION ALL ".join([f"SELECT {sql.event.row} FROM c"] * events)
        + " RETURNING id)",
    ]
    if with_history:
        parts.append(f"h AS ({sql.history})")
    if with_email:
        parts.append(f"m AS ({sql.email})")
    email_id = "(SELECT id FROM m)" if with_email else "NULL::bigint"
    return (
        "WITH "
        + ", ".join(parts)
        + f" SELECT c.id, c.number, (SELECT array_agg(id ORDER BY id) FROM e), {email_id} FROM c"
    )


def _store_photos(
    case: Case, photos: Iterable[CleanImage], *, now: dt.datetime, hidden: bool = False
) -> None:
    """Photos already cleaned by insyn.core.images (re-encoded, no metadata): the original and
    the public copy (which staff may blur or hide; shown only while the case is published)."""
    for photo in photos:
        stored = CasePhoto(
            case=case, width=photo.width, height=photo.height, created_at=now, hidden=hidden
        )
        stored.image.save("photo.jpg", ContentFile(photo.data), save=False)
        stored.public_image.save("photo.jpg", ContentFile(photo.data), save=False)
        stored.save()


@functools.cache
def _case_history() -> Any:
    """`Case.history`, built once: simple-history's descriptor makes a new manager class (and
    inspects every QuerySet method) on each access, about 1,200 of the 10,500 Python calls of an
    Open311 POST. Without an instance the manager holds only the model: one serves every call."""
    return Case.history


@transaction.atomic
def follow_case(*, case: Case, email: str = "", now: dt.datetime | None = None) -> str:
    """Follow an open fault report instead of filing a duplicate; returns the tracking token."""
    now = now or timezone.now()
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if case.merged_into is not None:
        case = case.merged_into
    if not case.is_public or case.status not in OPEN_STATUSES:
        # Only what moderation has published can be followed (issue 12 finding 1).
        raise ServiceError(_("Det går inte att följa det här ärendet."), code="not_followable")
    email = (email or "").strip()
    if email:
        validate_email(email)
    token, token_hash = new_token()
    CaseFollower.objects.create(case=case, email=email, token_hash=token_hash, created_at=now)
    _event(
        case,
        EventKind.FOLLOWED,
        public=False,
        now=now,
        actor_label=_("Invånare"),
        body=_("En invånare följer ärendet i stället för att anmäla samma sak."),
    )
    if email:
        _queue_receipt(case, token, email, following=True)
    return token


# --- Contact centre ------------------------------------------------------------------------------


def _set_status(case: Case, status: str, now: dt.datetime) -> None:
    previous = case.status
    case.status = status
    if status == CaseStatus.RESOLVED:
        case.resolved_at = now
        case.closed_at = now
        case.resident_says_fixed = None
        case.resident_answered_at = None
    elif status == CaseStatus.CLOSED:
        case.closed_at = now
    elif status in ACTIVE_STATUSES:
        case.closed_at = None
        if previous in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            case.resolved_at = None
            case.due_at = now + dt.timedelta(days=case.category.target_days)
    case.updated_at = now


class CaseChanged(StaleEdit):
    """Someone else changed the case after the page was loaded; nothing was written.
    `current` is the case as it is now."""

    current: Case
    sentence = gettext_lazy(
        "Någon annan har ändrat ärendet sedan du öppnade sidan. Ditt svar är inte "
        "sparat. Jämför med ärendet som det är nu och skicka igen om det fortfarande "
        "behövs."
    )


def _locked(case: Case, seen: dt.datetime | None = None) -> Case:
    """The case, locked for this transaction. `seen`: when the page that asks for the change
    was loaded (case.updated_at then); CaseChanged if the case has changed since."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "organisation")
        .get(pk=case.pk)
    )
    if seen is not None and locked.updated_at != seen:
        raise CaseChanged(locked)
    return locked


@transaction.atomic
def change_status(
    *,
    case: Case,
    status: str,
    by: Any,
    body: str = "",
    now: dt.datetime | None = None,
    seen: dt.datetime | None = None,
) -> CaseEvent:
    """A public status change (with an optional public text); followers are told by email.
    `seen`: the case's updated_at when the form was loaded (CaseChanged if it has changed)."""
    now = now or timezone.now()
    if status not in CaseStatus.values:
        raise ServiceError(_("Okänd status."), code="status")
    case = _locked(case, seen)
    if case.merged_into_id:
        raise ServiceError(_("Ärendet är sammanslaget med ett annat ärende."), code="merged")
    if case.status == status and not body:
        raise ServiceError(_("Ärendet har redan den statusen."), code="same_status")
    _set_status(case, status, now)
    if body and case.first_answered_at is None:
        case.first_answered_at = now
    case.save()
    event = _event(
        case,
        EventKind.STATUS,
        public=True,
        status=status,
        body=body.strip(),
        actor=by,
        actor_label=_staff_label(by),
        now=now,
    )
    _notify(case, event)
    return event


@transaction.atomic
def answer(
    *,
    case: Case,
    body: str,
    by: Any,
    status: str = "",
    template: AnswerTemplate | None = None,
    now: dt.datetime | None = None,
    seen: dt.datetime | None = None,
) -> CaseEvent:
    """A public answer (typed or from a template), optionally with a new status.
    `seen`: the case's updated_at when the form was loaded (CaseChanged if it has changed)."""
    now = now or timezone.now()
    case = _locked(case, seen)
    if case.merged_into_id:
        raise ServiceError(_("Ärendet är sammanslaget med ett annat ärende."), code="merged")
    body = (body or "").strip()
    if not body and template is not None:
        body = render_template(template, case)
    if not body:
        raise ServiceError(_("Skriv ett svar."), code="empty")
    status = status or (template.status if template else "")
    if status:
        if status not in CaseStatus.values:
            raise ServiceError(_("Okänd status."), code="status")
        if status != case.status:
            _set_status(case, status, now)
    if case.first_answered_at is None:
        case.first_answered_at = now
    case.updated_at = now
    case.save()
    event = _event(
        case,
        EventKind.ANSWER,
        public=True,
        status=status,
        body=body,
        actor=by,
        actor_label=_staff_label(by),
        now=now,
        data={"template": template.pk} if template else {},
    )
    _notify(case, event)
    return event


def render_template(template: AnswerTemplate, case: Case) -> str:
    text = template.body
    for key, value in (("{nummer}", case.number), ("{kategori}", case.category.name)):
        text = text.replace(key, value)
    return text


@transaction.atomic
def add_note(*, case: Case, body: str, by: Any, now: dt.datetime | None = None) -> CaseEvent:
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("Skriv en anteckning."), code="empty")
    return _event(
        case,
        EventKind.NOTE,
        public=False,
        body=body,
        actor=by,
        actor_label=_staff_label(by),
        now=now or timezone.now(),
    )


@transaction.atomic
def reassign(
    *,
    case: Case,
    organisation: Organisation | None,
    by: Any,
    note: str = "",
    now: dt.datetime | None = None,
    seen: dt.datetime | None = None,
) -> CaseEvent:
    """Give the case to another organisation (or back to the contact centre's triage).
    `seen`: the case's updated_at when the form was loaded (CaseChanged if it has changed)."""
    now = now or timezone.now()
    case = _locked(case, seen)
    if case.organisation_id == (organisation.pk if organisation else None):
        raise ServiceError(_("Ärendet ligger redan där."), code="same_org")
    previous = case.organisation
    case.organisation = organisation
    case.updated_at = now
    case.save()
    event = _event(
        case,
        EventKind.ASSIGNED,
        public=False,
        actor=by,
        actor_label=_staff_label(by),
        now=now,
        body=note.strip(),
        data={
            "from": previous.pk if previous else None,
            "to": organisation.pk if organisation else None,
            "from_name": previous.name if previous else "",
            "to_name": organisation.name if organisation else "",
        },
    )
    if organisation is not None:
        _send_to_organisation(case, organisation, event)
    return event


@transaction.atomic
def triage(
    *,
    case: Case,
    kind: str,
    category: Category,
    by: Any,
    reroute: bool = True,
    now: dt.datetime | None = None,
    seen: dt.datetime | None = None,
) -> CaseEvent:
    """Correct kind and category; the target time follows the category, routing if asked.
    `seen`: the case's updated_at when the form was loaded (CaseChanged if it has changed)."""
    now = now or timezone.now()
    if kind not in Kind.values:
        raise ServiceError(_("Okänd typ av ärende."), code="kind")
    case = _locked(case, seen)
    before = {"kind": case.kind, "category": case.category.code}
    case.kind = kind
    case.category = category
    if case.status in ACTIVE_STATUSES:
        case.due_at = case.created_at + dt.timedelta(days=category.target_days)
    if kind != Kind.FAULT and case.public_state == PublicState.PUBLISHED:
        case.public_state = PublicState.PENDING
    new_org = None
    if reroute:
        where = route(category=category, lat=case.lat, long=case.long, area=case.area)
        new_org = where.organisation
        case.organisation = where.organisation
    case.updated_at = now
    case.save()
    event = _event(
        case,
        EventKind.TRIAGED,
        public=False,
        actor=by,
        actor_label=_staff_label(by),
        now=now,
        data={"before": before, "after": {"kind": kind, "category": category.code}},
    )
    if new_org is not None and reroute:
        _send_to_organisation(case, new_org, event)
    return event


@transaction.atomic
def merge(
    *,
    duplicate: Case,
    into: Case,
    by: Any,
    now: dt.datetime | None = None,
    seen: dt.datetime | None = None,
) -> Case:
    """Merge a duplicate into one case: its followers (reporter included) move over and get
    every update from then on; the duplicate is closed and points to the surviving case.
    `seen`: the duplicate's updated_at when the form was loaded (CaseChanged if it has changed)."""
    now = now or timezone.now()
    if duplicate.pk == into.pk:
        raise ServiceError(_("Ett ärende kan inte slås ihop med sig självt."), code="self")
    first, second = sorted([duplicate.pk, into.pk])
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=[first, second])
        .order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if seen is not None and duplicate.updated_at != seen:
        raise CaseChanged(duplicate)
    if into.merged_into is not None:
        raise ServiceError(
            _("Målärendet är självt sammanslaget med %(n)s.") % {"n": into.merged_into.number},
            code="into_merged",
        )
    if duplicate.merged_into_id:
        raise ServiceError(_("Ärendet är redan sammanslaget."), code="already")
    # Tell the duplicate's followers before they move.
    notice = _(
        "Ditt ärende %(dup)s gäller samma sak som ärende %(into)s och har slagits ihop "
        "med det. Du får uppdateringar från %(into)s i fortsättningen."
    ) % {"dup": duplicate.number, "into": into.number}
    _set_status(duplicate, CaseStatus.CLOSED, now)
    duplicate.merged_into = into
    if duplicate.public_state == PublicState.PUBLISHED:
        duplicate.public_state = PublicState.HIDDEN
    duplicate.save()
    dup_event = _event(
        duplicate,
        EventKind.MERGED,
        public=True,
        status=CaseStatus.CLOSED,
        body=notice,
        actor=by,
        actor_label=_staff_label(by),
        now=now,
        data={"into": into.number},
    )
    _notify(duplicate, dup_event, everyone=True)
    CaseFollower.objects.filter(case=duplicate).update(case=into)
    Case.objects.filter(merged_into=duplicate).update(merged_into=into)
    into.updated_at = now
    into.save()
    _event(
        into,
        EventKind.MERGED,
        public=False,
        actor=by,
        actor_label=_staff_label(by),
        now=now,
        body=_("Ärende %(dup)s har slagits ihop med det här ärendet.") % {"dup": duplicate.number},
        data={"duplicate": duplicate.number},
    )
    return into


@transaction.atomic
def register_on_behalf(*, by: Any, source: str, **fields: Any) -> Receipt:
    """Staff file a case received by phone, at the desk, by letter or email."""
    if source not in (Source.PHONE, Source.DESK, Source.EMAIL, Source.LETTER):
        raise ServiceError(_("Välj hur ärendet kom in."), code="source")
    return create_case(source=source, created_by=by, **fields)


@transaction.atomic
def moderate(
    *,
    case: Case,
    public_description: str,
    public_address: str,
    state: str,
    by: Any,
    now: dt.datetime | None = None,
    seen: dt.datetime | None = None,
) -> Case:
    """Decide what the public sees; masking of emails, phone numbers and personnummer is always
    applied on top of what staff wrote. Only fault reports can be published.
    `seen`: the case's updated_at when the form was loaded (CaseChanged if it has changed)."""
    now = now or timezone.now()
    if state not in PublicState.values:
        raise ServiceError(_("Okänt publiceringsläge."), code="state")
    publish = state == PublicState.PUBLISHED
    case = _locked(case, seen)
    was_public = case.is_public
    if publish and case.kind != Kind.FAULT:
        raise ServiceError(_("Bara felanmälningar publiceras."), code="not_fault")
    if publish and case.merged_into_id:
        raise ServiceError(_("Ett sammanslaget ärende publiceras inte."), code="merged")
    public_description = mask_personal_data((public_description or "").strip())
    if publish and not public_description:
        raise ServiceError(_("Skriv en publik beskrivning innan ärendet publiceras."), code="empty")
    case.public_description = public_description
    case.public_address = mask_personal_data((public_address or "").strip())[:300]
    case.public_state = state
    case.moderated_at = now
    case.updated_at = now
    case.save()
    _event(
        case,
        EventKind.MODERATED,
        public=False,
        actor=by,
        actor_label=_staff_label(by),
        now=now,
        data={"state": case.public_state},
    )
    if case.is_public and not was_public:
        # Area alerts for a report that just became public (immediate; see alerts.py for the
        # digest hook). Imported here: alerts builds on this module.
        from insyn.feedback import alerts

        alerts.report_published(case, now=now)
    return case


@transaction.atomic
def blur_photo(
    *, photo: CasePhoto, by: Any, box: tuple[float, float, float, float] | None = None
) -> CasePhoto:
    """Store a Gaussian-blurred copy as the public version (whole photo, or one region)."""
    with photo.image.open("rb") as fh:
        data = fh.read()
    blurred = blurred_copy(data, box=box)
    old = photo.public_image.name
    photo.public_image.save("photo.jpg", ContentFile(blurred), save=False)
    photo.blurred = True
    photo.save()
    if old and old != photo.image.name:
        photo.public_image.storage.delete(old)
    _event(
        photo.case,
        EventKind.PHOTO,
        public=False,
        actor=by,
        actor_label=_staff_label(by),
        body=_("Bild suddad för publik visning."),
        data={"photo": str(photo.uuid)},
    )
    return photo


@transaction.atomic
def set_photo_hidden(*, photo: CasePhoto, hidden: bool, by: Any) -> CasePhoto:
    photo.hidden = hidden
    photo.save(update_fields=["hidden"])
    _event(
        photo.case,
        EventKind.PHOTO,
        public=False,
        actor=by,
        actor_label=_staff_label(by),
        body=_("Bild dold publikt.") if hidden else _("Bild visas publikt."),
        data={"photo": str(photo.uuid)},
    )
    return photo


@transaction.atomic
def link_governance(
    *,
    case: Case,
    by: Any,
    goal: Goal | None = None,
    assignment: Assignment | None = None,
    theme: Theme | None = None,
    now: dt.datetime | None = None,
    seen: dt.datetime | None = None,
) -> Case:
    """Link a case to a goal, an assignment and/or a theme (what the municipality does).
    `seen`: the case's updated_at when the form was loaded (CaseChanged if it has changed)."""
    now = now or timezone.now()
    case = _locked(case, seen)
    if assignment is not None and goal is None:
        goal = assignment.goal
    case.goal, case.assignment, case.theme = goal, assignment, theme
    case.updated_at = now
    case.save()
    _event(
        case,
        EventKind.LINKED,
        public=False,
        actor=by,
        actor_label=_staff_label(by),
        now=now,
        data={
            "goal": goal.pk if goal else None,
            "assignment": assignment.pk if assignment else None,
            "theme": theme.pk if theme else None,
        },
    )
    return case


@transaction.atomic
def save_theme(
    *,
    title: str,
    by: Any,
    description: str = "",
    goal: Goal | None = None,
    assignment: Assignment | None = None,
    theme: Theme | None = None,
) -> Theme:
    """Create or update a theme of many cases and its link to a goal or assignment."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Ge temat en rubrik."), code="title")
    if assignment is not None and goal is None:
        goal = assignment.goal
    theme = theme or Theme()
    theme.title, theme.description = title[:200], description.strip()
    theme.goal, theme.assignment = goal, assignment
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError:
        raise ServiceError(_("Det finns redan ett tema med den rubriken."), code="dup") from None
    return theme


# --- Resident follow-up ------------------------------------------------------------------------


def can_reopen(case: Case, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        case.status == CaseStatus.RESOLVED
        and case.resolved_at is not None
        and now - case.resolved_at <= dt.timedelta(days=reopen_days())
        and case.merged_into_id is None
    )


@transaction.atomic
def reopen(*, case: Case, reason: str = "", now: dt.datetime | None = None) -> CaseEvent:
    """The resident says the problem is still there: within 30 days of resolution only."""
    now = now or timezone.now()
    case = _locked(case)
    if not can_reopen(case, now):
        raise ServiceError(
            _(
                "Ärendet kan bara öppnas igen inom %(days)s dagar efter att det "
                "markerats som åtgärdat. Gör en ny anmälan i stället."
            )
            % {"days": reopen_days()},
            code="reopen_expired",
        )
    _set_status(case, CaseStatus.REOPENED, now)
    case.save()
    if reason.strip():
        _event(
            case,
            EventKind.NOTE,
            public=False,
            body=reason.strip()[:MAX_DESCRIPTION],
            actor_label=_("Invånare (skäl för återöppning)"),
            now=now,
        )
    event = _event(
        case,
        EventKind.REOPENED,
        public=True,
        status=CaseStatus.REOPENED,
        now=now,
        actor_label=_("Invånare"),
        body=_("Ärendet har öppnats igen: invånaren anser att problemet finns kvar."),
    )
    _notify(case, event)
    return event


@transaction.atomic
def record_fixed_answer(*, case: Case, fixed: bool, now: dt.datetime | None = None) -> Case:
    """The one question after resolution: was it fixed? Stored once per resolution."""
    now = now or timezone.now()
    case = _locked(case)
    if case.status != CaseStatus.RESOLVED:
        raise ServiceError(
            _("Frågan gäller ärenden som markerats som åtgärdade."), code="not_resolved"
        )
    if case.resident_says_fixed is not None:
        raise ServiceError(_("Frågan är redan besvarad. Tack!"), code="answered")
    case.resident_says_fixed = fixed
    case.resident_answered_at = now
    case.save()
    _event(
        case,
        EventKind.FIXED_ANSWER,
        public=False,
        actor_label=_("Invånare"),
        now=now,
        body=_("Ja, det är åtgärdat.") if fixed else _("Nej, det är inte åtgärdat."),
        data={"fixed": fixed},
    )
    return case


@transaction.atomic
def stop_notifications(*, follower: CaseFollower) -> None:
    follower.notify = False
    follower.save(update_fields=["notify"])


# --- Open311 ---------------------------------------------------------------------------------


def issue_api_key(
    *,
    name: str,
    by: Any = None,
    organisation: Organisation | None = None,
    rate_per_minute: int = 60,
    raw_key: str | None = None,
) -> tuple[Open311ApiKey, str]:
    """A new API key; the raw key is returned once and only its hash is stored."""
    raw = raw_key or secrets.token_urlsafe(32)
    key = Open311ApiKey.objects.create(
        name=name.strip()[:200] or "Open311",
        prefix=raw[:8],
        key_hash=hash_token(raw),
        organisation=organisation,
        rate_per_minute=rate_per_minute,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return key, raw


@transaction.atomic
def revoke_api_key(*, key: Open311ApiKey, by: Any) -> Open311ApiKey:
    key.active = False
    key.save(update_fields=["active"])
    logger.info("open311 key revoked", extra={"event": "open311_key_revoked", "key": key.pk})
    return key


def _active_api_keys() -> dict[str, Open311ApiKey]:
    return {
        key.key_hash: key
        for key in Open311ApiKey.objects.select_related("organisation").filter(active=True)
    }


# The active keys by hash, in this process until a key (or its organisation) changes: a revoked
# key is saved, which makes every process read them again (insyn.core.reference).
_api_keys: Memo[dict[str, Open311ApiKey]] = Memo(_active_api_keys)


def authenticate_api_key(raw: str) -> Open311ApiKey | None:
    if not raw or len(raw) > 200:
        return None
    key = _api_keys.get().get(hash_token(raw))
    now = timezone.now()
    if key is not None and (
        key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=5)
    ):
        Open311ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now  # the kept copy too (update() bumps no version)
    return key


# FixMyStreet's extended statuses (lower case, as mySociety's adapter sends them) → ours.
EXTERNAL_STATUS_MAP = {
    "open": CaseStatus.IN_PROGRESS,
    "investigating": CaseStatus.IN_PROGRESS,
    "in_progress": CaseStatus.IN_PROGRESS,
    "action_scheduled": CaseStatus.IN_PROGRESS,
    "planned": CaseStatus.IN_PROGRESS,
    "for_triage": CaseStatus.IN_PROGRESS,
    "fixed": CaseStatus.RESOLVED,
    "closed": CaseStatus.RESOLVED,
    "duplicate": CaseStatus.CLOSED,
    "no_further_action": CaseStatus.CLOSED,
    "not_councils_responsibility": CaseStatus.FORWARDED,
    "internal_referral": CaseStatus.FORWARDED,
    "reopen": CaseStatus.REOPENED,
}


@transaction.atomic
def external_update(
    *,
    case: Case,
    api_key: Open311ApiKey,
    status: str,
    description: str = "",
    external_id: str = "",
    media_url: str = "",
    photos: Sequence[CleanImage] = (),
    now: dt.datetime | None = None,
) -> CaseEvent:
    """An update POSTed by another system (servicerequestupdates).

    Photos sent with it (FixMyStreet's multipart `photo1`…) are stored on the case hidden: the
    case may already be public, and nobody has looked at them yet.

    A key that belongs to the case's responsible organisation reports progress: its text is a
    public answer and its status applies. A client key (e.g. a FixMyStreet instance) posts what
    its resident wrote on a case it filed: that is an internal note for the contact centre.
    Repeating an external update_id returns the first event instead of a second one.
    """
    now = now or timezone.now()
    if external_id:
        existing = CaseEvent.objects.filter(api_key=api_key, external_id=external_id[:100]).first()
        if existing is not None:
            return existing
    case = _locked(case)
    description = (description or "").strip()[:MAX_DESCRIPTION]
    is_responsible = (
        api_key.organisation_id is not None and api_key.organisation_id == case.organisation_id
    )
    if is_responsible:
        new_status = EXTERNAL_STATUS_MAP.get(status.lower().strip()) if status else None
        if status and new_status is None:
            raise ServiceError(_("Okänd status: %(s)s") % {"s": status[:40]}, code="status")
        if new_status and new_status != case.status:
            _set_status(case, new_status, now)
        if description and case.first_answered_at is None:
            case.first_answered_at = now
        case.updated_at = now
        case.save()
        event = _event(
            case,
            EventKind.EXTERNAL,
            public=True,
            status=new_status or "",
            body=mask_personal_data(description),
            api_key=api_key,
            actor_label=api_key.organisation.name,  # type: ignore[union-attr]
            external_id=external_id[:100],
            now=now,
            data={"media_url": media_url[:500]} if media_url else {},
        )
        _store_photos(case, photos, now=now, hidden=True)
        _notify(case, event)
        return event
    if case.api_key_id != api_key.pk:
        raise ServiceError(_("Nyckeln får inte uppdatera det här ärendet."), code="forbidden")
    if not description:
        raise ServiceError(_("description saknas."), code="description")
    _store_photos(case, photos, now=now, hidden=True)
    return _event(
        case,
        EventKind.NOTE,
        public=False,
        body=description,
        api_key=api_key,
        actor_label=_("Via %(key)s") % {"key": api_key.name},
        external_id=external_id[:100],
        now=now,
        data={"media_url": media_url[:500]} if media_url else {},
    )


# --- Retention -----------------------------------------------------------------------------


@transaction.atomic
def anonymise_case(*, case: Case, now: dt.datetime | None = None) -> None:
    """Remove contact data and free-text personal data from a case and its history."""
    now = now or timezone.now()
    text = ANONYMISED_TEXT
    bump_publication_version(area="feedback")  # written with update(): no save signal
    Case.objects.filter(pk=case.pk).update(
        contact_name="",
        contact_email="",
        contact_phone="",
        device_id="",
        account_id="",
        description=text,
        address_text="" if case.kind != Kind.FAULT else case.public_address,
        attributes={},
        external_media_url="",
        anonymised_at=now,
        public_description=mask_personal_data(case.public_description),
    )
    Case.history.filter(id=case.pk).update(
        contact_name="",
        contact_email="",
        contact_phone="",
        device_id="",
        account_id="",
        description=text,
        address_text="",
        attributes={},
        external_media_url="",
    )
    CaseFollower.objects.filter(case=case).update(email="", notify=False)
    CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).update(body=text)
    for photo in CasePhoto.objects.filter(case=case):
        # The original goes; a published, moderated public copy may stay.
        keep_public = case.is_published and not photo.hidden and bool(photo.public_image)
        if photo.image:
            photo.image.delete(save=False)
        if keep_public:
            photo.save()
            continue
        if photo.public_image:
            photo.public_image.delete(save=False)
        photo.delete()
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.ANONYMISED,
        is_public=False,
        actor_label="insyn anonymise-old-cases",
        created_at=now,
        body=_("Personuppgifter har gallrats."),
    )


def anonymise_old_cases(
    *, now: dt.datetime | None = None, days: int | None = None, batch: int = 500
) -> int:
    """Anonymise every closed case closed more than `days` (FEEDBACK_RETENTION_DAYS) ago."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    cutoff = now - dt.timedelta(days=days)
    done = 0
    while True:
        cases = list(
            Case.objects.filter(
                status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED],
                closed_at__lt=cutoff,
                anonymised_at__isnull=True,
            ).order_by("pk")[:batch]
        )
        if not cases:
            return done
        for case in cases:
            anonymise_case(case=case, now=now)
            done += 1


# --- Events and email ------------------------------------------------------------------------


def _actor_label(user: Any, api_key: Open311ApiKey | None, source: str) -> str:
    if api_key is not None:
        return _("Via %(key)s") % {"key": api_key.name}
    if getattr(user, "is_authenticated", False):
        return _("Kontaktcenter")
    return _("Invånare")


def _staff_label(user: Any) -> str:
    return _("Kontaktcenter") if getattr(user, "is_authenticated", False) else ""


def _event(
    case: Case,
    kind: str,
    *,
    public: bool,
    now: dt.datetime | None = None,
    status: str = "",
    body: str = "",
    actor: Any = None,
    actor_label: str = "",
    api_key: Open311ApiKey | None = None,
    external_id: str = "",
    data: dict | None = None,
    save: bool = True,
) -> CaseEvent:
    if public and not status:
        status = case.status  # what the update said the status was at that moment
    event = CaseEvent(
        case=case,
        kind=kind,
        is_public=public,
        status=status,
        body=body,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label,
        api_key=api_key,
        external_id=external_id,
        data=data or {},
        created_at=now or timezone.now(),
    )
    if save:
        event.save(force_insert=True)
    return event


def _notify(case: Case, event: CaseEvent, *, everyone: bool = False) -> int:
    """Email every follower who gave an address (reporter, followers, merged-in reporters).
    Someone who merely follows hears of a case only while it is published (issue 12 finding 1),
    unless ``everyone`` (the notice that the case they followed was merged into another)."""
    emails = sorted(
        {
            e.lower()
            for e in CaseFollower.objects.filter(case=case, notify=True)
            .filter(Q() if everyone or case.is_published else Q(reported_case__isnull=False))
            .exclude(email="")
            .values_list("email", flat=True)
        }
    )
    status_label = CaseStatus(case.status).label
    subject = _("Uppdatering i ärende %(n)s: %(s)s") % {"n": case.number, "s": status_label}
    lines = [
        _("Det finns en uppdatering i ärende %(n)s (%(c)s).")
        % {"n": case.number, "c": case.category.name},
        "",
        _("Status: %(s)s") % {"s": status_label},
    ]
    if event.body:
        lines += ["", event.body]
    lines += ["", _("Du kan följa ärendet via länken i ditt kvittomejl.")]
    if case.is_published:
        lines.append(settings.SITE_URL + case.get_public_url())
    body = "\n".join(str(line) for line in lines)
    sent = 0
    for email in emails:
        sent += notify(
            email,
            subject,
            body,
            dedupe_key=f"feedback:event:{event.pk}",
            url=settings.SITE_URL + case.get_public_url() if case.is_published else "",
        )
    return sent


def _receipt_text(case: Case, token: str, *, following: bool = False) -> tuple[str, str]:
    """The receipt's subject and body."""
    if following:
        subject = _("Du följer ärende %(n)s") % {"n": case.number}
        intro = _("Du följer nu ärende %(n)s (%(c)s). Vi mejlar dig när något händer.")
    else:
        subject = _("Vi har tagit emot ditt ärende %(n)s") % {"n": case.number}
        intro = _("Tack! Vi har tagit emot ditt ärende %(n)s (%(c)s).")
    lines = [intro % {"n": case.number, "c": case.category.name}, ""]
    if case.notice:
        lines += [case.notice, ""]
    lines += [_("Följ ärendet här (länken är personlig, dela den inte):"), tracking_url(token)]
    return subject, "\n".join(str(line) for line in lines)


def _queue_receipt(case: Case, token: str, email: str, *, following: bool = False) -> None:
    # No dedupe key: the token is new, so this e-mail cannot have been queued before.
    queue_email(email, *_receipt_text(case, token, following=following))


def _send_to_organisation(case: Case, organisation: Organisation, event: CaseEvent) -> None:
    """Tell the responsible organisation (if it has a notice address). No contact details."""
    if not organisation.email:
        return
    lines = [
        _("Ärende %(n)s har fördelats till %(org)s.")
        % {"n": case.number, "org": organisation.name},
        _("Kategori: %(c)s") % {"c": case.category.name},
        _("Typ: %(k)s") % {"k": Kind(case.kind).label},
    ]
    if case.address_text or case.public_address:
        lines.append(_("Plats: %(p)s") % {"p": case.address_text or case.public_address})
    if case.has_location:
        lines.append(f"{case.lat:.6f}, {case.long:.6f}")
    lines += ["", case.description]
    queue_email(
        organisation.email,
        _("Nytt ärende %(n)s") % {"n": case.number},
        "\n".join(str(line) for line in lines),
        dedupe_key=f"feedback:org:{event.pk}",
    )


# --- Dialogues linked to themes of cases ------------------------------------------------------


def dialogue_link_add(
    *, dialogue: Any, theme: Theme | None = None, category: Category | None = None, by: Any
) -> DialogueLink:
    """Link a dialogue to a theme of cases or to a whole category (exactly one of them)."""
    if (theme is None) == (category is None):
        raise ServiceError({"theme": _("Välj antingen ett tema eller en kategori.")})
    try:
        with transaction.atomic():
            return DialogueLink.objects.create(dialogue=dialogue, theme=theme, category=category)
    except IntegrityError:
        raise ServiceError(_("Dialogen är redan kopplad dit."), code="dup") from None


def dialogue_link_remove(*, link: DialogueLink, by: Any) -> None:
    link.delete()
