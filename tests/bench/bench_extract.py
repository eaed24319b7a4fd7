"""Gold-file benchmark for the claim extractor: recall, precision, speaker and topic accuracy, speed.

Run from the repository root:

    .venv/bin/python tests/bench/bench_extract.py [-v]

Each ``tests/claims/gold/*.json`` names an article (text, or HTML run through trafilatura as the
ingest layer does) and its gold claims: a phrase the extracted claim text must contain, the speaker
and the accepted topic(s). A gold claim is found when some extracted claim contains its phrase
(compared after ``normalize_text``); an extracted claim is correct when it contains some gold or
``optional`` phrase. ``must_not`` phrases may appear in no claim. Speed is measured on ~1,000-word
articles made of the gold texts, on one core.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from claims.catalog import load_catalog  # noqa: E402
from claims.extract.attribution import ExtractedClaim, extract_claims  # noqa: E402
from claims.normalize import normalize_text  # noqa: E402

GOLD = ROOT / "tests" / "claims" / "gold"


@dataclass
class Score:
    """Counts for one article."""

    gold: int = 0
    found: int = 0
    speaker_ok: int = 0
    topic_ok: int = 0
    extracted: int = 0
    correct: int = 0
    chrome: int = 0


def load_article(spec: dict, base: Path = GOLD) -> str | None:
    """The plain text the extractor would receive for this gold file, or None if absent."""
    path = (base / spec["article"]).resolve()
    if not path.exists():
        return None
    raw = path.read_text(encoding="utf-8")
    if spec.get("format") == "html":
        import trafilatura

        return trafilatura.extract(raw) or ""
    return raw


def score(spec: dict, claims: list[ExtractedClaim], verbose: bool = False) -> Score:
    """Compare extracted claims with one gold file."""
    s = Score(gold=len(spec["claims"]), extracted=len(claims))
    norm = [normalize_text(c.text) for c in claims]
    for g in spec["claims"]:
        phrase = normalize_text(g["contains"])
        hits = [c for c, n in zip(claims, norm, strict=True) if phrase in n]
        if not hits:
            if verbose:
                print(f"  MISSED   {g['contains']!r} ({g['speaker']})")
            continue
        s.found += 1
        c = hits[0]
        topics = g["topic"] if isinstance(g["topic"], list) else [g["topic"]]
        if c.speaker == g["speaker"]:
            s.speaker_ok += 1
        elif verbose:
            print(
                f"  SPEAKER  {g['contains']!r}: got {c.speaker!r} ({c.speaker_mention!r}), "
                f"want {g['speaker']!r}"
            )
        if c.topic in topics:
            s.topic_ok += 1
        elif verbose:
            print(f"  TOPIC    {g['contains']!r}: got {c.topic!r}, want {topics}")
    accepted = [normalize_text(p) for p in [g["contains"] for g in spec["claims"]]]
    accepted += [normalize_text(p) for p in spec.get("optional", [])]
    banned = [normalize_text(p) for p in spec.get("must_not", [])]
    for c, n in zip(claims, norm, strict=True):
        if any(p in n for p in accepted):
            s.correct += 1
        elif verbose:
            print(f"  EXTRA    {c.text[:90]!r} ({c.speaker})")
        if any(p in n for p in banned):
            s.chrome += 1
            if verbose:
                print(f"  CHROME   {c.text[:90]!r}")
    return s


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    catalog = load_catalog(ROOT / "config")
    total = Score()
    texts: list[str] = []
    print(f"{'article':<28} {'recall':>7} {'prec':>7} {'speaker':>8} {'topic':>7}  n_gold n_out")
    for path in sorted(GOLD.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        text = load_article(spec)
        if text is None:
            print(f"{path.stem:<28} (article not found: {spec['article']})")
            continue
        texts.append(text)
        published = datetime.fromisoformat(spec["published_at"])
        if verbose:
            print(f"== {path.stem}")
        claims = extract_claims(text, catalog=catalog, published_at=published)
        s = score(spec, claims, verbose)
        for f in ("gold", "found", "speaker_ok", "topic_ok", "extracted", "correct", "chrome"):
            setattr(total, f, getattr(total, f) + getattr(s, f))
        _row(path.stem, s)
    _row("OVERALL", total)
    print(f"chrome claims (must_not hits): {total.chrome}")

    # Speed: ~1,000-word articles built from the gold texts, single process, single core.
    words = " ".join(texts).split(" ")
    articles = []
    for i in range(0, max(1, len(words) - 1000), 400):
        articles.append(" ".join(words[i : i + 1000]).replace(". ", ".\n", 5))
    articles = (articles * (200 // max(1, len(articles)) + 1))[:200]
    for policy in ("tracked", "all"):
        t0 = time.perf_counter()
        c0 = time.process_time()
        n_claims = 0
        for a in articles:
            n_claims += len(extract_claims(a, catalog=catalog, cues=policy))  # type: ignore[arg-type]
        dt = time.perf_counter() - t0
        cpu = time.process_time() - c0
        # Wall time suffers when other jobs share the machine; CPU time is what one core spends.
        print(
            f"speed (cues={policy}): {len(articles) / dt:.0f} articles/s wall, {len(articles) / cpu:.0f} "
            f"articles per CPU second, on ~1,000-word articles ({len(articles)} articles, {n_claims} "
            f"claims, {dt:.2f} s wall, {cpu:.2f} s CPU, one core)"
        )
    return 0


def _row(name: str, s: Score) -> None:
    rec = s.found / s.gold if s.gold else 0.0
    prec = s.correct / s.extracted if s.extracted else 0.0
    spk = s.speaker_ok / s.found if s.found else 0.0
    top = s.topic_ok / s.found if s.found else 0.0
    print(f"{name:<28} {rec:7.2f} {prec:7.2f} {spk:8.2f} {top:7.2f}  {s.gold:6d} {s.extracted:5d}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
