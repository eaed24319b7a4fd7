"""What a statement says, in a canonical form that claim identity compares.

Two reports of one statement differ in punctuation, quote marks, case, "isn't" versus "is not",
"5 percent" versus "5%", or "Mr. Trump" versus "Donald Trump". Two *different* statements can
differ in a single word: a number (5 versus 50 percent), a negation (binding versus not binding),
a name (Paris versus London) or any other word (tariffs versus traffic). Identity must see through
the first kind and never through the second, so the comparison here is exact on a canonical token
sequence, with no fuzzy tolerance at all:

- words are case-folded; "a", "an" and "the" are dropped; hyphenated compounds are joined;
- numbers become their value ("5,000", "5000" and "five thousand" are one token; "$5m" and
  "5 million dollars" too), with percent, ordinal and currency marks kept;
- contracted negations are spelled out ("doesn't" is "does not"), so polarity is a token like any
  other and adding "not", "no", "never" or "without" changes the sequence;
- a name's title or honorific ("Mr.", "President") is dropped, and its given names are set aside
  and compared on their own: a titled surname ("Mr. Trump") may stand for the full name ("Donald
  Trump"), anything else must match exactly.

Missing a true restatement costs a duplicate claim an admin can merge; folding two different
statements loses one of them. So when in doubt this module says "different".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from claims.normalize import clean_text

_STOPWORDS = frozenset({"a", "an", "the"})
#: Words that come before a name and are not part of it.
_TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev",
    "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "adm", "president", "vice", "prime",
    "minister", "chancellor", "secretary", "senator", "governor", "representative", "congressman",
    "congresswoman", "mayor", "general", "judge", "justice", "king", "queen", "prince", "princess",
    "pope", "ambassador", "commissioner", "chairman", "chairwoman", "premier", "president-elect",
})
#: Capitalised words that begin sentences and are never part of a name.
_NOT_NAMES = frozenset({
    "i", "we", "you", "he", "she", "it", "they", "this", "that", "these", "those", "there", "here",
    "and", "but", "or", "so", "if", "when", "while", "as", "in", "on", "at", "of", "for", "to", "by",
    "with", "from", "after", "before", "yesterday", "today", "tomorrow", "now", "then", "however",
    "also", "still", "yet", "our", "my", "your", "his", "her", "their", "its", "what", "who", "how",
    "why", "where", "all", "every", "some", "many", "most", "no", "not", "never", "nobody", "none",
    "nothing", "neither", "nor", "without", "last", "next", "earlier", "later", "meanwhile",
    "january", "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday",
})
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20,
    "thirtieth": 30, "hundredth": 100, "thousandth": 1000,
}
_SUFFIX_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "b": 10**9, "tn": 10**12}
_CURRENCY_SIGNS = {"$": "usd", "€": "eur", "£": "gbp", "¥": "jpy"}
_CURRENCY_WORDS = {"dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur"}
_PERCENT_WORDS = frozenset({"percent", "pct"})
_NEGATED = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}

_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
#: Periods that do not end a sentence: after a title or a middle initial.
_ABBREVIATION = re.compile(
    r"\b(Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Adm|Rev|St|Jr|Sr|Mt)\."
    r"|\b([A-Z])\.(?=\s+[A-Z])"
)
_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_TOKEN = re.compile(
    r"(?P<cur>[$€£¥])?\s?(?P<num>\d+(?:[.,]\d+)*)(?P<suffix>%|(?:k|m|mn|bn|b|tn|st|nd|rd|th|s)\b)?"
    r"|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)*)"
    r"|(?P<stop>[.!?;:,()\[\]\"])"
)
_LAST_WORD = re.compile(r"[^\W\d_]+$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Name:
    """A name in a statement: its surname is in the token sequence, the rest is kept here."""

    position: int
    given: tuple[str, ...]
    titled: bool


@dataclass(frozen=True, slots=True)
class Wording:
    """A statement's canonical tokens (``key``) and the names whose given names were set aside."""

    key: str
    names: tuple[Name, ...]


@dataclass(slots=True)
class _Word:
    text: str
    capital: bool


def wording(text: str) -> Wording:
    """The canonical form of ``text`` (see the module docstring for what is folded)."""
    tokens: list[str] = []
    names: list[Name] = []
    span: list[_Word] = []

    def close_span() -> None:
        if span:
            _emit_span(span, tokens, names)
            span.clear()

    for item in _items(text):
        if isinstance(item, _Word) and _in_name(item):
            span.append(item)
            continue
        close_span()
        if isinstance(item, _Word):
            word = item.text.casefold()
            if word not in _STOPWORDS:
                tokens.append(word)
        elif item is not None:
            tokens.append(item)
    close_span()
    return Wording(key=" ".join(tokens), names=tuple(names))


def same_wording(a: Wording, b: Wording) -> bool:
    """Whether two statements say the same thing: identical tokens and compatible names."""
    if a.key != b.key:
        return False
    left = {n.position: n for n in a.names}
    right = {n.position: n for n in b.names}
    blank = Name(position=-1, given=(), titled=False)
    return all(
        _same_person(left.get(pos, blank), right.get(pos, blank)) for pos in set(left) | set(right)
    )


def _same_person(a: Name, b: Name) -> bool:
    """Given names agree, or one side named the person by title and surname only ("Mr. Trump")."""
    if a.given == b.given:
        return True
    if (not a.given and a.titled) or (not b.given and b.titled):
        return True
    # "Donald J. Trump" and "Donald Trump": the same given names apart from initials
    return [g for g in a.given if len(g) > 1] == [g for g in b.given if len(g) > 1]


def _in_name(word: _Word) -> bool:
    """Whether ``word`` continues (or starts) a run of capitalised words that may be a name."""
    low = word.text.casefold()
    return word.capital and low not in _STOPWORDS and low not in _NOT_NAMES


def _emit_span(span: list[_Word], tokens: list[str], names: list[Name]) -> None:
    """A run of capitalised words: leading titles dropped, the last word kept as the surname."""
    words = [w.text.casefold() for w in span]
    titled = False
    while len(words) > 1 and words[0] in _TITLES:
        words.pop(0)
        titled = True
    *given, surname = words
    tokens.append(surname)
    if given or titled:
        names.append(Name(position=len(tokens) - 1, given=tuple(given), titled=titled))


def _items(text: str) -> list[_Word | str | None]:
    """Words (with their case), canonical number, currency and negation tokens, and ``None`` at
    each punctuation mark (a name never runs across one: "Obama, Trump" is two names)."""
    text = clean_text(text).replace("\x00", "")
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _ABBREVIATION.sub(lambda m: m.group(1) or m.group(2), text)
    text = _HYPHEN.sub(_join_hyphen, text)
    out: list[_Word | str | None] = []
    pending: list[str] = []  # number words waiting to be combined ("twenty five million")

    def flush_number() -> None:
        if pending:
            out.append(_number_token(_words_value(pending)))
            pending.clear()

    for match in _TOKEN.finditer(text):
        if match.group("stop"):
            flush_number()
            out.append(None)
        elif match.group("num"):
            flush_number()
            out.extend(_digits(match))
        else:
            word = match.group("word")
            low = word.casefold()
            if low in _SCALES and not pending and _scale_last(out, _SCALES[low]):
                continue
            if low in _UNITS or (low in _SCALES and pending):
                pending.append(low)
                continue
            flush_number()
            out.extend(_word_items(word, out))
    flush_number()
    return out


def _word_items(word: str, out: list[_Word | str | None]) -> list[_Word | str | None]:
    """One word as items: negations spelled out, possessives split, units canonicalised."""
    low = word.casefold()
    if low in _ORDINALS:
        return [_number_token(Decimal(_ORDINALS[low])) + "th"]
    if low in _PERCENT_WORDS and _mark_last_number(out, "%"):
        return []
    if low == "cent" and out and isinstance(out[-1], _Word) and out[-1].text.casefold() == "per":
        last = out.pop()
        if _mark_last_number(out, "%"):
            return []
        out.append(last)
    if low in _CURRENCY_WORDS and _number_at_end(out) is not None:  # "5 dollars", not "Dollar Tree"
        return [_CURRENCY_WORDS[low]]
    if low == "cannot":
        return ["can", "not"]
    if low.endswith("n't") and len(low) > 3:
        stem = low[:-3]
        return [_NEGATED.get(stem, stem), "not"]
    if low.endswith("'s") and len(low) > 2:
        return [_Word(word[:-2], word[0].isupper()), "'s"]
    return [_Word(word, word[0].isupper())]


def _number_at_end(out: list[_Word | str | None]) -> int | None:
    """Index of the number token that ends ``out`` (looking past a currency code), if any."""
    for index in (len(out) - 1, len(out) - 2):
        if index < 0:
            return None
        item = out[index]
        if isinstance(item, str) and item.startswith("#"):
            return index
        if not (isinstance(item, str) and item in _CURRENCY_SIGNS.values()):
            return None
    return None


def _scale_last(out: list[_Word | str | None], factor: int) -> bool:
    """"5 million": multiply the number just before; False when there is none to multiply."""
    index = _number_at_end(out)
    if index is None:
        return False
    try:
        out[index] = _number_token(Decimal(str(out[index])[1:]) * factor)
    except InvalidOperation:  # "5% million", "5th million": not a plain number
        return False
    return True


def _mark_last_number(out: list[_Word | str | None], mark: str) -> bool:
    """"5 percent" is "5%": put the mark on the number just before; False when there is none."""
    index = _number_at_end(out)
    if index is None or index != len(out) - 1:
        return False
    out[index] = f"{out[index]}{mark}"
    return True


def _digits(match: re.Match[str]) -> list[_Word | str | None]:
    """A number written in digits, with its currency sign and suffix, as canonical tokens."""
    raw, suffix, sign = match.group("num"), (match.group("suffix") or "").lower(), match.group("cur")
    if _THOUSANDS.match(raw):
        raw = raw.replace(",", "")
    try:
        value = Decimal(raw) if raw.count(".") <= 1 and "," not in raw else None
    except InvalidOperation:
        value = None
    token = _number_token(value) if value is not None else f"#{raw}"
    if suffix in _SUFFIX_SCALES and value is not None:
        token = _number_token(value * _SUFFIX_SCALES[suffix])
    elif suffix in {"st", "nd", "rd", "th"}:
        token += "th"
    elif suffix:
        token += suffix
    items: list[_Word | str | None] = [token]
    if sign:
        items.append(_CURRENCY_SIGNS[sign])
    return items


def _words_value(words: list[str]) -> Decimal:
    """"twenty five million" -> 25000000 (the usual running-total reading of number words)."""
    total, current = 0, 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return Decimal(total + current)


def _number_token(value: Decimal) -> str:
    normal = value.normalize()
    text = format(normal, "f")
    return f"#{text}"


def _join_hyphen(match: re.Match[str]) -> str:
    """"cease-fire" is "ceasefire", but "twenty-five" stays two number words."""
    before = _LAST_WORD.search(match.string, 0, match.start())
    after = _FIRST_WORD.match(match.string, match.end())
    words = {m.group(0).casefold() for m in (before, after) if m}
    return " " if words & _UNITS.keys() else ""
