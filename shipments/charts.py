"""Bar charts of the cost report as plain geometry for a server-rendered SVG:
no JavaScript, prints as it looks. The template draws what these compute."""

from dataclasses import dataclass
from datetime import timedelta

from .reports import CostReport


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: object
    show_label: bool


def bar_chart(
    rows, *, width: int = 720, height: int = 180, value=lambda row: row.revenue, label=lambda row: row.label
) -> dict:
    """Bars for a server-rendered SVG: no JavaScript, prints as it looks."""
    left, bottom, top_margin = 56, 28, 8
    plot_width, plot_height = width - left - 8, height - bottom - top_margin
    values = [float(value(row)) for row in rows]
    top = max(values, default=0) or 1.0
    slot = plot_width / max(len(rows), 1)
    every = max(1, len(rows) // 12)  # at most a dozen labels under the axis
    bars = [
        Bar(
            x=round(left + index * slot + slot * 0.1, 2),
            y=round(top_margin + plot_height * (1 - amount / top), 2),
            width=round(min(max(slot * 0.8, 1), 48), 2),
            height=round(plot_height * amount / top, 2),
            label=label(row),
            value=value(row),
            show_label=index % every == 0,
        )
        for index, (row, amount) in enumerate(zip(rows, values, strict=True))
    ]
    ticks = [
        {"y": round(top_margin + plot_height * (1 - share), 2), "value": round(top * share, 2)} for share in (0, 0.5, 1)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "axis_y": top_margin + plot_height,
        "right": width - 8,
        "bars": bars,
        "ticks": ticks,
    }


@dataclass(frozen=True)
class _Day:
    key: str
    label: str
    packages: int
    revenue: object


def day_chart(report: CostReport) -> dict:
    """Revenue per day, with the quiet days drawn as gaps rather than left out."""
    by_day = {row.key: row for row in report.rows.get("day", [])}
    days, current = [], report.date_from
    while current <= report.date_to:
        key = current.isoformat()
        row = by_day.get(key)
        days.append(_Day(key, current.strftime("%b %d"), row.packages if row else 0, row.revenue if row else 0))
        current += timedelta(days=1)
    return bar_chart(days)
