"""Unit and outcome uploads hold only finite numbers, and files past the size limit are
refused before they are read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.trials.test_app_fixtures import csv_bytes
from whatworks.core import tabular
from whatworks.trials import imports
from whatworks.trials.forms import UploadForm


@pytest.mark.parametrize("bad", ["NaN", "inf", "-Infinity", "1e999"])
def test_it_refuses_a_baseline_that_is_not_a_finite_number(bad):
    """The reproduction: unit uploads accepted NaN and infinite baselines."""
    raw = csv_bytes(["unit_id", "age"], [["T1", 71], ["T2", bad], ["T3", 80]])
    with pytest.raises(imports.UploadRejected) as refused:
        imports.check_units(raw)
    assert [str(e) for e in refused.value.row_errors] == [
        f"Row 3, column 'age': '{bad}' is not a finite number."
    ]


def test_it_keeps_a_text_column_that_happens_to_hold_nan():
    raw = csv_bytes(["unit_id", "ward"], [["T1", "Nan"], ["T2", "North"]])
    assert imports.check_units(raw).baseline["ward"] == ["Nan", "North"]


@pytest.mark.parametrize("bad", ["inf", "NaN"])
def test_it_refuses_an_outcome_that_is_not_a_finite_number(bad):
    raw = csv_bytes(["unit_id", "outcome"], [["T1", bad], ["T2", 2.5]])
    with pytest.raises(imports.UploadRejected) as refused:
        imports.check_outcomes(raw, kind="mean", units=["T1", "T2"])
    assert [str(e) for e in refused.value.row_errors] == [
        f"Row 2, column 'outcome': '{bad}' is not a number."
    ]


def test_it_refuses_a_file_over_the_limit_before_reading_it():
    big = SimpleUploadedFile("units.csv", b"x" * 10, content_type="text/csv")
    big.size = tabular.MAX_BYTES + 1
    form = UploadForm(data={}, files={"file": big})
    assert not form.is_valid()
    assert form.errors["file"] == ["The file must be smaller than 50 MB."]


def test_it_names_a_row_problem_met_while_reading():
    raw = b"unit_id\nT1\nT2,extra\n"
    with pytest.raises(imports.UploadRejected, match="Row 3 has more cells"):
        imports.check_units(raw)
