"""Pictures computed at build time for inline SVG: the monthly timeline and the map of Ukraine's regions.

Only geometry and numbers are worked out here; templates/_charts.html draws them, so every
label passes through the template's escaping. Nothing runs in the browser.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .figures import totals
from .model import Incident
from .reference import Measure, Region

MAP_PATH = Path(__file__).resolve().parent.parent / "data" / "ukraine-regions-map.json"
CHART_WIDTH, CHART_HEIGHT, MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 640, 220, 44, 36, 12
MAX_BAR_WIDTH = 36
# An archive spanning more months than this is charted per year: a chart's size depends on the
# span of its dates, and one incident dated decades early must not draw a bar per month since.
MAX_MONTHLY_PERIODS = 72
MAP_LEVELS = (1, 2, 4, 10)  # lower bounds of shading levels 1..4; 0 incidents is level 0


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # which series: picks the colour
    label: str  # for the tooltip and the data table


@dataclass
class Chart:
    title: str
    series: list[str]
    periods: list[str]  # "March 2025", or "2025" when charted per year
    rows: list[list[int]]  # one row per period, one value per series
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)  # (y, value) for the axis
    labels: list[tuple[float, str]] = field(default_factory=list)  # (x, month label)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    period_name: str = "Month"


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def timelines(incidents: list[Incident], measures: list[Measure]) -> list[Chart]:
    """Incidents per month (per year over a long span), and the lower bounds of killed and injured, per party."""
    if not incidents:
        return []
    first, last = min(i.date for i in incidents), max(i.date for i in incidents)
    months = month_range(first, last)
    yearly = len(months) > MAX_MONTHLY_PERIODS
    period_of = (lambda day: day.replace(month=1, day=1)) if yearly else (lambda day: day.replace(day=1))
    if yearly:
        months = [dt.date(year, 1, 1) for year in range(first.year, last.year + 1)]
    by_month: dict[dt.date, list[Incident]] = {month: [] for month in months}
    for incident in incidents:
        by_month[period_of(incident.date)].append(incident)
    period = "year" if yearly else "month"
    charts = [_bars(f"Incidents per {period}", ["Incidents"], months, [[len(by_month[m])] for m in months], yearly)]
    wanted = [m for m in measures if m.key in ("killed", "injured")]
    month_totals = {month: totals(by_month[month], wanted) for month in months}
    series = sorted({(t.measure.order, t.measure.label, t.party) for ts in month_totals.values() for t in ts})
    if series:
        names = [f"{label}, according to {party}" for _, label, party in series]
        rows = [[next((t.lower for t in month_totals[m] if (t.measure.label, t.party) == (label, party)), 0)
                 for _, label, party in series] for m in months]
        charts.append(_bars(f"Killed and injured per {period} (lower bounds of the readings)", names, months, rows, yearly))
    return charts


def _bars(title: str, series: list[str], months: list[dt.date], rows: list[list[int]], yearly: bool = False) -> Chart:
    names = [f"{m:%Y}" if yearly else f"{m:%B %Y}" for m in months]
    chart = Chart(title, series, names, rows, period_name="Year" if yearly else "Month")
    top = _nice_ceiling(max((value for row in rows for value in row), default=0))
    plot_width, plot_height = CHART_WIDTH - MARGIN_LEFT - 8, CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_width / len(months)
    bar_width = min(MAX_BAR_WIDTH, max(1.0, slot * 0.8 / len(series)))
    for index, (month, row) in enumerate(zip(months, rows)):
        left = MARGIN_LEFT + index * slot + (slot - bar_width * len(series)) / 2
        for number, value in enumerate(row):
            height = plot_height * value / top if top else 0
            chart.bars.append(Bar(round(left + number * bar_width, 2), round(MARGIN_TOP + plot_height - height, 2),
                                  round(bar_width, 2), round(height, 2), number,
                                  f"{names[index]}: {series[number]}: {value:,}"))
    chart.ticks = [(round(MARGIN_TOP + plot_height - plot_height * value / top, 2), value) for value in (0, top // 2, top)] if top else [(MARGIN_TOP + plot_height, 0)]
    step = max(1, len(months) // 8)
    chart.labels = [(round(MARGIN_LEFT + i * slot + slot / 2, 2), f"{m:%Y}" if yearly else f"{m:%b %Y}")
                    for i, m in enumerate(months) if i % step == 0]
    return chart


def _nice_ceiling(value: int) -> int:
    """A round axis maximum at or above `value`: 1, 2, 5, 10, 20, 50 ..."""
    if value <= 0:
        return 0
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


@dataclass
class MapRegion:
    code: str
    name: str
    path: str
    count: int
    level: int  # 0 (no incidents) to 4 (most)
    slug: str


@dataclass
class RegionMap:
    view_box: str
    attribution: str
    regions: list[MapRegion]
    legend: list[tuple[int, str]]  # (level, text)


@lru_cache(maxsize=1)
def _map_data() -> dict:
    return json.loads(MAP_PATH.read_text(encoding="utf-8"))


def region_map(counts: dict[str, int], regions_by_code: dict[str, Region]) -> RegionMap:
    """Ukraine's regions shaded by their number of incidents; names from the archive's own regions."""
    data = _map_data()
    drawn = []
    for code, entry in sorted(data["regions"].items()):
        region = regions_by_code.get(code)
        count = counts.get(code, 0)
        level = sum(count >= threshold for threshold in MAP_LEVELS)
        drawn.append(MapRegion(code, region.name if region else entry["name"], entry["path"], count, level, code.lower()))
    legend = [(0, "none"), (1, "1"), (2, "2–3"), (3, "4–9"), (4, "10 or more")]
    return RegionMap(data["viewBox"], data["attribution"], drawn, legend)


def map_codes() -> set[str]:
    return set(_map_data()["regions"])
