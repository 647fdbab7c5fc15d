"""Compact storage of whole columns in one binary field (see models.py, "Storage").

Text: UTF-8 joined by newlines (ids cannot contain a newline: the readers strip them).
Numbers: float64 bytes (NaN for missing). Small integers: int8. Each is zlib-compressed at
level 1: fast, and unit ids and 0/1 outcomes compress several-fold.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

LEVEL = 1


def pack_text(values: Sequence[str]) -> bytes:
    return zlib.compress("\n".join(values).encode("utf-8"), LEVEL)


def unpack_text(blob: bytes | memoryview | None) -> list[str]:
    if blob is None:
        return []
    text = zlib.decompress(bytes(blob)).decode("utf-8")
    return text.split("\n") if text else []


def pack_floats(values: NDArray[np.float64] | Sequence[float]) -> bytes:
    return zlib.compress(np.ascontiguousarray(values, dtype="<f8").tobytes(), LEVEL)


def unpack_floats(blob: bytes | memoryview | None) -> NDArray[np.float64] | None:
    if blob is None:
        return None
    return np.frombuffer(zlib.decompress(bytes(blob)), dtype="<f8")


def pack_codes(values: NDArray[Any] | Sequence[int]) -> bytes:
    return zlib.compress(np.ascontiguousarray(values, dtype=np.int8).tobytes(), LEVEL)


def unpack_codes(blob: bytes | memoryview) -> NDArray[np.int8]:
    return np.frombuffer(zlib.decompress(bytes(blob)), dtype=np.int8)


def pack_table(columns: dict[str, list[Any]]) -> bytes:
    """Baseline columns: a small JSON document of lists (numbers stay numbers)."""
    return zlib.compress(json.dumps(columns, allow_nan=True).encode("utf-8"), LEVEL)


def unpack_table(blob: bytes | memoryview | None) -> dict[str, list[Any]]:
    if blob is None:
        return {}
    loaded: dict[str, list[Any]] = json.loads(zlib.decompress(bytes(blob)))
    return loaded
