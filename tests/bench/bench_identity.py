"""Benchmark: does claim identity keep different statements apart and fold true restatements?

Run: nice .venv/bin/python tests/bench/bench_identity.py [--claims 2000]

Statements are the CheckThat! 2020 verified claims (real fact-checked sentences; nothing here is
tuned on them). Each is stored as a claim; then variants are looked up with
``claims.ingest.identity.find_same_statement`` (the lookup ingestion uses across articles):

- different statements, which must NOT be found: one number changed, a negation added, one
  content word replaced, one capitalised name replaced;
- restatements, which must be found: curly quotes and a full stop added, different spacing and
  case of the first letter, "5 percent" written "5%".

Prints, per variant, how many were looked up and how many were folded into the stored claim.
Only APIs that existed before this benchmark are used, so it runs on older code for comparison.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from claims.ingest.identity import find_same_statement
from claims.normalize import fingerprint
from claims.store import db
from claims.store.models import Claim, Speaker

DATA = Path(__file__).resolve().parents[3] / "shared" / "bench" / "checkthat2020" / "verified_claims.docs.tsv"
AUX = re.compile(r"\b(is|are|was|were|will|has|have|had|can|could|would|should|does|did|do)\b")
NUMBER = re.compile(r"\b\d[\d,.]*\b")
WORD = re.compile(r"\b[a-z]{4,}\b")
NAME = re.compile(r"(?<=\s)[A-Z][a-z]{3,}\b")
PERCENT = re.compile(r"\b(\d+) percent\b")
FRAGMENT_STARTS = {"a", "an", "the", "it", "this", "there", "in", "on", "we", "they", "he", "she"}


def load(path: Path, n: int) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r["vclaim"].strip() for r in csv.DictReader(fh, delimiter="\t")]
    rows = [r for r in rows if 6 <= len(r.split()) <= 60]
    random.Random(11).shuffle(rows)
    return rows[:n]


def variants(vocabulary: list[str], names: list[str], rng: random.Random
             ) -> dict[str, Callable[[str], str | None]]:
    def number(text: str) -> str | None:
        m = NUMBER.search(text)
        if not m:
            return None
        digits = re.sub(r"\D", "", m.group(0)) or "1"
        return text[: m.start()] + str(int(digits) + 1) + text[m.end():]

    def negation(text: str) -> str | None:
        m = AUX.search(text)
        return text[: m.end()] + " not" + text[m.end():] if m else None

    def word(text: str) -> str | None:
        found = list(WORD.finditer(text))
        if not found:
            return None
        m = rng.choice(found)
        other = rng.choice([w for w in vocabulary if w != m.group(0)])
        return text[: m.start()] + other + text[m.end():]

    def name(text: str) -> str | None:
        found = list(NAME.finditer(text))
        if not found:
            return None
        m = rng.choice(found)
        other = rng.choice([w for w in names if w != m.group(0)])
        return text[: m.start()] + other + text[m.end():]

    def quotes(text: str) -> str:
        return f"“{text.rstrip('.')}.”"

    def spacing(text: str) -> str:
        """As a quote fragment: doubled spaces, and a leading article or pronoun in lower case."""
        first, _, rest = text.partition(" ")
        if first.lower() in FRAGMENT_STARTS:
            text = f"{first.lower()} {rest}"
        return "  ".join(text.split(" "))

    def percent(text: str) -> str | None:
        return PERCENT.sub(r"\1%", text) if PERCENT.search(text) else None

    return {"different: a number changed": number, "different: a negation added": negation,
            "different: one word replaced": word, "different: one name replaced": name,
            "restatement: quote marks, full stop": quotes,
            "restatement: spacing, first letter": spacing, "restatement: 5 percent as 5%": percent}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=DATA, help="verified_claims.docs.tsv")
    parser.add_argument("--show", default="", help="print the folded examples of variants with this label")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"missing {args.data}", file=sys.stderr)
        return 1
    texts = load(args.data, args.claims)
    vocabulary = sorted({w for t in texts for w in WORD.findall(t)})
    names = sorted({w for t in texts for w in NAME.findall(t)})
    rng = random.Random(5)
    makers = variants(vocabulary, names, rng)
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{Path(tmp) / 'identity.db'}")
        db.create_all(engine)
        with Session(engine) as session:
            ids = []
            for i, text in enumerate(texts):  # one speaker per claim: each lookup sees its own claim
                speaker = Speaker(name=f"Speaker {i}")
                session.add(speaker)
                session.flush()
                claim = Claim(speaker_id=speaker.id, text=text, fingerprint=fingerprint(speaker.name, text))
                session.add(claim)
                session.flush()
                ids.append((speaker.id, speaker.name, claim.id))
            session.commit()
            started = time.perf_counter()
            lookups = 0
            print(f"{len(texts):,} CheckThat! 2020 verified claims stored")
            print(f"{'variant':42} {'looked up':>9} {'folded':>7} {'folded %':>8}")
            for label, make in makers.items():
                tried = folded = 0
                for text, (sid, sname, cid) in zip(texts, ids, strict=True):
                    variant = make(text)
                    if variant is None or variant == text:
                        continue
                    tried += 1
                    found = find_same_statement(session=session, speaker_id=sid,
                                                fingerprint=fingerprint(sname, variant), text=variant)
                    same = found is not None and found.id == cid
                    folded += same
                    if same and args.show and args.show in label:
                        print(f"    {text!r}\n -> {variant!r}")
                lookups += tried
                share = 100 * folded / tried if tried else 0.0
                print(f"{label:42} {tried:>9,} {folded:>7,} {share:>7.1f}%")
            elapsed = time.perf_counter() - started
            print(f"{lookups:,} lookups in {elapsed:.1f} s ({1000 * elapsed / max(lookups, 1):.2f} ms each)")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
