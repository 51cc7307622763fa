"""Unified social credit code (统一社会信用代码) check character, GB 32100-2015."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character that GB 32100-2015 computes from the first 17."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why a code is not a valid USCC, or None when it is."""
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        return f"characters {bad} are not allowed (only 0-9 and A-H J-N P Q R T U W X Y)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r} but GB 32100-2015 gives {expected!r}"
    return None
