"""Checks for the identifiers people type: NHS numbers, UK phone numbers, postcodes, ODS codes.

Each returns the normalised value or raises ValidationError with a GOV.UK-style message that
names the field, so forms and services give the same answer.
"""

from __future__ import annotations

import re

import nhs_number
import phonenumbers
from django.core.exceptions import ValidationError

# The well-known UK postcode pattern (as used by the ONS Postcode Directory and GOV.UK
# services), including the girobank GIR 0AA; checked after spaces are removed.
POSTCODE = re.compile(
    r"^(GIR0AA|"
    r"((([A-PR-UWYZ][0-9][0-9]?)|([A-PR-UWYZ][A-HK-Y][0-9][0-9]?)|"
    r"([A-PR-UWYZ][0-9][A-HJKSTUW])|([A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]))"
    r"[0-9][ABD-HJLNP-UW-Z]{2}))$"
)
ODS_CODE = re.compile(r"^[A-Z][0-9]{5}$")  # a GP practice: a letter and five digits


def clean_postcode(value: str, label: str = "postcode") -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        raise ValidationError(f"Enter a {label}")
    if not POSTCODE.match(compact):
        raise ValidationError(f"Enter a real {label}, like SW1A 1AA")
    return f"{compact[:-3]} {compact[-3:]}"


def clean_phone(value: str, label: str = "phone number") -> str:
    """A UK phone number in E.164 (+447700900123), as GOV.UK Notify takes it."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        parsed = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            f"Enter a {label} in the correct format, like 01273 123 456 or 07912 345 678"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            f"Enter a {label} in the correct format, like 01273 123 456 or 07912 345 678"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(e164, "GB"))
    except phonenumbers.NumberParseException:
        return False
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def clean_mobile(value: str, label: str = "mobile number") -> str:
    """A mobile number (it is texted) in E.164, or "" when none is given."""
    number = clean_phone(value, label)
    if number and not is_mobile(number):
        raise ValidationError(f"Enter a mobile number as the {label}, like 07912 345 678")
    return number


def clean_local_identifier(value: str, label: str = "local health identifier") -> str:
    """A scheme's own health identifier: letters, numbers, spaces and hyphens, as typed."""
    text = re.sub(r"\s+", " ", (value or "").strip()).upper()
    if not text:
        return ""
    if len(text) > 30 or not re.fullmatch(r"[A-Z0-9][A-Z0-9 -]*", text):
        raise ValidationError(f"{label} must be letters and numbers only, up to 30 characters")
    return text


def display_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def clean_nhs_number(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value or "")
    if not digits:
        return ""
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError("NHS number must be 10 digits, like 943 476 5919")
    if not nhs_number.is_valid(digits):
        raise ValidationError("Enter a valid NHS number: the one you entered is not a real one")
    return digits


def clean_ods_code(value: str) -> str:
    code = (value or "").strip().upper()
    if not code:
        return ""
    if not ODS_CODE.match(code):
        raise ValidationError("GP practice ODS code must be a letter and 5 numbers, like A81001")
    return code
