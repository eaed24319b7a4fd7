"""Article segmentation: body paragraphs, quotations and sentences, all as offsets into the text.

Extraction must report exact character offsets, so nothing here copies or rewrites the article: every
function returns ``(start, end)`` spans over the original string. Page chrome (bylines, photo
credits, "Share full article", reading-time badges, footers such as "Our Coverage" or "(Reporting
by ...)") is recognised here so that no later stage can turn it into a claim.

Quotations are found before sentences because a multi-sentence quote ("It's a nightmare. It's a
horrible thing.") must stay inside one sentence together with its attribution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ParagraphKind = Literal["headline", "body", "question", "answer"]

# Opening and closing double quotation marks. Straight quotes are decided by context.
_OPEN_DOUBLE = "“„«\x93"  # U+0093/U+0094: cp1252 curly quotes read as Latin-1
_CLOSE_DOUBLE = "”»\x94"
_BEFORE_OPEN = " \t\n([{—–-/:;,"


@dataclass(frozen=True, slots=True)
class Quote:
    """One quotation: ``start``/``end`` include the marks, ``inner_*`` are the quoted words."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    closed: bool = True


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A line of body text (``start``/``end``), after any dateline (``body_start``)."""

    start: int
    end: int
    body_start: int
    kind: ParagraphKind = "body"


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence span; quotations never straddle its ends."""

    start: int
    end: int
    paragraph: int  # index into the paragraph list


# --- page chrome -----------------------------------------------------------------------------------

# Lines that are never part of the story, wherever they occur.
_CHROME_LINE = re.compile(
    r"""^(?:[-•*]\s*)?(?:
        share\s+(?:full\s+article|this\s+(?:article|story)|on\b|via\b)
      | credit(?:\.{2,}|…|:)
      | (?:photo(?:graph)?|image|video)\s*(?:credit)?\s*:
      | by\s+https?://
      | by\s+(?:[A-Z][\w.'’-]*\s*,?\s*(?:and\s+)?){1,8}$
      | (?:reporting|written|edited)\s+(?:by|from)\s
      | (?:additional\s+)?reporting\s+by\b
      | \(?reporting\s+by\b
      | editing\s+by\b
      | advertisement$ | sponsored(?:\s+content)?$ | story\s+continues
      | (?:published|updated|posted|last\s+updated)\b.{0,60}\d
      | \d+\s+min(?:ute)?s?\s+read$
      | listen\s+to\s+this\s+article | read\s+more\b | see\s+also\b | related\s*(?::|$|articles|stories)
      | sign\s+up\b | subscribe\b | follow\s+.{1,60}\s+on\s+(?:twitter|x|facebook|instagram|threads)
      | a\s+version\s+of\s+this\s+article\s+appears\s+in\s+print
      | our\s+standards\b | all\s+rights\s+reserved | ©|copyright\s
      | this\s+(?:article|story)\s+(?:was|has\s+been)\s+(?:updated|corrected|amended)
      | (?:this\s+)?(?:conversation|interview|transcript)\s+has\s+been\s+(?:edited|condensed|lightly)
      | (?:\w+\s+){0,6}contributed\s+(?:reporting|research|to\s+this)
      | correction\s*: | clarification\s*:
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A line that only carries a date ("Feb. 20, 2025", "March 12, 2025 6:02 AM ET").
_DATE_LINE = re.compile(
    r"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"(?:,?\s+\d{1,2}:\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?(?:\s+[A-Z]{2,4})?)?\.?$"
)
# Footer headings after which nothing belongs to the story.
_FOOTER_START = re.compile(
    r"^(?:our\s+coverage\b|how\s+we\s+verify\b|more\s+(?:on|from|about)\b|related\s+coverage"
    r"|recommended\b|most\s+popular\b|latest\s+(?:news|stories)\b|you\s+may\s+also\s+like"
    r"|what\s+to\s+read\s+next|\(reporting\s+by\b|reporting\s+by\b|our\s+standards\b"
    r"|a\s+version\s+of\s+this\s+article\s+appears|(?:\w+\s+){0,6}contributed\s+reporting)",
    re.IGNORECASE,
)
_INTERVIEW_MARKER = re.compile(
    r"(?:conversation|interview|transcript|exchange)\s+(?:has|have)\s+been\s+"
    r"(?:edited|condensed|lightly)|edited\s+(?:and\s+condensed|for\s+(?:length|clarity))",
    re.IGNORECASE,
)
# "BRUSSELS/WASHINGTON, March 12 (Reuters) - ", "FLINT, Mich. — ", "DENVER (AP) — "
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’/ -]{1,40}(?:,\s+[A-Z][a-z]+\.?(?:\s+\d{1,2})?)?"
    r"(?:\s*\([A-Za-z .&]{1,30}\))?\s*[-—–]{1,2}\s+"
)
_TERMINAL = re.compile(r"[.!?…][\"”’')\]]*$|[\"”]$")
_SMALL_WORDS = frozenset(
    [
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
        "or", "per", "the", "to", "vs", "via", "with", "over", "after",
    ]
)  # fmt: skip


def _is_title_case(line: str) -> bool:
    """True for headline-style lines where most words start with a capital letter."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if w.lower() not in _SMALL_WORDS]
    if len(words) < 2:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= 0.75


def reads_as_headline(line: str) -> bool:
    """Whether an article's first line is its headline: short, and title-cased or not ending like a
    sentence. ``claims.ingest.sources`` titles plain-text articles by the same rule."""
    return len(line) < 300 and (_is_title_case(line) or not _TERMINAL.search(line))


def paragraphs(text: str) -> list[Paragraph]:
    """The article's paragraphs (one per non-empty line) with chrome and footers left out.

    The first line is the headline when it reads like one; after an "edited and condensed" note,
    lines ending in a question mark are interview questions and the line after each is its answer.
    """
    out: list[Paragraph] = []
    interview = False
    last_question = False
    first = True
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl < 0 else nl
        start, end = pos, line_end
        pos = line_end + 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        line = text[start:end]
        if first:
            first = False
            if reads_as_headline(line):
                out.append(Paragraph(start, end, start, "headline"))
                continue
        if _INTERVIEW_MARKER.search(line) and len(line) < 200:
            interview = True
            last_question = False
            continue
        if start > n // 3 and _FOOTER_START.match(line):
            break
        if _CHROME_LINE.match(line) or _DATE_LINE.match(line):
            continue
        kind: ParagraphKind = "body"
        if interview:
            if line.endswith("?") or re.match(r"(?:Q[.:]|Question:)\s", line):
                kind = "question"
            elif last_question:
                kind = "answer"
            last_question = kind == "question"
        body_start = start
        m = _DATELINE.match(line)
        if m and m.end() < len(line):
            body_start = start + m.end()
        out.append(Paragraph(start, end, body_start, kind))
    return out


# --- quotations ------------------------------------------------------------------------------------


def find_quotes(text: str, start: int, end: int, *, runs_on: bool = False) -> list[Quote]:
    """Double-quoted passages in ``text[start:end]`` (one paragraph), in order.

    Curly quotes pair by direction; straight quotes open after a space or bracket and close
    otherwise. An opening mark that is never closed yields an unclosed quote running to the end of
    the paragraph when it opens the paragraph, or anywhere when ``runs_on`` says the next paragraph
    opens with a quotation mark (the newspaper convention for a quote that goes on into the next
    paragraph); elsewhere it is treated as a stray mark. When a paragraph has no double quotes at
    all, British-style single quotes are tried instead.
    """
    quotes = _pair_marks(text, start, end, _OPEN_DOUBLE, _CLOSE_DOUBLE, '"', runs_on=runs_on)
    if not quotes and ("‘" in text[start:end] or "'" in text[start:end]):
        quotes = [q for q in _pair_marks(text, start, end, "‘", "", "'", single=True) if q.closed]
    return quotes


def opens_with_quote(text: str, pos: int) -> bool:
    """Whether a paragraph starting at ``pos`` opens with a double quotation mark."""
    return text.startswith(("“", '"', "„", "«", "''", "``", "\x93"), pos)


def _pair_marks(
    text: str,
    start: int,
    end: int,
    opens: str,
    closes: str,
    straight: str,
    *,
    single: bool = False,
    runs_on: bool = False,
) -> list[Quote]:
    out: list[Quote] = []
    open_at: int | None = None
    doubled = not single and ("''" in text[start:end] or "``" in text[start:end])
    skip = False
    for i in range(start, end):
        if skip:
            skip = False
            continue
        ch = text[i]
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        if doubled and ch in "'`" and nxt == ch:
            # ''quote'' and ``quote'': two marks standing for one double quotation mark.
            skip = True
            nxt2 = text[i + 2] if i + 2 < end else " "
            if ch == "`" or (open_at is None and prev in _BEFORE_OPEN and not nxt2.isspace()):
                open_at = i
            elif open_at is not None:
                out.append(Quote(open_at, i + 2, open_at + 2, i))
                open_at = None
            continue
        if single:
            if ch == "’" or ch == "'":
                # A closing single mark must not be an apostrophe inside a word (doesn’t).
                if open_at is not None and not nxt.isalnum() and not prev.isspace():
                    out.append(Quote(open_at, i + 1, open_at + 1, i))
                    open_at = None
                    continue
                if ch == "'" and open_at is None and prev in _BEFORE_OPEN and not nxt.isspace():
                    open_at = i
                continue
            if ch in opens and prev in _BEFORE_OPEN:
                open_at = i
            continue
        if ch in opens:
            open_at = i
        elif ch in closes:
            if open_at is not None:
                out.append(Quote(open_at, i + 1, open_at + 1, i))
                open_at = None
        elif ch == straight:
            if open_at is None:
                if prev in _BEFORE_OPEN and not nxt.isspace():
                    open_at = i
            else:
                out.append(Quote(open_at, i + 1, open_at + 1, i))
                open_at = None
    if open_at is not None and (open_at == start or runs_on) and end - open_at > 2:
        width = 2 if text.startswith(("''", "``"), open_at) else 1
        out.append(Quote(open_at, end, open_at + width, end, closed=False))
    return out


# --- sentences -------------------------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    [
        "mr", "mrs", "ms", "dr", "st", "sen", "rep", "gov", "gen", "lt", "col", "sgt", "capt",
        "cmdr", "adm", "maj", "jr", "sr", "inc", "corp", "co", "ltd", "no", "vs", "jan", "feb",
        "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mass", "mich",
        "calif", "fla", "ill", "pa", "va", "wash", "ore", "ariz", "tex", "conn", "colo", "minn",
        "wis", "ky", "tenn", "ala", "ga", "md", "mo", "okla", "kan", "neb", "nev", "del", "ind",
        "la", "miss", "ft", "mt", "prof", "rev", "hon", "gens", "sens", "reps", "messrs", "mmes",
        "dept", "univ", "est", "approx", "fig", "al", "e.g", "i.e", "etc",
    ]
)  # fmt: skip
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]\x94»]*\s+(?=[\"“‘'`(\[\x93«„]{0,2}[A-ZÀ-ÖØ-Þ0-9])")
_LAST_WORD = re.compile(r"([\w.]+)\.$")


def sentences(text: str, para: Paragraph, index: int, quotes: list[Quote]) -> list[Sentence]:
    """Split one paragraph into sentences; boundaries inside quotations are ignored.

    A quotation followed by its attribution ("“...,” he said.") therefore stays in one sentence, and
    a quote of several sentences is never cut apart.
    """
    out: list[Sentence] = []
    cur = para.body_start
    qi = 0
    for m in _BOUNDARY.finditer(text, para.body_start, para.end):
        stop = m.start()
        punct_end = m.end()
        while punct_end > stop and text[punct_end - 1].isspace():
            punct_end -= 1
        while qi < len(quotes) and quotes[qi].end <= stop:
            qi += 1
        if qi < len(quotes) and quotes[qi].start < stop and quotes[qi].end > punct_end:
            continue  # inside a quotation
        if text[m.start()] == "." and _is_abbreviation(text, para.body_start, m.start() + 1):
            continue
        split_at = m.end()
        while split_at > cur and text[split_at - 1].isspace():
            split_at -= 1
        if split_at > cur:
            out.append(Sentence(cur, split_at, index))
        cur = m.end()
    if cur < para.end:
        out.append(Sentence(cur, para.end, index))
    return out


def _is_abbreviation(text: str, floor: int, dot_end: int) -> bool:
    """Whether the period ending at ``dot_end`` closes an abbreviation or an initial."""
    m = _LAST_WORD.search(text, max(floor, dot_end - 12), dot_end)
    if not m:
        return False
    word = m.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "Vladimir V. Putin"
    if "." in word:
        # "U.S." or "a.m." may end a sentence; only a following capitalised word tells, and the
        # common case in news is "the U.S. said" inside the sentence.
        return word.lower() not in {"a.m", "p.m"}
    return word.lower() in _ABBREVIATIONS
