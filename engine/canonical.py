"""The canonical JSON form, hashed and compared byte for byte: sorted keys, no spaces, UTF-8 text
unescaped. orjson writes it; the standard library's json.dumps is the reference it must equal.

orjson and json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
agree on every dict with string keys, list, string, bool, None, int of 64 bits and float, with one
exception measured over 2 million random doubles: for 1e-9 <= |x| < 1e-4 orjson writes 0.00001 or
1e-7 where Python writes 1e-05 and 1e-07. An output holding "0.0000" or a one-digit negative
exponent is therefore written again by the reference encoder (a string holding such text costs
only that second pass). Anything else orjson refuses (keys that are not strings, larger ints,
lone surrogates, dates, any other type, which the reference writes with str()) also goes to the
reference encoder. Not covered: NaN and the infinities (orjson writes null, json NaN) and Enum members (orjson
writes the value, json str()), which canonical data never holds: the profile contract refuses
NaN and infinities, and pydantic's JSON mode writes an enum's value."""

import hashlib
import json
import re
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_OPTIONS |= orjson.OPT_PASSTHROUGH_SUBCLASS
# A one-digit negative exponent; searched apart from "0.0000" since each alone has a literal
# prefix the regex engine scans for quickly (together: seven times slower).
_SHORT_EXPONENT = re.compile(rb"e-\d(?!\d)")


def _refuse(value: Any) -> Any:
    raise TypeError(f"not plain JSON data: {type(value).__name__}")


def reference_json(data: Any) -> str:
    """The canonical form as the standard library writes it (the definition)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _fast(data: Any) -> bytes | None:
    """orjson's bytes where they equal the reference's, else None."""
    try:
        out = orjson.dumps(data, default=_refuse, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if b"0.0000" in out or _SHORT_EXPONENT.search(out):
        return None
    return out


def canonical_bytes(data: Any) -> bytes:
    """The canonical form of `data`, UTF-8 encoded."""
    out = _fast(data)
    return reference_json(data).encode("utf-8") if out is None else out


def canonical_json(data: Any) -> str:
    """The canonical form of `data` as text."""
    out = _fast(data)
    return reference_json(data) if out is None else out.decode("utf-8")


def sha256_of(data: Any) -> str:
    """The SHA-256 of the canonical form, hex."""
    return hashlib.sha256(canonical_bytes(data)).hexdigest()
