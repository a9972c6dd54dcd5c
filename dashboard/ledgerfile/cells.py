"""One cell's content to a value, or the reason it is refused (in Chinese and English).

Each parser takes what the reader gives (``None``, ``str``, ``int``, ``float``, ``date`` or
``datetime``) and returns the value or raises :class:`CellError`. Text is NFKC-normalised first
(full-width digits and letters, ideographic spaces) and stripped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import Enum

from dashboard.ledgerfile import spec
from models.rules import uscc_problem

#: Excel's day 0 (serial dates count from here; 60 is the phantom 1900-02-29)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellError(ValueError):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


#: full-width digits and Latin letters and the ideographic space, to their ASCII forms
_NARROW = {**{0xFF10 + i: 0x30 + i for i in range(10)}, **{0xFF21 + i: 0x41 + i for i in range(26)},
           **{0xFF41 + i: 0x61 + i for i in range(26)}, 0x3000: 0x20}


def clean_text(value: object, *, nfkc: bool = True) -> str:
    """The cell as text: full-width forms made half-width (NFKC; for names only digits, Latin
    letters and the ideographic space — a name keeps its full-width brackets and punctuation),
    zero-width characters dropped, runs of whitespace made one space, the ends stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)) if nfkc else str(value).translate(_NARROW)
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())


def is_blank(value: object) -> bool:
    return clean_text(value) == ""


#: what the exports put before a cell that would start a formula (``exports/cells.py``): taken off
#: again on import, so an exported file comes back unchanged
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def parse_text(value: object, max_len: int | None) -> str:
    text = clean_text(value, nfkc=False)
    if text.startswith(_NEUTRALISED):
        text = text[1:]
    if max_len and len(text) > max_len:
        raise CellError(f"超过 {max_len} 个字（共 {len(text)} 个）", f"longer than {max_len} characters ({len(text)})")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise CellError("含有控制字符", "contains control characters")
    return text


_CODE = re.compile(r"^[0-9A-Za-z_]{1,12}$")


def parse_code(value: object) -> str:
    text = clean_text(value)
    if isinstance(value, float) and not value.is_integer():
        raise CellError("区划代码应为字母或数字", "the code must be letters or digits")
    if not _CODE.match(text):
        raise CellError("区划代码应为 1–12 位字母或数字", "the code must be 1–12 letters or digits")
    return text.upper()


def parse_uscc(value: object) -> str:
    """A USCC: spaces dropped, upper case, 18 characters with the right check character
    (GB 32100-2015, ``models.rules.uscc_problem``)."""
    text = clean_text(value).replace(" ", "").upper()
    problem = uscc_problem(text)
    if problem:
        if len(text) != 18:
            en = f"a USCC has 18 characters, this one {len(text)}"
        elif "校验码错误" in problem:
            en = "wrong check character (the 18th)"
        else:
            en = "characters outside the USCC alphabet"
        raise CellError(problem, en)
    return text


def parse_count(value: object) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数", "must be a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError("应为整数", "must be a whole number")
        number = int(value)
    else:
        text = clean_text(value).replace(",", "").replace(" ", "")
        if text.endswith("人"):
            text = text[:-1]
        if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            raise CellError("应为整数", "must be a whole number")
        number = int(float(text)) if "." in text else int(text)
    if number < 0:
        raise CellError("不能为负数", "must not be negative")
    if number > 10_000_000:
        raise CellError("数字过大", "number too large")
    return number


def parse_bool(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = clean_text(value).upper()
    if text == "":
        return False
    if text in spec.YES:
        return True
    if text in spec.NO:
        return False
    raise CellError("应填“是”或“否”", "must be 是 (yes) or 否 (no)")


def parse_enum(value: object, enum_cls: type[Enum]) -> Enum:
    text = clean_text(value)
    folded = "".join(text.split()).casefold()
    for member, labels in spec.LABELS[enum_cls].items():
        if folded == member.value.casefold() or folded in {"".join(lab.split()).casefold() for lab in labels}:
            return member
    allowed = "、".join(spec.choices(enum_cls))
    raise CellError(f"不是允许的值（可选：{allowed}）", f"not an allowed value ({allowed})")


_YMD = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_DATE_REFUSED = (f"日期格式无法识别（可用：{spec.DATE_FORMATS_ZH}）",
                 "unrecognised date (use 2002-05-08, 2002/5/8, 2002.5.8, 2002年5月8日, 20020508 or an Excel date)")


def from_serial(serial: float) -> dt.date:
    """An Excel serial date (1900 system) to a date."""
    if serial < 61:  # before 1900-03-01 the serials count the phantom 1900-02-29
        serial += 1
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: object, *, today: dt.date | None = None) -> dt.date:
    """A date typed five ways or an Excel date; time of day must be midnight; not before 1949-10-01,
    not after today."""
    today = today or dt.date.today()
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise CellError("日期不应含时间", "a date must not carry a time of day")
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 21001231:  # 20020508 typed as a number
            return parse_date(str(int(value)), today=today)
        if not float(value).is_integer() or not 1 <= value <= 2_958_465:
            raise CellError(*_DATE_REFUSED)
        day = from_serial(value)
    else:
        text = clean_text(value).replace(" ", "")
        for pattern in _YMD:
            m = pattern.match(text)
            if m:
                try:
                    day = dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    raise CellError("不存在的日期", "no such date") from None
                break
        else:
            if re.fullmatch(r"\d{5}(\.0+)?", text):  # a serial date that came through a CSV as text
                day = from_serial(float(text))
            else:
                raise CellError(*_DATE_REFUSED)
    if day < spec.EARLIEST:
        raise CellError("日期早于 1949-10-01", "date before 1949-10-01")
    if day > today:
        raise CellError(f"日期晚于今天（{today.isoformat()}）", f"date after today ({today.isoformat()})")
    return day


_USCC_SPLIT = re.compile(r"[;；,，、\n\r]+")
_ITEM = re.compile(r"^([0-9A-Za-z]+)(?:\[(.*?)[~～至](.*?)\])?$")


def parse_uscc_list(value: object, *, today: dt.date | None = None) -> list[tuple[str, dt.date | None, dt.date | None]]:
    """``A；B[2003-05-01~2008-01-01]`` → [(A, None, None), (B, start, end)] — an entry's period only
    where it differs from its organisation's (joined later, left earlier); an empty end: still in."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    out = []
    for raw in _USCC_SPLIT.split(text):
        item = "".join(raw.split())
        if not item:
            continue
        m = _ITEM.match(item)
        if not m:
            raise CellError(f"无法识别“{item[:30]}”（写作 代码 或 代码[开始日期~结束日期]）",
                            f"cannot read {item[:30]!r} (write CODE or CODE[start~end])")
        try:
            code = parse_uscc(m[1])
        except CellError as e:
            raise CellError(f"{m[1]}：{e.zh}", f"{m[1]}: {e.en}") from None
        start = parse_date(m[2], today=today) if m[2] else None
        end = parse_date(m[3], today=today) if m[3] else None
        if start and end and end < start:
            raise CellError(f"{code} 的结束日期早于开始日期", f"{code}: the end is before the start")
        out.append((code, start, end))
    return out


def format_date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
