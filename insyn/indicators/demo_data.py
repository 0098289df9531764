"""The demo data set: Kolada-format files and budget files for Uppsala and its peers.

The numbers are invented demo figures in Kolada's format, NOT real Kolada values. The bundled
files in ``insyn/indicators/data/`` are written by this module (``python -m
insyn.indicators.demo_data``); a test checks that they are in step.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
YEARS = list(range(2015, 2025))
HOME = ("0380", "Uppsala")
PEERS = [
    ("0580", "Linköping"),
    ("1880", "Örebro"),
    ("1980", "Västerås"),
    ("0581", "Norrköping"),
    ("1283", "Helsingborg"),
    ("1281", "Lund"),
    ("2480", "Umeå"),
    ("0680", "Jönköping"),
    ("1480", "Göteborg"),
    ("1280", "Malmö"),
]
KOLADA_GROUP = (
    "G38380",
    "Liknande kommuner, övergripande, Uppsala, 2024 (demo)",
    ["0580", "1281", "2480", "1880", "1980", "1480", "1280"],
)
CUSTOM_GROUP = (
    "Jämförbara större städer",
    "Uppsalas egen jämförelsegrupp (demo): städer av "
    "liknande storlek och med universitet eller regionsjukhus.",
    ["0580", "1880", "1980", "0581", "1283", "1281", "2480", "0680"],
)
PAGE_SIZE = 120

# id, title, description, gender split, base, yearly change, spread, decimals,
# gender offset (women minus men), publ period, publication date
KPIS: list[dict[str, Any]] = [
    {
        "id": "N00097",
        "title": "Nettokostnadsavvikelse totalt (exkl. LSS), (%)",
        "description": "Kommunens faktiska nettokostnad jämfört med den kostnad som kommunens "
        "struktur motiverar, i procent. Positivt värde betyder högre kostnad än "
        "förväntat.",
        "gender": False,
        "base": 1.6,
        "trend": -0.25,
        "spread": 2.5,
        "decimals": 1,
        "operating_area": "Kommunen, övergripande",
        "perspective": "Resurser",
        "publ_period": "2024",
        "publication_date": "2025-06-17",
    },
    {
        "id": "N00090",
        "title": "Sjukfrånvaro kommunalt anställda, andel av ordinarie arbetstid (%)",
        "description": "Sjukfrånvaro bland kommunens anställda som andel av den sammanlagda "
        "ordinarie arbetstiden.",
        "gender": True,
        "base": 7.2,
        "trend": 0.05,
        "spread": 0.9,
        "decimals": 1,
        "gender_offset": 3.5,
        "operating_area": "Kommunen, övergripande",
        "perspective": "Resurser",
        "publ_period": "2024",
        "publication_date": "2025-04-28",
    },
    {
        "id": "N11805",
        "title": "Barn 1-5 år inskrivna i förskola, andel (%)",
        "description": "Antal inskrivna barn 1–5 år i förskola som andel av alla barn 1–5 år i "
        "kommunen.",
        "gender": True,
        "base": 84.0,
        "trend": 0.45,
        "spread": 4.0,
        "decimals": 1,
        "gender_offset": 0.4,
        "operating_area": "Förskoleverksamhet",
        "perspective": "Volymer",
        "publ_period": "2024",
        "publication_date": "2025-05-30",
    },
    {
        "id": "U07414",
        "title": "Invånare som känner sig trygga utomhus när det är mörkt, andel (%)",
        "description": "Andel invånare 18–84 år som svarar att de känner sig trygga när de går "
        "ut ensamma en sen kväll i sitt bostadsområde.",
        "gender": True,
        "base": 71.0,
        "trend": -0.4,
        "spread": 5.0,
        "decimals": 0,
        "gender_offset": -18.0,
        "operating_area": "Trygghet och säkerhet",
        "perspective": "Kvalitet",
        "publ_period": "2024",
        "publication_date": "2025-03-14",
        "missing": [2020],
    },
    {
        "id": "N31807",
        "title": "Invånare som någon gång under året erhållit ekonomiskt bistånd, andel (%)",
        "description": "Antal invånare som någon gång under året fått ekonomiskt bistånd, som "
        "andel av alla invånare.",
        "gender": False,
        "base": 3.6,
        "trend": -0.08,
        "spread": 1.2,
        "decimals": 1,
        "operating_area": "Individ- och familjeomsorg",
        "perspective": "Volymer",
        "publ_period": "2024",
        "publication_date": "2025-05-15",
    },
]

BUDGET_2023 = [
    ("Kommunstyrelsen", "", 612.4),
    ("Utbildningsnämnden", "Förskola", 1478.2),
    ("Utbildningsnämnden", "Grundskola", 2764.9),
    ("Utbildningsnämnden", "Gymnasieskola", 718.5),
    ("Omsorgsnämnden", "", 2448.0),
    ("Äldrenämnden", "", 2151.3),
    ("Socialnämnden", "", 1046.7),
    ("Arbetsmarknadsnämnden", "", 719.8),
    ("Gatu- och samhällsmiljönämnden", "", 561.2),
    ("Idrotts- och fritidsnämnden", "", 329.6),
    ("Kulturnämnden", "", 258.4),
    ("Räddningsnämnden", "", 188.9),
    ("Plan- och byggnadsnämnden", "", 91.3),
    ("Miljö- och hälsoskyddsnämnden", "", 39.7),
    ("Överförmyndarnämnden", "", 34.8),
]
BUDGET_CHANGE_2024 = {
    "Kommunstyrelsen": -0.021,
    "Utbildningsnämnden": 0.034,
    "Omsorgsnämnden": 0.052,
    "Äldrenämnden": 0.047,
    "Socialnämnden": 0.012,
    "Arbetsmarknadsnämnden": -0.038,
    "Gatu- och samhällsmiljönämnden": 0.029,
    "Idrotts- och fritidsnämnden": 0.015,
    "Kulturnämnden": 0.0,
    "Räddningsnämnden": 0.041,
    "Plan- och byggnadsnämnden": -0.054,
    "Miljö- och hälsoskyddsnämnden": 0.025,
    "Överförmyndarnämnden": 0.03,
}


def _envelope(values: list[Any], next_url: str | None = None) -> dict[str, Any]:
    return {"values": values, "count": len(values), "next_url": next_url, "previous_url": None}


def _series(kpi: dict[str, Any], area: str, rng: random.Random) -> dict[int, float]:
    level = kpi["base"] + (0 if area == HOME[0] else rng.uniform(-kpi["spread"], kpi["spread"]))
    trend = kpi["trend"] * (1 if area == HOME[0] else rng.uniform(0.4, 1.4))
    result = {}
    for index, year in enumerate(YEARS):
        noise = rng.uniform(-0.15, 0.15) * kpi["spread"]
        value = level + trend * index + noise
        result[year] = round(value, kpi["decimals"])
    return result


def build() -> dict[str, Any]:
    """File name → JSON object (or text for CSV)."""
    rng = random.Random(380)
    areas = [HOME, *PEERS]
    files: dict[str, Any] = {}
    files["kpi.json"] = _envelope(
        [
            {
                "id": k["id"],
                "title": k["title"],
                "description": k["description"],
                "is_divided_by_gender": k["gender"],
                "municipality_type": "K",
                "auspice": "X",
                "operating_area": k["operating_area"],
                "perspective": k["perspective"],
                "prel_publication_date": None,
                "publication_date": k["publication_date"],
                "publ_period": k["publ_period"],
                "has_ou_data": False,
            }
            for k in KPIS
        ]
    )
    files["municipality.json"] = _envelope(
        [{"id": code, "title": name, "type": "K"} for code, name in areas]
        + [
            {"id": "0000", "title": "Riket", "type": "L"},
            {"id": "0003", "title": "Region Uppsala", "type": "L"},
        ]
    )
    group_id, group_title, group_members = KOLADA_GROUP
    names = dict(areas)
    files["municipality_groups.json"] = _envelope(
        [
            {
                "id": group_id,
                "title": group_title,
                "members": [
                    {"member_id": code, "member_title": names[code]} for code in group_members
                ],
            }
        ]
    )
    items: list[dict[str, Any]] = []
    for kpi in KPIS:
        series = {code: _series(kpi, code, rng) for code, _ in areas}
        country = {
            year: round(
                sum(s[year] for s in series.values()) / len(series) + rng.uniform(-0.3, 0.3),
                kpi["decimals"],
            )
            for year in YEARS
        }
        for code, _ in [*areas, ("0000", "Riket")]:
            values = country if code == "0000" else series[code]
            for year in YEARS:
                missing = code == HOME[0] and year in kpi.get("missing", [])
                total = None if missing else values[year]
                entries = [
                    {"gender": "T", "count": 1, "status": "", "value": total, "isdeleted": False}
                ]
                if kpi["gender"]:
                    half = kpi.get("gender_offset", 0) / 2
                    for gender, sign in (("K", 1), ("M", -1)):
                        value = (
                            None if total is None else round(total + sign * half, kpi["decimals"])
                        )
                        entries.append(
                            {
                                "gender": gender,
                                "count": 1,
                                "status": "",
                                "value": value,
                                "isdeleted": False,
                            }
                        )
                items.append(
                    {"kpi": kpi["id"], "municipality": code, "period": year, "values": entries}
                )
        for year in YEARS:
            members = [series[code][year] for code in group_members]
            items.append(
                {
                    "kpi": kpi["id"],
                    "municipality": group_id,
                    "period": year,
                    "values": [
                        {
                            "gender": "T",
                            "count": len(members),
                            "status": "",
                            "value": round(sum(members) / len(members), kpi["decimals"]),
                            "isdeleted": False,
                        }
                    ],
                }
            )
    pages = [items[start : start + PAGE_SIZE] for start in range(0, len(items), PAGE_SIZE)]
    for number, page in enumerate(pages, start=1):
        next_name = f"data-{number + 1}.json" if number < len(pages) else None
        files[f"data-{number}.json"] = _envelope(page, next_name)
    files["budget-2023.csv"] = _budget_csv(BUDGET_2023)
    files["budget-2024.csv"] = _budget_csv(
        [
            (board, activity, round(amount * (1 + BUDGET_CHANGE_2024[board]), 1))
            for board, activity, amount in BUDGET_2023
        ]
    )
    return files


def _budget_csv(rows: list[tuple[str, str, float]]) -> str:
    lines = ["Nämnd;Verksamhet;Nettokostnad (mnkr)"]
    for board, activity, amount in rows:
        text = f"{amount:,.1f}".replace(",", " ").replace(".", ",")
        lines.append(f"{board};{activity};{text}")
    return "\n".join(lines) + "\n"


def serialise(content: Any) -> str:
    if isinstance(content, str):
        return content
    values = content["values"]
    lines = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in values)
    rest = {k: v for k, v in content.items() if k != "values"}
    tail = json.dumps(rest, ensure_ascii=False)[1:-1]
    return '{"values": [\n' + lines + "\n],\n" + tail + "}\n"


def write(directory: Path = DATA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in build().items():
        path = directory / name
        path.write_text(serialise(content), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR):
        print(path)
