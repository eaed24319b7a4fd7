"""Validate the everyday question sets (JSON Lines) against the article texts they quote.

Run from the repository root:

    python3 tests/bench/everyday/check_sets.py [FILE.jsonl ...] [--texts DIR]

Without files it checks every ``*.jsonl`` beside this script. The article texts are found by file
name: ``polnear_train*`` reads ``../shared/bench/polnear/train/text``, ``polnear_dev*`` reads
``../shared/bench/polnear/dev/text``; any other set needs ``--texts DIR`` (one ``<article>.txt``
per article). Exit status 1 when any record is wrong.

This script is plain Python on purpose: it reads only the sets and the texts, never ``claims``, so
that checking a set cannot leak what claimbot answers into how the set was written.

What it checks, and why:

* the schema (keys, types, styles, ids unique), so that benchmarks can read every set alike;
* ``text[start:end] == content`` for answerable questions, so the gold claim is exactly an
  annotated span and a benchmark can match it by offsets;
* typos questions are lowercase without punctuation, keywords questions have 2-5 words, near
  misses say which grep showed that no article states them, and no article has more than six
  questions, so that the set measures the styles it claims to;
* equal numbers per answerable style, and for ``polnear_train.jsonl`` the counts its brief fixes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SHARED = ROOT.parent / "shared" / "bench" / "polnear"

ANSWERABLE_STYLES = ("keywords", "natural", "paraphrase", "speaker", "typos")
UNANSWERABLE_STYLES = ("offtopic", "near_miss")
ANSWERABLE_KEYS = {
    "id", "question", "style", "answerable", "article", "content", "start", "end", "source", "speaker",
}
UNANSWERABLE_KEYS = {"id", "question", "style", "answerable", "about"}
MAX_PER_ARTICLE = 6

# Counts fixed by the brief of each set, by file name; other sets only need equal style counts.
EXPECTED: dict[str, dict[str, int]] = {
    "polnear_train.jsonl": {
        **{style: 50 for style in ANSWERABLE_STYLES},
        "offtopic": 60,
        "near_miss": 65,
    },
}


@dataclass
class Report:
    """Errors found in one set, and the counts printed as its summary."""

    name: str
    errors: list[str] = field(default_factory=list)
    styles: Counter[str] = field(default_factory=Counter)
    articles: Counter[str] = field(default_factory=Counter)

    def error(self, where: str, message: str) -> None:
        """Record one problem, prefixed by the record it concerns."""
        self.errors.append(f"{self.name}:{where}: {message}")


def texts_dir_for(path: Path, override: Path | None) -> Path | None:
    """The folder of article texts a set quotes: the override, else the PolNeAR split its name says."""
    if override is not None:
        return override
    if path.name.startswith("polnear_train"):
        return SHARED / "train" / "text"
    if path.name.startswith("polnear_dev"):
        return SHARED / "dev" / "text"
    return None


def read_text(texts: Path, article: str, cache: dict[str, str | None]) -> str | None:
    """An article's text exactly as the annotation offsets count it (no newline translation)."""
    if article not in cache:
        file = texts / f"{article}.txt"
        cache[article] = None
        if file.is_file():
            with file.open(encoding="utf-8", newline="") as handle:
                cache[article] = handle.read()
    return cache[article]


def check_answerable(record: dict[str, object], where: str, texts: Path | None,
                     cache: dict[str, str | None], report: Report) -> None:
    """Schema, offsets and style rules of one answerable question."""
    if set(record) != ANSWERABLE_KEYS:
        report.error(where, f"keys {sorted(record)} != {sorted(ANSWERABLE_KEYS)}")
        return
    style, question = record["style"], str(record["question"])
    if style not in ANSWERABLE_STYLES:
        report.error(where, f"style {style!r} is not an answerable style")
    for key in ("article", "content", "source", "speaker"):
        if not isinstance(record[key], str) or not str(record[key]).strip():
            report.error(where, f"{key} must be a non-empty string")
    start, end = record["start"], record["end"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
        report.error(where, f"bad offsets {start!r}..{end!r}")
    elif texts is None:
        report.error(where, "no text folder for this set (give --texts)")
    else:
        text = read_text(texts, str(record["article"]), cache)
        if text is None:
            report.error(where, f"no text for article {record['article']!r} in {texts}")
        elif text[start:end] != record["content"]:
            report.error(where, f"text[{start}:{end}] is {text[start:end]!r}, not the content")
    if style == "typos" and not re.fullmatch(r"[a-z0-9 ]+", question):
        report.error(where, "typos questions are lowercase letters, digits and spaces only")
    if style == "keywords" and not 2 <= len(question.split()) <= 5:
        report.error(where, "keywords questions have 2-5 words")
    report.articles[str(record["article"])] += 1


def check_unanswerable(record: dict[str, object], where: str, report: Report) -> None:
    """Schema of one unanswerable question; a near miss must name the grep that cleared it."""
    if set(record) != UNANSWERABLE_KEYS:
        report.error(where, f"keys {sorted(record)} != {sorted(UNANSWERABLE_KEYS)}")
        return
    if record["style"] not in UNANSWERABLE_STYLES:
        report.error(where, f"style {record['style']!r} is not an unanswerable style")
    about = record["about"]
    if not isinstance(about, str) or not about.strip():
        report.error(where, "about must be a non-empty string")
    elif record["style"] == "near_miss" and "grep" not in about:
        report.error(where, "a near miss's about must give the grep used to verify it")


def check_counts(report: Report, expected: dict[str, int] | None) -> None:
    """Style balance, the brief's counts, and the per-article cap."""
    answerable = [report.styles[style] for style in ANSWERABLE_STYLES]
    if len(set(answerable)) > 1:
        counts = dict(zip(ANSWERABLE_STYLES, answerable, strict=True))
        report.error("counts", f"answerable styles are unequal: {counts}")
    for style, count in (expected or {}).items():
        if report.styles[style] != count:
            report.error("counts", f"{style}: {report.styles[style]} questions, the brief asks {count}")
    for article, count in report.articles.items():
        if count > MAX_PER_ARTICLE:
            report.error("counts", f"{article}: {count} questions (at most {MAX_PER_ARTICLE})")


def check_file(path: Path, texts_override: Path | None) -> Report:
    """Check one set and return what was found."""
    report = Report(path.name)
    texts = texts_dir_for(path, texts_override)
    cache: dict[str, str | None] = {}
    ids: set[str] = set()
    questions: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            report.error(where, f"not JSON: {exc}")
            continue
        if not isinstance(record, dict):
            report.error(where, "not a JSON object")
            continue
        record_id, question = record.get("id"), record.get("question")
        if not isinstance(record_id, str) or record_id in ids:
            report.error(where, f"id {record_id!r} missing or repeated")
        else:
            ids.add(record_id)
            where = f"{record_id}"
        if not isinstance(question, str) or not question.strip():
            report.error(where, "question must be a non-empty string")
            continue
        if question.casefold() in questions:
            report.error(where, f"question repeated: {question!r}")
        questions.add(question.casefold())
        if record.get("answerable") is True:
            check_answerable(record, where, texts, cache, report)
        elif record.get("answerable") is False:
            check_unanswerable(record, where, report)
        else:
            report.error(where, "answerable must be true or false")
            continue
        report.styles[str(record.get("style"))] += 1
    check_counts(report, EXPECTED.get(path.name))
    return report


def main(argv: list[str] | None = None) -> int:
    """Check the given sets (default: all beside this script); print a summary and every error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--texts", type=Path, help="folder of <article>.txt for sets not named polnear_*")
    args = parser.parse_args(argv)
    files = args.files or sorted(HERE.glob("*.jsonl"))
    failed = False
    for path in files:
        report = check_file(path, args.texts)
        outlets = Counter(article.split("_")[0] for article in report.articles)
        styles = dict(sorted(report.styles.items()))
        print(f"{path.name}: {sum(report.styles.values())} questions, by style {styles}")
        print(f"  {len(report.articles)} articles, by outlet {dict(sorted(outlets.items()))}")
        for error in report.errors:
            print(f"  ERROR {error}")
        failed = failed or bool(report.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
