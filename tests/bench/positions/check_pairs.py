"""Validate the labelled claim pairs for the "changed position" flag without touching claimbot.

The pairs are only an honest yardstick if they were labelled from the texts alone, so this checker
deliberately imports nothing from ``claims``. It reads ``pairs.jsonl`` and checks what a human writer
can get wrong:

* schema of every line: exactly the documented keys, ids ``p-0001`` numbered from 1 without gaps,
  known ``split``/``origin``/``label`` values, ``YYYY-MM-DD`` dates with the earlier statement not
  dated after the later one, non-empty and distinct ``earlier``/``later`` texts, no pair twice;
* the split is by series: one speaker-subject series never appears in both ``tune`` and ``heldout``,
  the tune share is between 30 and 50 percent, and both splits hold written and PolNeAR pairs;
* counts: at least 200 pairs, at least 60 ``changed``, 60 ``repeated`` and 50 ``unrelated``;
* PolNeAR pairs: the note ends with ``<earlier stem> -> <later stem>``, the stems name articles of the
  split the origin says (``polnear-dev`` when either article is from dev), each date is the article's
  date, and each text occurs verbatim in its article (whitespace normalised, a leading "that" dropped; a
  discontinuous content may be up to four verbatim pieces in order, joined by a space).
  The article check needs the PolNeAR copy (``../shared/bench/polnear`` next to the repository); without
  it that one check is reported as not run.

Run from anywhere:

    python3 tests/bench/positions/check_pairs.py [--polnear DIR]

It prints the counts by label, split and origin, and exits non-zero if any check failed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DEFAULT_POLNEAR = ROOT.parent / "shared" / "bench" / "polnear"
PAIRS = HERE / "pairs.jsonl"

KEYS = (
    "id",
    "split",
    "origin",
    "speaker",
    "subject",
    "earlier",
    "later",
    "earlier_date",
    "later_date",
    "label",
    "note",
)
SPLITS = ("tune", "heldout")
ORIGINS = ("polnear-train", "polnear-dev", "written")
LABELS = ("changed", "repeated", "unrelated")
MIN_TOTAL = 200
MIN_PER_LABEL = {"changed": 60, "repeated": 60, "unrelated": 50}
TUNE_SHARE = (0.30, 0.50)
STEM_NOTE = re.compile(r";\s*(\S+)\s*->\s*(\S+)\s*$")


class Report:
    """Collects errors so that one run shows all of them, not only the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)


def load_rows(path: Path, report: Report) -> list[dict[str, str]]:
    """One JSON object per line, every value a string."""
    rows: list[dict[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        if not isinstance(row, dict) or not all(isinstance(v, str) for v in row.values()):
            report.error(f"line {number}: not a JSON object of strings")
            continue
        rows.append(row)
    return rows


def parse_date(value: str) -> date | None:
    """A strict ``YYYY-MM-DD`` date, or None."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_row(number: int, row: dict[str, str], report: Report) -> None:
    """Schema of one pair."""
    where = f"line {number}"
    if tuple(row) != KEYS:
        report.error(f"{where}: keys {list(row)} differ from {list(KEYS)}")
        return
    if row["id"] != f"p-{number:04d}":
        report.error(f"{where}: id {row['id']!r}, expected p-{number:04d}")
    for key, allowed in (("split", SPLITS), ("origin", ORIGINS), ("label", LABELS)):
        if row[key] not in allowed:
            report.error(f"{where}: {key} {row[key]!r} not in {allowed}")
    for key in ("speaker", "subject", "earlier", "later", "note"):
        if not row[key].strip() or row[key] != row[key].strip():
            report.error(f"{where}: {key} is empty or has surrounding blanks")
    if row["earlier"] == row["later"]:
        report.error(f"{where}: earlier and later are the same text")
    earlier, later = parse_date(row["earlier_date"]), parse_date(row["later_date"])
    if earlier is None or later is None:
        report.error(f"{where}: dates must be YYYY-MM-DD")
    elif earlier > later:
        report.error(f"{where}: earlier_date {earlier} is after later_date {later}")


def check_split(rows: list[dict[str, str]], report: Report) -> None:
    """Series stay in one split; the tune share and the origin mix are as promised."""
    splits_of: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        splits_of[(row["speaker"], row["subject"])].add(row["split"])
    for (speaker, subject), splits in sorted(splits_of.items()):
        if len(splits) > 1:
            report.error(f"series {speaker} / {subject} is in both splits")
    tune = sum(row["split"] == "tune" for row in rows) / max(len(rows), 1)
    if not TUNE_SHARE[0] <= tune <= TUNE_SHARE[1]:
        report.error(f"tune share {tune:.2f} outside {TUNE_SHARE}")
    for split in SPLITS:
        kinds = {row["origin"] == "written" for row in rows if row["split"] == split}
        if kinds != {True, False}:
            report.error(f"split {split} does not mix written and PolNeAR pairs")
    print(f"{len(splits_of)} speaker-subject series, tune share {tune:.2f}")


def check_counts(rows: list[dict[str, str]], report: Report) -> None:
    """Totals and per-label minimums; prints the tables."""
    if len(rows) < MIN_TOTAL:
        report.error(f"{len(rows)} pairs, at least {MIN_TOTAL} wanted")
    labels = Counter(row["label"] for row in rows)
    for label, least in MIN_PER_LABEL.items():
        if labels[label] < least:
            report.error(f"{labels[label]} {label} pairs, at least {least} wanted")
    seen: set[tuple[str, str, str]] = set()
    for row in rows:
        pair = (row["speaker"], row["earlier"], row["later"])
        if pair in seen:
            report.error(f"{row['id']}: the same pair appears twice")
        seen.add(pair)
    print(f"{len(rows)} pairs")
    for key, values in (("label", LABELS), ("split", SPLITS), ("origin", ORIGINS)):
        counts = Counter(row[key] for row in rows)
        print(f"  by {key}: " + ", ".join(f"{v} {counts[v]}" for v in values))
    print("  split x label:")
    for split in SPLITS:
        counts = Counter(row["label"] for row in rows if row["split"] == split)
        print(f"    {split:8} " + ", ".join(f"{v} {counts[v]}" for v in LABELS))


def normalise(text: str) -> str:
    """Collapse whitespace so that line breaks inside a span do not matter."""
    return " ".join(text.split())


def occurs_in_pieces(span: str, text: str, max_pieces: int = 4) -> bool:
    """Whether ``span`` is ``text`` verbatim, or at most ``max_pieces`` verbatim runs of it in order.

    PolNeAR contents may be discontinuous (a quote broken by "he said"); the pairs keep such a content
    as its pieces joined by a space. Each run is the longest word sequence found at or after the end
    of the previous one.
    """
    words = span.split()
    start = 0
    for _ in range(max_pieces):
        if not words:
            return True
        found = -1
        for length in range(len(words), 0, -1):
            found = text.find(" ".join(words[:length]), start)
            if found >= 0:
                start = found + len(" ".join(words[:length]))
                words = words[length:]
                break
        if found < 0:
            return False
    return not words


def article_texts(polnear: Path) -> dict[str, tuple[str, str]]:
    """Article stem -> (split, normalised text) for PolNeAR train and dev."""
    texts: dict[str, tuple[str, str]] = {}
    for split in ("train", "dev"):
        for path in sorted((polnear / split / "text").glob("*.txt")):
            texts[path.stem] = (split, normalise(path.read_text(encoding="utf-8")))
    return texts


def check_polnear(rows: list[dict[str, str]], polnear: Path, report: Report) -> None:
    """Stems in the notes, origins, dates, and verbatim texts of the PolNeAR pairs."""
    texts = article_texts(polnear) if polnear.is_dir() else {}
    if not texts:
        print(f"PolNeAR not found at {polnear}: article check not run")
    checked = 0
    for row in rows:
        if row["origin"] == "written":
            continue
        match = STEM_NOTE.search(row["note"])
        if match is None:
            report.error(f"{row['id']}: note must end with '<earlier stem> -> <later stem>'")
            continue
        stems = match.groups()
        for stem, key in zip(stems, ("earlier", "later"), strict=True):
            if f"_{row[f'{key}_date']}_" not in f"{stem}_":
                report.error(f"{row['id']}: {key}_date {row[f'{key}_date']} is not the date of {stem}")
        if not texts:
            continue
        splits = set()
        for stem, key in zip(stems, ("earlier", "later"), strict=True):
            if stem not in texts:
                report.error(f"{row['id']}: no PolNeAR article {stem}")
                continue
            split, text = texts[stem]
            splits.add(split)
            if not occurs_in_pieces(normalise(row[key]), text):
                report.error(f"{row['id']}: {key} text does not occur in {stem}")
        expected = "polnear-dev" if "dev" in splits else "polnear-train"
        if splits and row["origin"] != expected:
            report.error(f"{row['id']}: origin {row['origin']}, articles say {expected}")
        checked += 1
    if texts:
        print(f"{checked} PolNeAR pairs checked against their articles")


def main(argv: list[str] | None = None) -> int:
    """Run every check; print the counts; return 1 if anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS, help="the JSON Lines file to check")
    parser.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR, help="PolNeAR folder (train/, dev/)")
    args = parser.parse_args(argv)
    report = Report()
    rows = load_rows(args.pairs, report)
    for number, row in enumerate(rows, 1):
        check_row(number, row, report)
    shaped = [row for row in rows if tuple(row) == KEYS]
    check_counts(shaped, report)
    check_split(shaped, report)
    check_polnear(shaped, args.polnear, report)
    for message in report.errors:
        print(f"ERROR {message}", file=sys.stderr)
    print("OK" if not report.errors else f"{len(report.errors)} errors")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
