"""Phone numbers — 电话号码规范化: one stored form per number, so duplicates and searches match.

People type numbers in many ways: "138 1234 5678", "138-1234-5678", "+86 138…", "0086…",
"(021) 6123-4567", full-width digits from a Chinese input method. All become the plain digits
(13812345678, 02161234567) before they are stored or searched.
"""

from __future__ import annotations

import re
import unicodedata

# Characters people put between digits; anything else makes the number invalid.
_SEPARATORS = re.compile(r"[\s\-‐‑–—()（）.·/]+")
# Accepted after normalisation: a mobile number (1 + 10 digits), a landline with its area code
# (0 + 9 to 11 digits), a 400/800 service number, or a local landline without area code.
VALID_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11}|[48]00\d{7}|[2-9]\d{6,7})$")
PHONE_HINT = "电话格式不正确（11位手机号、区号+座机号或400/800号码）"


def normalize_phone(raw: str) -> str:
    """The digits of ``raw`` without separators or the +86/0086 country code ("" stays "").

    Does not validate: a result that is not a phone number is returned as is, so the caller can
    say what is wrong with it (see ``is_valid_phone``).
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = _SEPARATORS.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13 and text[2] == "1":
        text = text[2:]  # 86 13812345678 written without the plus
    return text


def is_valid_phone(normalized: str) -> bool:
    return bool(VALID_PHONE.match(normalized))


def digits_only(raw: str) -> str:
    """The search form of ``raw`` when it is all digits (after separators), else ""."""
    text = normalize_phone(raw)
    return text if text.isdigit() else ""
