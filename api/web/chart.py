"""A transition matrix drawn as a server-side SVG chart: one cell per (from, to) pair, its
square sized by the count (area proportional) and coloured unchanged (diagonal) or changed,
with the count written in a colour that keeps a 4.5:1 contrast, axis labels, a title and an
accessible <title>/<desc>. Built with ElementTree, so every text is escaped."""

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping

CELL = 72
LEFT = 150
TOP = 96
FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
INK = "#1a1a1a"
PAPER = "#ffffff"
GRID = "#8a8a8a"
SAME = "#4a5a6a"  # unchanged cases (the diagonal)
MOVED = "#a33a00"  # cases whose value changes
MIN_SIDE = 10.0
LABEL_ON_SQUARE = 30.0  # a square at least this wide holds its count; smaller ones sit on paper


def luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def side_of(count: int, largest: int) -> float:
    """The square's side: its area proportional to the count, a visible minimum for one case."""
    if count <= 0 or largest <= 0:
        return 0.0
    return max(MIN_SIDE, (CELL - 8) * math.sqrt(count / largest))


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(
        parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "font-family": FONT, "fill": INK, **attrs}
    )
    element.text = text
    return element


def matrix_svg(
    matrix: Mapping[str, Mapping[str, int]],
    *,
    chart_id: str,
    title: str,
    desc: str,
    rows_label: str,
    columns_label: str,
    labels: Mapping[str, str] | None = None,
    legend: tuple[str, str] = ("unchanged", "changed"),
) -> str:
    """The matrix (keyed from-value, then to-value) as an SVG document string.

    Each cell is a <g class="cell" data-from data-to data-count> with its own <title>;
    `labels` names the values (e.g. tiers in Chinese); `legend` names the two colours
    (unchanged, changed); `chart_id` prefixes the ids."""
    names = dict(labels or {})
    values = list(matrix)
    for row in matrix.values():
        values += [v for v in row if v not in values]
    n = len(values)
    width, height = LEFT + n * CELL + 16, TOP + n * CELL + 44
    largest = max((c for row in matrix.values() for c in row.values()), default=0)
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "id": chart_id,
            "class": "chart",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = desc
    ET.SubElement(
        svg, "rect", {"x": "0", "y": "0", "width": str(width), "height": str(height), "fill": PAPER}
    )
    _text(svg, 8, 22, title, **{"font-size": "16", "font-weight": "bold"})
    _text(svg, LEFT + n * CELL / 2, 46, columns_label, **{"font-size": "13", "text-anchor": "middle"})
    _text(svg, 8, TOP - 12, rows_label, **{"font-size": "13"})
    for j, value in enumerate(values):
        x = LEFT + j * CELL + CELL / 2
        _text(svg, x, TOP - 12, names.get(value, value), **{"font-size": "12", "text-anchor": "middle"})
    for i, before in enumerate(values):
        y = TOP + i * CELL
        _text(
            svg,
            LEFT - 8,
            y + CELL / 2 + 4,
            names.get(before, before),
            **{"font-size": "12", "text-anchor": "end"},
        )
        for j, after in enumerate(values):
            count = matrix.get(before, {}).get(after, 0)
            _cell(
                svg,
                x=LEFT + j * CELL,
                y=y,
                before=before,
                after=after,
                count=count,
                largest=largest,
                names=names,
            )
    _legend(svg, y=TOP + n * CELL + 16, texts=legend)
    return ET.tostring(svg, encoding="unicode")


def _legend(svg: ET.Element, *, y: float, texts: tuple[str, str]) -> None:
    group = ET.SubElement(svg, "g", {"class": "legend"})
    for k, (fill, text) in enumerate(zip((SAME, MOVED), texts, strict=True)):
        x = LEFT + k * 150
        ET.SubElement(
            group, "rect", {"x": str(x), "y": f"{y:.1f}", "width": "14", "height": "14", "fill": fill}
        )
        _text(group, x + 20, y + 12, text, **{"font-size": "12"})


def _cell(
    svg: ET.Element,
    *,
    x: float,
    y: float,
    before: str,
    after: str,
    count: int,
    largest: int,
    names: Mapping[str, str],
) -> None:
    group = ET.SubElement(
        svg, "g", {"class": "cell", "data-from": before, "data-to": after, "data-count": str(count)}
    )
    ET.SubElement(group, "title").text = f"{names.get(before, before)} → {names.get(after, after)}: {count}"
    ET.SubElement(
        group,
        "rect",
        {
            "x": f"{x:.1f}",
            "y": f"{y:.1f}",
            "width": str(CELL),
            "height": str(CELL),
            "fill": PAPER,
            "stroke": GRID,
        },
    )
    side = side_of(count, largest)
    fill = SAME if before == after else MOVED
    if side:
        offset = (CELL - side) / 2
        ET.SubElement(
            group,
            "rect",
            {
                "class": "mark",
                "x": f"{x + offset:.1f}",
                "y": f"{y + offset:.1f}",
                "width": f"{side:.1f}",
                "height": f"{side:.1f}",
                "fill": fill,
            },
        )
    on_square = side >= LABEL_ON_SQUARE
    ink = PAPER if on_square and contrast(PAPER, fill) >= contrast(INK, fill) else INK
    label_y = y + CELL / 2 + 5 if on_square or not side else y + CELL - 4
    _text(
        group,
        x + CELL / 2,
        label_y,
        str(count),
        **{
            "font-size": "13",
            "text-anchor": "middle",
            "fill": ink,
            "data-on": "square" if on_square else "paper",
        },
    )
