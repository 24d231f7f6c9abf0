"""Key figures as the key-figure cell prints them, and the comparison behind `make refresh`
and the nbval failure report: which figure moved, stored → now, by name."""

from __future__ import annotations

from analysis.output.record import KEY_FIGURE_DECIMALS, key_figure_text
from analysis.run import hygiene

STORED = """\
hist_turns                26203
hist_yield                0.8529
p_target_met              0.9241
as_of                     2023-08-25
best_edition              None
"""


def test_floats_are_printed_at_the_stated_precision():
    assert KEY_FIGURE_DECIMALS == 4
    assert key_figure_text(0.85287) == "0.8529"
    assert key_figure_text(2558.63834) == "2558.6383"
    assert key_figure_text(-0.00001) == "0.0000"  # no "-0.0000" from floating-point noise
    assert key_figure_text(26203) == "26203"
    assert key_figure_text(None) == "None"


def test_printed_lines_are_read_by_name():
    assert hygiene.key_figures(STORED) == {
        "hist_turns": "26203",
        "hist_yield": "0.8529",
        "p_target_met": "0.9241",
        "as_of": "2023-08-25",
        "best_edition": "None",
    }


def test_moved_names_each_changed_figure_old_and_new():
    now = STORED.replace("0.8529", "0.8612").replace("2023-08-25", "2023-08-24")
    assert hygiene.moved(STORED, now) == [
        ("hist_yield", "0.8529", "0.8612"),
        ("as_of", "2023-08-25", "2023-08-24"),
    ]
    assert hygiene.moved_lines(hygiene.moved(STORED, now)) == [
        "hist_yield      0.8529 → 0.8612",
        "as_of       2023-08-25 → 2023-08-24",
    ]


def test_added_and_removed_figures_are_named():
    now = STORED.replace("p_target_met              0.9241\n", "") + "units_needed  12\n"
    rows = hygiene.moved(STORED, now)
    assert rows == [("p_target_met", "0.9241", None), ("units_needed", None, "12")]
    assert hygiene.moved_lines(rows) == ["p_target_met  0.9241 → (none)", "units_needed  (none) → 12"]


def test_nothing_moves_when_only_the_layout_or_digits_beyond_the_precision_differ():
    assert hygiene.moved(STORED, STORED) == []
    assert hygiene.moved(STORED, STORED.replace("      26203", " 26203")) == []
    assert hygiene.moved(STORED, STORED.replace("0.8529", "0.85290")) == []
    assert hygiene.moved(STORED, STORED.replace("0.8529", "0.85291")) == []
    assert hygiene.moved(STORED, STORED.replace("0.8529", "0.8530")) == [("hist_yield", "0.8529", "0.8530")]


def test_printed_text_reads_stored_and_collected_outputs():
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": ["a  1\n", "b  2\n"]},
        {"output_type": "stream", "name": "stderr", "text": "warning\n"},
        {"output_type": "stream", "name": "stdout", "text": "c  3\n"},
    ]
    assert hygiene.printed_text(outputs) == "a  1\nb  2\nc  3\n"
