"""Identifiers people type: refused with a message naming the field, normalised when good."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from whatworks.checkins import validation


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("tn61aa", "TN6 1AA"),
        (" SW1A 1AA ", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_it_normalises_real_postcodes(raw: str, clean: str) -> None:
    assert validation.clean_postcode(raw) == clean


@pytest.mark.parametrize("raw", ["NOT A POSTCODE", "12345", "QQ1 1AA", "SW1A 1A", "TN6 1CA"])
def test_it_refuses_postcodes_that_cannot_exist(raw: str) -> None:
    with pytest.raises(ValidationError, match="Enter a real postcode"):
        validation.clean_postcode(raw)


def test_it_checks_the_nhs_number_checksum() -> None:
    assert validation.clean_nhs_number("943 476 5919") == "9434765919"
    with pytest.raises(ValidationError, match="not a real one"):
        validation.clean_nhs_number("943 476 5918")
    with pytest.raises(ValidationError, match="10 digits"):
        validation.clean_nhs_number("94347659")
    assert validation.clean_nhs_number("") == ""


@given(st.from_regex(r"\A[0-9]{9}\Z"), st.integers(min_value=0, max_value=9))
def test_it_refuses_every_number_with_the_wrong_check_digit(first_nine: str, last: int) -> None:
    # The maintained validator adds its own rules (such as dates in Scottish CHI numbers),
    # so this checks one direction: a wrong modulus-11 check digit is always refused.
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    check = {11: 0}.get(11 - total % 11, 11 - total % 11)
    if check == last:
        return
    with pytest.raises(ValidationError):
        validation.clean_nhs_number(first_nine + str(last))


def test_it_gives_phone_numbers_in_e164_and_refuses_bad_ones() -> None:
    assert validation.clean_phone("07912 345678") == "+447912345678"
    assert validation.clean_phone("01273 123456") == "+441273123456"
    for bad in ("12345", "07912 34567", "not a number"):
        with pytest.raises(ValidationError, match="phone number in the correct format"):
            validation.clean_phone(bad)


def test_it_checks_gp_practice_ods_codes() -> None:
    assert validation.clean_ods_code("g81001") == "G81001"
    with pytest.raises(ValidationError, match="ODS code"):
        validation.clean_ods_code("GP1")
