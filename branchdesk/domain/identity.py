"""Contact identifiers as people type them: mainland phone numbers (mobile, landline,
400/800) normalised to one canonical form and masked for display, and 18-digit resident
ID numbers checked by their GB 11643 check character and masked."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

__all__ = [
    "check_resident_id",
    "mask_id",
    "mask_phone",
    "normalise_phone",
    "resident_id_check_character",
    "validate_resident_id",
]


# --- phone numbers -----------------------------------------------------------------

_PHONE_CHARS = re.compile(r"\+?\s*\d[\d\s-]*\d")
_BALANCED_PARENS = re.compile(r"[^()]*(?:\([^()]*\)[^()]*)*")
_EXTENSION_MARK = re.compile(r"\s*(?:转|ext\.?|x)\s*", re.IGNORECASE)
_EXTENSION = re.compile(r"\d{1,6}")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def _landline(digits: str) -> str | None:
    """ "02012345678" -> "020-12345678". Area codes are 010 and 02x (two digits after
    the 0, where every local number has 8 digits) or 0 + three digits (7 or 8)."""
    if len(digits) < 3 or digits[0] != "0":
        return None
    if digits[1] == "1":
        area = digits[:3] if digits[:3] == "010" else ""
    elif digits[1] == "2":
        area = digits[:3]
    elif digits[1] in "3456789":
        area = digits[:4]
    else:
        area = ""
    if not area:
        return None
    local = digits[len(area) :]
    lengths = (8,) if len(area) == 3 else (7, 8)
    # A local number never starts with 0: that is the trunk prefix of the next area code.
    if len(local) not in lengths or local[0] == "0":
        return None
    return f"{area}-{local}"


def _number_without_extension(text: str) -> str | None:
    if not _BALANCED_PARENS.fullmatch(text):
        return None
    flat = text.replace("(", " ").replace(")", " ").strip()
    if not _PHONE_CHARS.fullmatch(flat):
        return None
    digits = re.sub(r"\D", "", flat)
    national: str
    if flat.startswith("+") and not digits.startswith("86"):
        return None  # only mainland numbers are served
    if flat.startswith("+") or digits.startswith("0086"):
        rest = digits[2:] if flat.startswith("+") else digits[4:]
        if rest[:3] in ("400", "800"):
            return None  # service numbers cannot be dialled from abroad
        # "+86 (0)20 …": some people keep the trunk 0 after the country code.
        national = rest if rest.startswith(("1", "0")) else "0" + rest
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        national = digits[2:]
    else:
        national = digits
    if _MOBILE.fullmatch(national):
        return national
    if len(national) == 10 and national[:3] in ("400", "800"):
        return national
    return _landline(national)


def normalise_phone(raw: str) -> str | None:
    """Canonical form of a mainland phone number, or None if it is not one.

    Mobile "13812345678" (from "+86 138 1234 5678", "0086-138…", "86138…"); landline
    "020-12345678" or "0755-87654321-123" with an extension (from "(0755) 8765 4321",
    "020 1234 5678", "020-12345678转123", "+86 20 1234 5678"); service numbers
    "4001234567" / "8001234567".
    """
    if not isinstance(raw, str):
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text or len(text) > 40:
        return None
    parts = _EXTENSION_MARK.split(text)
    if len(parts) == 2:
        main, extension = parts
        number = _number_without_extension(main)
        if number is None or not number.startswith("0") or not _EXTENSION.fullmatch(extension):
            return None
        return f"{number}-{extension}"
    if len(parts) > 2:
        return None
    if "-" in text:
        # "0571-8765432-1": a trailing dash group is an extension when what precedes it is
        # already a whole landline number; "0755-8765-4321" is just a grouped number.
        head, tail = text.rsplit("-", 1)
        tail = tail.strip()
        if _EXTENSION.fullmatch(tail):
            number = _number_without_extension(head)
            if number is not None and number.startswith("0"):
                return f"{number}-{tail}"
    return _number_without_extension(text)


def mask_phone(phone: str) -> str:
    """The number as printed on receipts and lists: "138****1234", "020-****5678",
    "400***4567". The extension is dropped. Text that is not a phone number keeps only
    its last four characters."""
    canonical = normalise_phone(phone)
    if canonical is None:
        text = phone.strip() if isinstance(phone, str) else ""
        return "*" * max(len(text) - 4, 4) + text[-4:] if len(text) > 4 else "****"
    if canonical.startswith("0"):
        area, local = canonical.split("-")[:2]
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    if len(canonical) == 11:
        return f"{canonical[:3]}****{canonical[-4:]}"
    return f"{canonical[:3]}***{canonical[-4:]}"


# --- resident ID numbers (GB 11643-1999) -------------------------------------------

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
# Province-level codes (the first two digits); 71/81/82 are Taiwan, Hong Kong and Macao,
# 83 the residence permits of Taiwan residents.
_PROVINCES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)
# GB 11643's own worked example is born in 1880; earlier years are typing errors.
_ID_EARLIEST_BIRTH = date(1850, 1, 1)


def resident_id_check_character(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def check_resident_id(raw: str, today: date) -> tuple[str | None, str | None]:
    """(canonical ID, None) or (None, message key of the problem)."""
    text = unicodedata.normalize("NFKC", raw).replace(" ", "").strip().upper()
    if not _ID_SHAPE.fullmatch(text):
        return None, "error.id_number.format"
    # Foreigners' permanent residence cards (2023) start with 9, then the province code.
    region = text[1:3] if text[0] == "9" else text[:2]
    if region not in _PROVINCES:
        return None, "error.id_number.region"
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None, "error.id_number.birth_date"
    if not _ID_EARLIEST_BIRTH <= birth <= today:
        return None, "error.id_number.birth_date"
    if resident_id_check_character(text[:17]) != text[17]:
        return None, "error.id_number.checksum"
    return text, None


def validate_resident_id(raw: str, *, today: date | None = None) -> str | None:
    """The 18-character resident ID in canonical form (upper-case X), or None when the
    shape, region, birth date (a real day, not after `today`) or check character is wrong."""
    if not isinstance(raw, str):
        return None
    return check_resident_id(raw, today or date.today())[0]


def mask_id(id_number: str) -> str:
    """ "1101**********002X": the first four and last four characters stay."""
    text = id_number.strip()
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"
