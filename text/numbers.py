"""Numbers, currencies and units in Chinese and English text.

* ``numbers(text)``: numbers written in digits with their multiplier and percent sign, in
  order, match-keyed: ``"达 4329.7 万元，增长 46.8%"`` -> ``["4329.7万", "46.8%"]``.
* ``contains_number(text, number)``: ``number`` occurs in ``text`` as a whole number:
  ``4329.7万`` is in ``"达4329.7万元"``; ``61万`` is not in ``"761万元"``; ``5`` is not in ``"5.8"``;
  a number from 11 to 99 may be written in Chinese numerals (``20`` is in ``"二十世纪"``:
  ``chinese_numeral``).
* ``QUANTITY`` (a regex source): a number in digits or Chinese numerals, an optional
  multiplier and ``多``/``余`` (``5.8万余``, ``近300``, ``七``); an approximate numeral before a
  multiplier is part of it (``数百``, ``几千``).
* ``MONEY``: an amount of money in any currency: a quantity followed by a currency word
  (``元``, ``美元``, ``欧元``, ``港元``, ``日元``, ``英镑``...) or preceded by a currency sign
  (``$``, ``€``, ``¥``, ``£``, ``US$``, ``HK$``); ``money_spans`` finds them with their currency.
* ``has_quantity(text, units)``: a quantity followed by one of ``units``.
* ``dates(text)`` / ``contains_date(text, date)``: calendar dates with a month and a day
  (``2009年3月17日``, ``3月17号``, ``2009-03-17``, ``2009/3/17``) as ``(year or None, month,
  day)``; a date is in a text when a date there has the same month and day and, where both
  give one, the same year.
"""
from __future__ import annotations

import re

from text.fold import match_key

_DIGIT_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[万亿千百]+)?%?")

#: A quantity in digits or Chinese numerals, optional multiplier, optional 多/余.
QUANTITY = r"(?:\d(?:[\d.,]*\d)?|[数几](?=[十百千万亿])十?|[零一二三四五六七八九十两百千]+)\s*(?:[万亿千百]\s*)*(?:多|余)?"

#: A calendar year of the 20th or 21st century (``2012年``, not ``2000多年``): no count of
#: years; ``自2012年开始`` does not answer ``服务了多少年`` (``quantity_pattern``).
CALENDAR_YEAR = r"(?:19|20)\d{2}\s*年(?![多余])"


def quantity_pattern(units: tuple[str, ...] | frozenset[str]) -> str:
    """Regex (a string) of a quantity (``QUANTITY``, starting a number, not inside one: not
    after a digit, a decimal point or a thousands comma; a clause comma may precede it)
    followed by one of ``units`` (longest first: ``平方公里`` before ``公里``); when ``units``
    hold ``年`` a calendar year (``CALENDAR_YEAR``) is no match. For match-key (Simplified,
    half-width) text. ``units`` must not be empty."""
    alt = "|".join(sorted((re.escape(u) for u in units), key=len, reverse=True))
    year = rf"(?!{CALENDAR_YEAR})" if "年" in units else ""
    return rf"(?<![\d.])(?<!\d,){year}{QUANTITY}\s*(?:{alt})"


#: Currency words written after the amount (longest first in the pattern).
CURRENCY_WORDS: tuple[str, ...] = ("新台币", "人民币", "美元", "欧元", "港元", "港币", "日元", "英镑",
                                  "卢布", "韩元", "澳元", "加元", "台币", "美金", "元", "块",
                                  "dollars", "dollar", "euros", "euro", "yuan", "rmb", "usd", "eur")
#: Currency signs written before the amount.
CURRENCY_SIGNS: tuple[str, ...] = ("US$", "HK$", "NT$", "RMB", "$", "€", "¥", "￥", "£")

_WORDS = "|".join(sorted((re.escape(w) for w in CURRENCY_WORDS), key=len, reverse=True))
_SIGNS = "|".join(sorted((re.escape(s) for s in CURRENCY_SIGNS), key=len, reverse=True))
MONEY = re.compile(rf"(?:(?P<sign>{_SIGNS})\s*(?P<a1>\d(?:[\d.,]*\d)?\s*(?:[万亿千百]|million|billion|thousand|[mbk])?)"
                   rf"|(?P<a2>{QUANTITY})\s*(?P<word>{_WORDS}))", re.IGNORECASE)


def numbers(text: str) -> list[str]:
    """Digit numbers of ``text`` with multiplier and percent sign, match-keyed, in order;
    single digits are kept. ``"４,３２９ 万"`` -> ``["4", "329万"]`` (thousands separators
    are not joined: news text writes 4329 or 4329.7)."""
    return _DIGIT_NUMBER.findall(match_key(text))


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def contains_number(text: str, number: str) -> bool:
    """True when ``match_key(text)`` holds ``number`` (from ``numbers()``) as a whole number;
    thousands separators are ignored on both sides (``4,000年前`` holds ``4000``); a day
    (``8日``) is held as ``8日`` or ``8号``; a two-digit number from 11 also as a whole
    Chinese numeral (``20`` in ``二十世纪``, not in ``一百二十`` or ``二十万``: ``chinese_numeral``;
    ``十`` alone, as in ``十分``, is too ambiguous)."""
    t = _THOUSANDS.sub("", match_key(text))
    number = _THOUSANDS.sub("", number)
    if number.endswith("日") and number[:-1].isdigit():
        pat = r"(?<![\d.])" + re.escape(number[:-1]) + "[日号]"
    else:
        pat = r"(?<![\d.])" + re.escape(number)
    if number and number[-1].isdigit():
        pat += r"(?!\.?\d)"
    if re.search(pat, t) is not None:
        return True
    numeral = chinese_numeral(int(number)) if number.isdecimal() and number.isascii() else None
    return numeral is not None and len(numeral) >= 2 and re.search(
        rf"(?<![{_NUMERAL_CHARS}]){numeral}(?![{_NUMERAL_CHARS}点])", t) is not None


#: characters that continue a Chinese numeral (digits, 十百千万亿, 两, 零; 点 after it: ``二十点五``)
_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"
_CN_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str | None:
    """The Chinese numeral of a two-digit number (``10`` -> ``十``, ``20`` -> ``二十``, ``21``
    -> ``二十一``), as written in ``二十世纪`` or ``第十一届``; None outside 10-99."""
    if not 10 <= n <= 99:
        return None
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


#: a numeral of any writing: a digit (any script), a Chinese numeral character, or a word
#: standing for a number (半 ``一半``, 几 ``几十个``, 数 ``数万元``); generous on purpose
_ANY_NUMERAL = re.compile(rf"\d|[{_NUMERAL_CHARS}半几数]")


def has_numeral(text: str) -> bool:
    """True when ``text`` writes some number (``_ANY_NUMERAL``: ``4329.7万元``, ``五分之四``,
    ``数万元``); False for ``铜`` or ``贵州``. A count, an amount or a share is written with one."""
    return _ANY_NUMERAL.search(text or "") is not None


def chinese_number_value(numeral: str) -> int | None:
    """The value of a Chinese numeral of 0-99 (``三`` -> 3, ``十五`` -> 15, ``二十三`` -> 23, ``两``
    -> 2) or of a digit string (``"14"`` -> 14); None for anything else."""
    if numeral.isdecimal() and numeral.isascii():
        return int(numeral)
    digits = {c: i for i, c in enumerate(_CN_DIGITS)} | {"〇": 0, "两": 2}
    if len(numeral) == 1 and numeral in digits:
        return digits[numeral]
    tens, ten, ones = numeral.partition("十")
    if not ten or len(tens) > 1 or len(ones) > 1 or not all(c in digits for c in tens + ones):
        return None
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def numeral_forms(value: int) -> tuple[str, ...]:
    """How 0-99 is written: in digits and in Chinese numerals (``4`` -> ``("4", "四")``, ``14``
    -> ``("14", "十四")``)."""
    cn = _CN_DIGITS[value] if 0 <= value <= 9 else chinese_numeral(value)
    return (str(value),) + ((cn,) if cn else ())


def money_spans(text: str) -> list[tuple[str, str]]:
    """``(amount text, currency)`` of every amount of money in ``match_key(text)``, in order:
    ``"海外营收为12亿美元，国内营收为300亿元"`` -> ``[("12亿美元", "美元"), ("300亿元", "元")]``."""
    out = []
    for m in MONEY.finditer(match_key(text)):
        cur = (m.group("sign") or m.group("word") or "").lower()
        out.append((m.group(0), cur))
    return out


def has_quantity(text: str, units: tuple[str, ...] | frozenset[str]) -> bool:
    """True when ``match_key(text)`` holds a quantity (``QUANTITY``) followed by one of
    ``units`` (``quantity_pattern``: ``has_quantity("近300名投递员", {"名", "人"})``; not
    ``has_quantity("自2012年开始", {"年"})``, a calendar year)."""
    if not units:
        return False
    return re.search(quantity_pattern(units), match_key(text)) is not None


_CN_DATE = re.compile(r"(?:(?<!\d)(?P<y>\d{3,4})\s*年\s*)?(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
_NUM_DATE = re.compile(r"(?<![\d.])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d.])")


def dates(text: str) -> list[tuple[int | None, int, int]]:
    """Calendar dates of ``text`` (digits, any width), in order: ``(year or None, month, day)``;
    impossible months or days (``13月``, ``32日``) are left out.
    ``dates("2009年3月17日与4月1号")`` -> ``[(2009, 3, 17), (None, 4, 1)]``."""
    t = match_key(text or "")
    found: list[tuple[int, tuple[int | None, int, int]]] = []
    for pat in (_CN_DATE, _NUM_DATE):
        for m in pat.finditer(t):
            y = int(m.group("y")) if m.group("y") else None
            mo, d = int(m.group("m")), int(m.group("d"))
            if 1 <= mo <= 12 and 1 <= d <= 31:
                found.append((m.start(), (y, mo, d)))
    return [d for _, d in sorted(found)]


def date_text(date: tuple[int | None, int, int]) -> str:
    """``(2009, 3, 17)`` -> ``"2009年3月17日"``; ``(None, 4, 1)`` -> ``"4月1日"``."""
    y, m, d = date
    return (f"{y}年" if y else "") + f"{m}月{d}日"


def contains_date(text: str, date: tuple[int | None, int, int]) -> bool:
    """True when ``text`` holds ``date`` (``dates``): same month and day, and the same year
    where both give one (``3月17日`` holds ``2009年3月17日``: news gives the year once)."""
    y, mo, d = date
    return any(m == mo and dd == d and (y is None or yy is None or yy == y) for yy, m, dd in dates(text))
