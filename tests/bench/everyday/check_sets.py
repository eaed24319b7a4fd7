"""Validate the everyday question sets without touching claimbot.

The held-out sets are only honest if they were written from the annotations and the article texts
alone, so this checker deliberately imports nothing from ``claims``: it reads the JSON Lines files and
the article texts and checks what a human writer can get wrong.

* schema of every line (answerable and unanswerable), unique ids with the file's prefix, numbered
  from 1 without gaps;
* gold offsets: ``text[start:end] == content`` in the article the question names;
* style counts against the targets of each set, and at most ``--max-per-article`` answerable
  questions per article in the PolNeAR set;
* the surface rules of the styles: keywords are 2-5 terms, typo questions are lowercase without
  punctuation, paraphrases share at most two content words with their gold span (counted with a
  small stop list and a crude shared-prefix stem, so the count errs on the strict side);
* near misses name the grep that showed no article of the store states them;
* own articles: headline, ``YYYY-MM-DD`` date, blank line, a 500-900 word body; every annotation's
  offsets hold; every gold span of ``own.jsonl`` is one of the annotations.

Sets: ``own.jsonl`` and ``polnear_dev.jsonl`` (held out), ``polnear_train.jsonl`` (the tuning set).
Run from the repository root (PolNeAR texts are read from ``../shared/bench/polnear/{dev,train}``):

    python3 tests/bench/everyday/check_sets.py [--polnear DIR] [--polnear-train DIR]

It prints the counts by set and style and exits non-zero on the first kind of error it finds.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DEFAULT_POLNEAR = ROOT.parent / "shared" / "bench" / "polnear" / "dev" / "text"
DEFAULT_POLNEAR_TRAIN = ROOT.parent / "shared" / "bench" / "polnear" / "train" / "text"

ANSWER_STYLES = ("keywords", "natural", "paraphrase", "speaker", "typos")
NO_ANSWER_STYLES = ("offtopic", "near_miss")
ANSWERABLE_KEYS = {
    *("id", "question", "style", "answerable"),
    *("article", "content", "start", "end", "source", "speaker"),
}
UNANSWERABLE_KEYS = {"id", "question", "style", "answerable", "about"}

# Function words and question scaffolding that do not count as shared content words.
_STOP_WORDS = """
    a an the and or but if of to in on at by for with from as into about over than then so not no nor
    is are was were be been being am do does did doing done have has had having will would shall should
    can could may might must it its this that these those there here i me my we our us you your he him
    his she her they them their what which who whom whose why how when where whether according say said
    says told tell just only also any all some more most very much many s t ll d re ve m
"""
STOP = frozenset(_STOP_WORDS.split())


def stem(word: str) -> str:
    """Crude stem: drop one inflection and a final 'e', keep five letters ('lived', 'living' -> 'liv')."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word[:5]


def content_words(text: str) -> set[str]:
    """Stems of the words of ``text`` that are not stop words."""
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 1}


def load_jsonl(path: Path) -> list[dict[str, object]]:
    """Read one JSON object per line; a line that is not an object is an error."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        if not isinstance(row, dict):
            raise ValueError(f"{path.name}:{number}: not a JSON object")
        rows.append(row)
    return rows


class Report:
    """Collects errors so that one run shows all of them, not only the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)


def check_article_file(path: Path, report: Report) -> None:
    """Headline, date, blank line, then a body of 500-900 words."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if len(lines) < 4 or not lines[0].strip():
        report.error(f"{path.name}: first line must be the headline")
        return
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", lines[1]):
        report.error(f"{path.name}: second line must be a YYYY-MM-DD date")
    if lines[2] != "":
        report.error(f"{path.name}: third line must be blank")
    words = len(" ".join(lines[3:]).split())
    if not 500 <= words <= 900:
        report.error(f"{path.name}: body has {words} words, not 500-900")


def check_questions(
    path: Path,
    prefix: str,
    texts: dict[str, str],
    targets: dict[str, int],
    max_per_article: int | None,
    report: Report,
) -> Counter[str]:
    """Check one question set; return its counts by style."""
    rows = load_jsonl(path)
    styles: Counter[str] = Counter()
    per_article: Counter[str] = Counter()
    seen_questions: set[str] = set()
    for number, row in enumerate(rows, 1):
        where = f"{path.name}:{number}"
        expected_id = f"{prefix}-{number:04d}"
        if row.get("id") != expected_id:
            report.error(f"{where}: id {row.get('id')!r}, expected {expected_id!r}")
        question = str(row.get("question", ""))
        if not question.strip():
            report.error(f"{where}: empty question")
        if question.lower() in seen_questions:
            report.error(f"{where}: duplicate question {question!r}")
        seen_questions.add(question.lower())
        style = str(row.get("style"))
        styles[style] += 1
        if row.get("answerable") is True:
            if set(row) != ANSWERABLE_KEYS:
                report.error(f"{where}: keys {sorted(row)} differ from {sorted(ANSWERABLE_KEYS)}")
                continue
            if style not in ANSWER_STYLES:
                report.error(f"{where}: style {style!r} is not an answerable style")
            check_gold(row, where, texts, report)
            per_article[str(row["article"])] += 1
            check_style(row, where, report)
        elif row.get("answerable") is False:
            if set(row) != UNANSWERABLE_KEYS:
                report.error(f"{where}: keys {sorted(row)} differ from {sorted(UNANSWERABLE_KEYS)}")
            if style not in NO_ANSWER_STYLES:
                report.error(f"{where}: style {style!r} is not an unanswerable style")
            if not str(row.get("about", "")).strip():
                report.error(f"{where}: 'about' is empty")
            elif style == "near_miss" and "grep" not in str(row["about"]):
                report.error(f"{where}: a near miss's 'about' must give the grep that verified it")
        else:
            report.error(f"{where}: 'answerable' must be true or false")
    for style, want in targets.items():
        if styles[style] != want:
            report.error(f"{path.name}: {styles[style]} questions of style {style}, target {want}")
    if max_per_article is not None:
        for article, count in per_article.items():
            if count > max_per_article:
                report.error(f"{path.name}: {count} questions on {article} (at most {max_per_article})")
    print(
        f"{path.name}: {len(rows)} questions over {len(per_article)} articles; "
        + ", ".join(f"{s} {styles[s]}" for s in (*ANSWER_STYLES, *NO_ANSWER_STYLES))
    )
    return styles


def check_gold(row: dict[str, object], where: str, texts: dict[str, str], report: Report) -> None:
    """The gold span must sit at its offsets in the named article."""
    article = str(row["article"])
    text = texts.get(article)
    if text is None:
        report.error(f"{where}: unknown article {article!r}")
        return
    start, end = row["start"], row["end"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        report.error(f"{where}: bad offsets {start}-{end}")
        return
    if text[start:end] != row["content"]:
        report.error(f"{where}: text[{start}:{end}] is not the content")
    if not str(row["source"]).strip() or not str(row["speaker"]).strip():
        report.error(f"{where}: empty source or speaker")


def check_style(row: dict[str, object], where: str, report: Report) -> None:
    """Surface rules that each style promises."""
    question, style = str(row["question"]), row["style"]
    if style == "keywords":
        terms = question.split()
        if not 2 <= len(terms) <= 5:
            report.error(f"{where}: keywords question has {len(terms)} terms")
    elif style == "typos":
        if not re.fullmatch(r"[a-z0-9 ]+", question):
            report.error(f"{where}: typos question must be lowercase without punctuation: {question!r}")
    elif style == "paraphrase":
        shared = content_words(question) & content_words(str(row["content"]))
        if len(shared) > 2:
            report.error(f"{where}: paraphrase shares {len(shared)} content words {sorted(shared)}")


def check_attributions(path: Path, texts: dict[str, str], report: Report) -> set[tuple[str, int, int]]:
    """Every annotation's offsets must hold; return the annotated spans."""
    spans = set()
    keys = {"article", "speaker", "content", "start", "end", "cue"}
    for number, row in enumerate(load_jsonl(path), 1):
        where = f"{path.name}:{number}"
        if set(row) != keys:
            report.error(f"{where}: keys {sorted(row)} differ from {sorted(keys)}")
            continue
        text = texts.get(str(row["article"]))
        start, end = row["start"], row["end"]
        if text is None or not isinstance(start, int) or not isinstance(end, int):
            report.error(f"{where}: unknown article or bad offsets")
            continue
        if text[start:end] != row["content"]:
            report.error(f"{where}: text[{start}:{end}] is not the content")
        if not str(row["speaker"]).strip() or not str(row["cue"]).strip():
            report.error(f"{where}: empty speaker or cue")
        spans.add((str(row["article"]), start, end))
    print(f"{path.name}: {len(spans)} attributions")
    return spans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR, help="PolNeAR dev text directory")
    parser.add_argument(
        "--polnear-train", type=Path, default=DEFAULT_POLNEAR_TRAIN, help="PolNeAR train text directory"
    )
    parser.add_argument("--max-per-article", type=int, default=6, help="cap for the PolNeAR sets")
    args = parser.parse_args()
    report = Report()

    articles_dir = HERE / "articles"
    own_texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(articles_dir.glob("*.txt"))}
    for path in sorted(articles_dir.glob("*.txt")):
        check_article_file(path, report)
    spans = check_attributions(articles_dir / "attributions.jsonl", own_texts, report)

    own_targets = dict.fromkeys(ANSWER_STYLES, 20) | dict.fromkeys(NO_ANSWER_STYLES, 30)
    check_questions(HERE / "own.jsonl", "ow", own_texts, own_targets, None, report)
    for number, row in enumerate(load_jsonl(HERE / "own.jsonl"), 1):
        if row.get("answerable") is True and (row["article"], row["start"], row["end"]) not in spans:
            report.error(f"own.jsonl:{number}: gold span is not one of the annotations")

    if args.polnear.is_dir():
        polnear_texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(args.polnear.glob("*.txt"))}
        pd_targets = dict.fromkeys(ANSWER_STYLES, 30) | dict.fromkeys(NO_ANSWER_STYLES, 30)
        check_questions(
            HERE / "polnear_dev.jsonl", "pd", polnear_texts, pd_targets, args.max_per_article, report
        )
    else:
        report.error(f"PolNeAR dev texts not found at {args.polnear}")

    # The tuning set: its store is all 840 train articles.
    if args.polnear_train.is_dir():
        train_files = sorted(args.polnear_train.glob("*.txt"))
        train_texts = {p.stem: p.read_text(encoding="utf-8") for p in train_files}
        pt_targets = dict.fromkeys(ANSWER_STYLES, 50) | {"offtopic": 60, "near_miss": 65}
        check_questions(
            HERE / "polnear_train.jsonl", "pt", train_texts, pt_targets, args.max_per_article, report
        )
    else:
        report.error(f"PolNeAR train texts not found at {args.polnear_train}")

    for message in report.errors:
        print("error:", message)
    print("OK" if not report.errors else f"{len(report.errors)} errors")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
