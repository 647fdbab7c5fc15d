"""Display names that say who someone is, and cannot pass for someone else.

A name is stored normalised (Unicode NFKC, single spaces) and refused when it:

* holds an invisible or direction-changing character (zero-width spaces and joiners, the
  bidirectional overrides and isolates, any other control or format character), which can
  make a name look like another or reorder the text around it;
* mixes Latin letters with Cyrillic or Greek ones, the classic way of spelling "Sam" with a
  Cyrillic "а";
* looks like the name of another active person: the same after folding case, accents and
  look-alike letters (its "skeleton"). Two people who really share a name are asked to tell
  themselves apart, with a middle initial for example: on a platform where names carry
  authority (an answer "for" a council, a decision "by" a panel), the second John Smith
  must not be indistinguishable from the first.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

# Letters of other scripts that look like Latin ones (after case folding), from the Unicode
# confusables data for the scripts UK names are spoofed with.
_LOOK_ALIKES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
        "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ζ": "z",
        "ł": "l", "ø": "o", "đ": "d", "ı": "i",
    }
)  # fmt: skip
_SPOOF_SCRIPTS = {"CYRILLIC", "GREEK"}


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def skeleton(name: str) -> str:
    """What a name looks like: folded case, no accents, look-alike letters as Latin, only
    letters and digits, single spaces."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_LOOK_ALIKES)
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return " ".join(words)


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def normalise(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split())


def clean_display_name(name: str, *, user: Any = None) -> str:
    """The name as it will be stored, or ValidationError saying what is wrong with it.
    `user`: the person whose name it is (their own current name is no clash)."""
    from whatworks.organisations.models import User

    if any(_hidden(c) for c in name):
        raise ValidationError(
            "Your name contains an invisible or text-direction character: type it again "
            "without copying and pasting"
        )
    cleaned = normalise(name)
    if not cleaned:
        raise ValidationError("Enter your name")
    scripts = {_script(c) for c in cleaned if c.isalpha()}
    if "LATIN" in scripts and scripts & _SPOOF_SCRIPTS:
        raise ValidationError(
            "Your name mixes letters from different alphabets (such as a Cyrillic or Greek "
            "letter that looks like a Latin one): use one alphabet"
        )
    shape = skeleton(cleaned)
    if not shape:
        raise ValidationError("Enter your name using letters")
    others = User.objects.filter(is_active=True)
    if user is not None and user.pk:
        others = others.exclude(pk=user.pk)
    # Skeletons are computed in Python over every name: a database's own comparison would
    # miss look-alike letters. Tens of thousands of short names take milliseconds, once per
    # name change.
    for other in others.values_list("full_name", flat=True).iterator(chunk_size=5000):
        if skeleton(other) == shape:
            raise ValidationError(
                "Someone else on What Works has this name, or one that looks the same. Add "
                "something that tells you apart, such as a middle initial"
            )
    return cleaned
