"""The dialogue guideline (seeds/001), checked principle by principle for one dialogue.

Pure: reads what the register already records — purpose and use of the result, the step on the
participation ladder, anchoring with elected officials, coordination comments from affected
organisations, earlier dialogues considered, outreach to groups not yet heard, and when the
feedback was published — and says for each principle whether it is met, not met or not yet
due, with the dates that decide it. Shown on the public dialogue page, to staff while planning,
and summed per year and board on the public overview.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MET = "met"
NOT_MET = "not_met"
NOT_DUE = "not_due"

PRINCIPLES = [
    ("purpose", gettext_lazy("Syfte och inflytande är tydliga")),
    ("ladder", gettext_lazy("Steget på delaktighetstrappan är angivet")),
    ("anchored", gettext_lazy("Förankrad hos förtroendevalda")),
    ("coordinated", gettext_lazy("Berörda förvaltningar och bolag är samordnade")),
    ("earlier", gettext_lazy("Tidigare dialoger är beaktade")),
    ("reach", gettext_lazy("Grupper som inte har hörts har sökts upp")),
    ("feedback", gettext_lazy("Återkopplingen publiceras i tid")),
]


@dataclass(frozen=True)
class Facts:
    """What the checklist needs to know about one dialogue (from one row of annotations)."""

    purpose: str
    result_use: str
    decision_maker: str
    ladder_steps: list[str]
    anchored_with: str
    anchored_body: str
    anchored_on: dt.date | None
    affected: list[str]  # names of affected organisations
    commented: list[str]  # names of affected organisations that commented
    earlier_count: int
    earlier_note: str
    outreach_count: int
    ends_on: dt.date | None
    feedback_on: dt.date | None
    feedback_published_at: dt.datetime | None


@dataclass(frozen=True)
class Verdict:
    key: str
    title: str
    verdict: str
    detail: str

    @property
    def label(self) -> str:
        return {MET: _("Uppfyllt"), NOT_MET: _("Inte uppfyllt"), NOT_DUE: _("Inte aktuellt ännu")}[
            self.verdict
        ]


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "j F Y") if value else ""


def check(facts: Facts, *, today: dt.date | None = None) -> list[Verdict]:
    today = today or timezone.localdate()
    titles = dict(PRINCIPLES)
    result: list[Verdict] = []

    def add(key: str, verdict: str, detail: str) -> None:
        result.append(Verdict(key, str(titles[key]), verdict, detail))

    missing = [
        name
        for name, value in (
            (_("syfte"), facts.purpose),
            (_("hur resultatet ska användas"), facts.result_use),
            (_("vem som beslutar"), facts.decision_maker),
        )
        if not value.strip()
    ]
    add(
        "purpose",
        NOT_MET if missing else MET,
        _("Saknas: %(list)s.") % {"list": ", ".join(missing)}
        if missing
        else _("Syfte, hur resultatet ska användas och vem som beslutar är angivna."),
    )
    add(
        "ladder",
        MET if facts.ladder_steps else NOT_MET,
        _("Angivet.") if facts.ladder_steps else _("Inget steg är angivet."),
    )
    anchored = bool(facts.anchored_with and facts.anchored_body and facts.anchored_on)
    add(
        "anchored",
        MET if anchored else NOT_MET,
        _("Förankrad med %(who)s i %(body)s den %(date)s.")
        % {
            "who": facts.anchored_with,
            "body": facts.anchored_body,
            "date": _date(facts.anchored_on),
        }
        if anchored
        else _("Ingen förankring är registrerad."),
    )
    silent = [name for name in facts.affected if name not in facts.commented]
    if not facts.affected:
        add("coordinated", MET, _("Inga andra organisationer berörs."))
    elif silent:
        add(
            "coordinated",
            NOT_MET,
            _("Har inte lämnat synpunkter i samordningen: %(list)s.") % {"list": ", ".join(silent)},
        )
    else:
        add("coordinated", MET, _("Alla berörda har lämnat synpunkter i samordningen."))
    considered = facts.earlier_count > 0 or bool(facts.earlier_note.strip())
    add(
        "earlier",
        MET if considered else NOT_MET,
        (
            _("%(n)s tidigare dialoger är kopplade.") % {"n": facts.earlier_count}
            if facts.earlier_count
            else facts.earlier_note.strip()
        )
        if considered
        else _("Inga tidigare dialoger är kopplade och ingen kommentar finns."),
    )
    if facts.outreach_count:
        add(
            "reach",
            MET,
            _("%(n)s uppsökande insatser är registrerade.") % {"n": facts.outreach_count},
        )
    elif facts.ends_on is None or facts.ends_on >= today:
        add("reach", NOT_DUE, _("Dialogen pågår; ingen uppsökande insats är registrerad ännu."))
    else:
        add("reach", NOT_MET, _("Dialogen är slut och ingen uppsökande insats är registrerad."))
    published = (
        timezone.localtime(facts.feedback_published_at).date()
        if facts.feedback_published_at
        else None
    )
    if published and (facts.feedback_on is None or published <= facts.feedback_on):
        add("feedback", MET, _("Publicerad den %(date)s.") % {"date": _date(published)})
    elif published:
        add(
            "feedback",
            NOT_MET,
            _("Publicerad den %(date)s, efter utlovat datum %(due)s.")
            % {"date": _date(published), "due": _date(facts.feedback_on)},
        )
    elif facts.feedback_on and facts.feedback_on < today:
        add(
            "feedback",
            NOT_MET,
            _("Skulle ha publicerats senast %(due)s.") % {"due": _date(facts.feedback_on)},
        )
    elif facts.feedback_on:
        add(
            "feedback",
            NOT_DUE,
            _("Ska publiceras senast %(due)s.") % {"due": _date(facts.feedback_on)},
        )
    else:
        add("feedback", NOT_MET, _("Inget datum för återkoppling är utlovat."))
    return result
