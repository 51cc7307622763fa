"""The transition matrix chart (api/web/chart.py): well-formed SVG with an accessible name,
one cell per pair whose count and square size follow the matrix, counts legible."""

import xml.etree.ElementTree as ET

from api.web.chart import CELL, INK, PAPER, contrast, matrix_svg, side_of

SVG = "{http://www.w3.org/2000/svg}"
MATRIX = {
    "standard": {"standard": 6, "observation": 0, "prohibited": 0},
    "observation": {"standard": 1, "observation": 4, "prohibited": 1},
    "prohibited": {"standard": 0, "observation": 0, "prohibited": 4},
}


def _chart(matrix: dict[str, dict[str, int]] = MATRIX) -> ET.Element:
    svg = matrix_svg(
        matrix,
        chart_id="c",
        title="Tier transitions: 2020.07 → 2022.01",
        desc="11 cases, 2 move",
        rows_label="Rows: before",
        columns_label="Columns: after",
        labels={"standard": "一般监管", "observation": "观察期监管", "prohibited": "依法取缔"},
    )
    return ET.fromstring(svg)


def _cells(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "cell"]


def test_the_chart_parses_as_svg_named_by_its_title_and_description() -> None:
    root = _chart()
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "Tier transitions: 2020.07 → 2022.01"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "11 cases, 2 move"  # type: ignore[union-attr]


def test_there_is_one_cell_per_pair_and_each_shows_the_matrix_count() -> None:
    cells = _cells(_chart())
    assert len(cells) == 9
    for g in cells:
        count = MATRIX[g.get("data-from", "")][g.get("data-to", "")]
        assert g.get("data-count") == str(count)
        assert [t.text for t in g.iter(f"{SVG}text")] == [str(count)]
        assert g.find(f"{SVG}title").text.endswith(f": {count}")  # type: ignore[union-attr]
    assert sum(int(g.get("data-count", "")) for g in cells) == 16


def test_the_squares_areas_follow_the_counts_and_empty_cells_have_none() -> None:
    by_pair = {(g.get("data-from"), g.get("data-to")): g for g in _cells(_chart())}
    marks = {
        pair: [r for r in g.iter(f"{SVG}rect") if r.get("class") == "mark"] for pair, g in by_pair.items()
    }
    assert marks[("standard", "observation")] == []
    largest = float(marks[("standard", "standard")][0].get("width", ""))
    four = float(marks[("observation", "observation")][0].get("width", ""))
    assert largest == CELL - 8
    assert abs((four / largest) ** 2 - 4 / 6) < 0.01
    assert marks[("observation", "standard")][0].get("fill") != marks[("standard", "standard")][0].get("fill")


def test_the_axis_labels_name_the_values_in_the_given_language() -> None:
    texts = [t.text for t in _chart().iter(f"{SVG}text")]
    assert texts.count("观察期监管") == 2  # once as a column, once as a row
    assert "Rows: before" in texts and "Columns: after" in texts


def test_every_count_keeps_a_contrast_of_at_least_4_5_to_what_it_is_written_on() -> None:
    for g in _cells(_chart()):
        [label] = g.iter(f"{SVG}text")
        marks = [r for r in g.iter(f"{SVG}rect") if r.get("class") == "mark"]
        under = marks[0].get("fill", "") if label.get("data-on") == "square" else PAPER
        assert contrast(label.get("fill", INK), under) >= 4.5


def test_a_matrix_of_zeros_draws_cells_without_squares() -> None:
    root = _chart({"a": {"a": 0, "b": 0}, "b": {"a": 0, "b": 0}})
    assert len(_cells(root)) == 4
    assert not [r for r in root.iter(f"{SVG}rect") if r.get("class") == "mark"]
    assert side_of(0, 0) == 0.0


def test_texts_are_escaped_so_a_name_cannot_inject_markup() -> None:
    root = _chart({"<b>&": {"<b>&": 1}})
    assert "<b>&" in [t.text for t in root.iter(f"{SVG}text")]


def test_the_legend_names_both_colours() -> None:
    root = _chart()
    [legend] = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["unchanged", "changed"]
    fills = [r.get("fill") for r in legend.iter(f"{SVG}rect")]
    marks = {
        (g.get("data-from") == g.get("data-to")): r.get("fill")
        for g in _cells(root)
        for r in g.iter(f"{SVG}rect")
        if r.get("class") == "mark"
    }
    assert fills == [marks[True], marks[False]]
