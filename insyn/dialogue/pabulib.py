"""Pabulib, the file format of the world's archive of participatory-budget elections
(pabulib.org; Faliszewski et al., "Participatory Budgeting: Data, Tools, and Analysis").

`write` turns a budget into a .pb file: META (description, country, unit, instance, counts,
budget, vote type, rule, dates), PROJECTS (id, cost, votes, name, selected) and VOTES (an
anonymous voter number and the vote; points or ranks where the ballot has them). Voters are
numbered in an order that says nothing about who they are; no names, addresses or districts.

`parse` reads a .pb file into plain data, or raises PabulibError naming the line (in Swedish);
it is pure, so any text gives a result or a clear error. The services turn it into a budget.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

SECTIONS = ("META", "PROJECTS", "VOTES")
VOTE_TYPES = {"approval", "ordinal", "cumulative"}  # the ballots Insyn can count
MAX_BYTES = 20 * 1024 * 1024
MAX_VOTES = 500_000
MAX_PROJECTS = 2_000


class PabulibError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"Rad {line}: {message}" if line else message)


@dataclass
class PbProject:
    id: str
    cost: int
    name: str = ""
    votes: int | None = None
    selected: bool | None = None


@dataclass
class PbVote:
    voter: str
    projects: list[str]  # in the ballot's order (ranked: first is best)
    points: list[int] | None = None


@dataclass
class PbElection:
    meta: dict[str, str]
    projects: list[PbProject] = field(default_factory=list)
    votes: list[PbVote] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return int(float(self.meta["budget"]))

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]


def _rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise PabulibError(f"Raden går inte att läsa ({exc}).", reader.line_num) from None
    return rows


def _int(value: str, what: str, line: int | None, *, minimum: int = 0) -> int:
    try:
        number = float(value.strip())
    except ValueError:
        raise PabulibError(f"{what} måste vara ett tal, inte ”{value[:40]}”.", line) from None
    if number != int(number) or number < minimum or number > 10**15:
        raise PabulibError(
            f"{what} måste vara ett heltal från {minimum}, inte ”{value[:40]}”.", line
        )
    return int(number)


def parse(text: str) -> PbElection:
    """Read a Pabulib file; PabulibError names the line and what is wrong."""
    if len(text.encode("utf-8", errors="ignore")) > MAX_BYTES:
        raise PabulibError("Filen är för stor (högst 20 MB).")
    if "\x00" in text:
        raise PabulibError("Filen innehåller otillåtna tecken (NUL); är det en textfil?")
    section = None
    header: list[str] | None = None
    meta: dict[str, str] = {}
    meta_line: dict[str, int] = {}  # where each META key was, for the errors below
    election = PbElection(meta=meta)
    seen: list[str] = []
    project_ids: set[str] = set()
    voter_ids: set[str] = set()
    for line, row in _rows(text.lstrip("\ufeff")):
        if not row or all(not cell.strip() for cell in row):
            continue
        first = row[0].strip()
        if first.upper() in SECTIONS and len([c for c in row if c.strip()]) == 1:
            section = first.upper()
            if section in seen:
                raise PabulibError(f"Avsnittet {section} förekommer två gånger.", line)
            expected = SECTIONS[len(seen)] if len(seen) < len(SECTIONS) else None
            if section != expected:
                raise PabulibError(
                    f"Avsnitten ska komma i ordningen META, PROJECTS, VOTES; här kom {section}.",
                    line,
                )
            seen.append(section)
            header = None
            continue
        if section is None:
            raise PabulibError("Filen ska börja med avsnittet META.", line)
        if header is None:
            header = [h.strip().lower() for h in row]
            if section == "META" and header[:2] != ["key", "value"]:
                raise PabulibError("META ska börja med raden key;value.", line)
            if (section == "PROJECTS" and "project_id" not in header) or (
                section == "PROJECTS" and "cost" not in header
            ):
                raise PabulibError("PROJECTS måste ha kolumnerna project_id och cost.", line)
            if section == "VOTES" and not {"voter_id", "vote"} <= set(header):
                raise PabulibError("VOTES måste ha kolumnerna voter_id och vote.", line)
            continue
        if len(row) != len(header):
            raise PabulibError(f"Raden har {len(row)} fält men rubrikraden {len(header)}.", line)
        values = dict(zip(header, (c.strip() for c in row), strict=True))
        if section == "META":
            meta[values["key"]] = values["value"]
            meta_line[values["key"]] = line
        elif section == "PROJECTS":
            pid = values["project_id"]
            if not pid:
                raise PabulibError("Ett projekt saknar project_id.", line)
            if pid in project_ids:
                raise PabulibError(f"Projektet {pid} finns två gånger.", line)
            project_ids.add(pid)
            if len(project_ids) > MAX_PROJECTS:
                raise PabulibError(f"Filen har fler än {MAX_PROJECTS} projekt.", line)
            election.projects.append(
                PbProject(
                    id=pid,
                    cost=_int(values["cost"], "Kostnaden", line, minimum=1),
                    name=values.get("name", "") or pid,
                    votes=_int(values["votes"], "Antalet röster", line)
                    if values.get("votes")
                    else None,
                    selected=(values["selected"] not in ("", "0"))
                    if "selected" in values
                    else None,
                )
            )
        else:
            vid = values["voter_id"]
            if vid in voter_ids:
                raise PabulibError(f"Väljaren {vid} har röstat två gånger.", line)
            voter_ids.add(vid)
            if len(voter_ids) > MAX_VOTES:
                raise PabulibError(f"Filen har fler än {MAX_VOTES} röster.", line)
            chosen = [p.strip() for p in values["vote"].split(",") if p.strip()]
            unknown = [p for p in chosen if p not in project_ids]
            if unknown:
                raise PabulibError(f"Rösten gäller projektet {unknown[0]}, som inte finns.", line)
            if len(set(chosen)) != len(chosen):
                raise PabulibError("Samma projekt finns två gånger i en röst.", line)
            points = None
            if values.get("points"):
                points = [
                    _int(p, "Poängen", line) for p in values["points"].split(",") if p.strip()
                ]
                if len(points) != len(chosen):
                    raise PabulibError("Rösten har inte lika många poäng som projekt.", line)
            election.votes.append(PbVote(vid, chosen, points))
    if seen != list(SECTIONS):
        missing = [s for s in SECTIONS if s not in seen]
        raise PabulibError(f"Filen saknar avsnittet {missing[0]}.")
    for key in ("budget", "vote_type", "num_projects", "num_votes"):
        if key not in meta:
            raise PabulibError(f"META saknar {key}.")
    if meta["vote_type"] not in VOTE_TYPES:
        raise PabulibError(
            f"Okänd vote_type ”{meta['vote_type'][:40]}”.", meta_line.get("vote_type")
        )
    _int(meta["budget"], "budget i META", meta_line.get("budget"), minimum=1)
    if _int(meta["num_projects"], "num_projects i META", meta_line.get("num_projects")) != len(
        election.projects
    ):
        raise PabulibError(
            f"META säger {meta['num_projects']} projekt men PROJECTS har {len(election.projects)}.",
            meta_line.get("num_projects"),
        )
    if _int(meta["num_votes"], "num_votes i META", meta_line.get("num_votes")) != len(
        election.votes
    ):
        raise PabulibError(
            f"META säger {meta['num_votes']} röster men VOTES har {len(election.votes)}.",
            meta_line.get("num_votes"),
        )
    if meta["vote_type"] == "cumulative" and any(v.points is None for v in election.votes):
        raise PabulibError("En röst med vote_type cumulative saknar points.")
    return election


def write(election: PbElection) -> str:
    """The election as Pabulib text (semicolon-separated, UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in election.meta.items():
        writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "votes", "name", "selected"])
    for p in election.projects:
        writer.writerow(
            [p.id, p.cost, p.votes or 0, p.name.replace(";", ","), 1 if p.selected else 0]
        )
    writer.writerow(["VOTES"])
    with_points = any(v.points for v in election.votes)
    writer.writerow(["voter_id", "vote", *(["points"] if with_points else [])])
    for v in election.votes:
        row = [v.voter, ",".join(v.projects)]
        if with_points:
            row.append(",".join(str(x) for x in v.points or []))
        writer.writerow(row)
    return out.getvalue()
