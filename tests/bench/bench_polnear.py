"""PolNeAR benchmark for the claim extractor: content-span overlap and source match.

Run from the repository root (tune on ``train``, report on ``dev``; the test split is held back):

    .venv/bin/python tests/bench/bench_polnear.py [dev|train] [--data DIR] [-v]

PolNeAR (LREC 2018) annotates every attribution in 2016 US election news: Source, Cue and Content
spans in brat standoff (``attributions/*.ann``, several annotators per article for some). We compare
each annotation file with the extractor's claims on the article text:

* overlap precision: share of extracted claims whose span overlaps some gold Content span;
* overlap recall: share of gold Contents overlapped by some extracted claim;
* strict variants: the same with overlap / union of the two spans >= 0.5;
* source match: sources are reduced to their head phrase (first comma segment, without a trailing
  "of ..."/"who ..." phrase); of matched gold attributions whose source head is a name (its last
  word capitalised), the share where the claim's speaker, mention or aliases hold that word; for
  sources that are descriptions ("a campaign spokesman",
  "the company's chief executive"), the share where the speaker, its mention, role or aliases hold
  the description's head noun (the person it was resolved to is shown with the description as
  written). The target is on both together ("name or description").
* recall against the cue policy: the same recall on the gold attributions whose cue the policy
  tracks (a word of the cue is a tracked cue in ``claims.extract.cues``, a colon, or "according to").

Both cue policies are measured: ``tracked`` (what the bot stores) and ``all`` (also wants, plans,
refusals and endorsements).

The published reference on the test split (BERT + CofeNet) is content F1 72.9 with *exact* span
match, so these overlap figures are not directly comparable; see the report printed at the end.
"""

from __future__ import annotations

import itertools
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from claims.catalog import load_catalog  # noqa: E402
from claims.extract.attribution import ExtractedClaim, extract_claims  # noqa: E402
from claims.extract.cues import CUES, TRACKED, CuePolicy  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "polnear"
_NOT_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "its",
        "this",
        "that",
        "these",
        "those",
    ]
)


@dataclass
class Gold:
    """One attribution: its content spans and its source text (if any)."""

    content: list[tuple[int, int]]
    source: str | None
    cue: str | None = None


@dataclass
class Totals:
    """Running counts over all annotation files."""

    pred: int = 0
    pred_hit: int = 0
    pred_strict: int = 0
    gold: int = 0
    gold_hit: int = 0
    gold_strict: int = 0
    named: int = 0
    named_ok: int = 0
    described: int = 0
    described_ok: int = 0
    tracked: int = 0
    tracked_hit: int = 0
    misses: list[str] = field(default_factory=list)


def read_ann(path: Path) -> list[Gold]:
    """Attributions from a brat ``.ann`` file (content spans may be discontinuous)."""
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            label, _, offsets = parts[1].partition(" ")
            ranges = []
            for r in offsets.split(";"):
                a, b = r.split()
                ranges.append((int(a), int(b)))
            spans[parts[0]] = (label, ranges, parts[2])
        elif line.startswith("E"):
            roles = {}
            for item in line.split("\t")[1].split():
                role, _, ref = item.partition(":")
                roles[role] = ref
            events.append(roles)
    out = []
    for ev in events:
        content = spans.get(ev.get("Content", ""))
        if content is None:
            continue
        source = spans.get(ev.get("Source", ""))
        cue = spans.get(ev.get("Cue", ""))
        out.append(Gold(content[1], source[2] if source else None, cue[2] if cue else None))
    return out


_TAIL = re.compile(
    r"\s+(?:of|in|at|from|for|with|on|who|whose|which|that|conducted|taken|released|published)\s.*$"
)


def head_phrase(source: str) -> str:
    """The part of a raw source span that names or describes the source.

    Sources are annotated with their appositives and modifiers ("Huma Abedin, vice chairwoman for
    Clinton's presidential campaign,", "a woman in Worcester, Massachusetts"): the head is the
    first comma segment without parentheses and without its trailing prepositional phrase or
    relative clause.
    """
    # A party and state tag is no part of the name: "Sen. John Cornyn (R-Texas)" is Cornyn.
    first = re.sub(r"\s*\([^()]*\)", "", source).strip().split(",")[0].strip()
    return _TAIL.sub("", first) or first


def is_name(source: str | None) -> bool:
    """Whether a source names someone ("Hillary Clinton", "The Post"), by its head word's capital."""
    if not source:
        return False
    words = re.findall(r"[\w’'.-]+", head_phrase(source))
    if not words or (len(words) == 1 and words[0].lower() in _NOT_NAMES):
        return False
    return words[-1][0].isupper() and words[-1].lower() not in _NOT_NAMES


def is_description(source: str | None) -> bool:
    """A source that describes without naming ("a campaign spokesman", "sources"), not a pronoun."""
    if not source or is_name(source):
        return False
    words = re.findall(r"[\w’'-]+", head_phrase(source).lower())
    if not words or words[-1] in ("who", "which"):
        return False
    return not (len(words) == 1 and words[0] in _NOT_NAMES)


def tracked_cue(cue: str | None) -> bool:
    """Whether the cue policy tracks a gold cue: one of its words is a tracked cue, or a colon."""
    if cue is None:
        return False
    low = cue.lower().strip()
    if low in (":", "according to") or low.endswith(":") or low.startswith("according to"):
        return True
    words = re.findall(r"[a-z’']+", low)
    phrases = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return any(p in CUES and CUES[p][1] in TRACKED for p in phrases)


def _description_ok(source: str, c: ExtractedClaim) -> bool:
    words = re.findall(r"[\w’'-]+", head_phrase(source).lower())
    head = re.sub(r"[’']s?$", "", words[-1])
    hay = " ".join([c.speaker or "", c.speaker_mention, c.speaker_role or "", *c.speaker_aliases]).lower()
    return re.search(rf"(?<!\w){re.escape(head)}", hay) is not None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _strict(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
    inter = sum(_overlap(a, s) for s in spans)
    union = max(a[1], hi) - min(a[0], lo)
    return union > 0 and inter / union >= 0.5


def _source_ok(source: str, c: ExtractedClaim) -> bool:
    words = [w for w in re.findall(r"[\w’'-]+", head_phrase(source)) if w[0].isupper()]
    if not words:
        return False
    last = re.sub(r"[’']s?$", "", words[-1]).lower()
    hay = " ".join([c.speaker or "", c.speaker_mention, *c.speaker_aliases]).lower()
    return re.search(rf"(?<!\w){re.escape(last)}(?!\w)", hay) is not None


def main(argv: list[str]) -> int:
    split = next((a for a in argv if a in ("dev", "train")), "dev")
    data = Path(argv[argv.index("--data") + 1]) if "--data" in argv else DEFAULT_DATA
    verbose = "-v" in argv
    base = data / split
    if not base.exists():
        print(f"PolNeAR data not found at {base}")
        return 1
    policies: list[CuePolicy] = ["tracked", "all"]
    if "--cues" in argv:
        policies = [argv[argv.index("--cues") + 1]]  # type: ignore[list-item]
    for policy in policies:
        run(split, base, policy, verbose)
    return 0


def run(split: str, base: Path, policy: CuePolicy, verbose: bool) -> None:
    """Score one cue policy on one split and print its figures."""
    catalog = load_catalog(ROOT / "config")
    t = Totals()
    texts: dict[str, str] = {p.stem: p.read_text(encoding="utf-8") for p in (base / "text").glob("*.txt")}
    cache: dict[str, list] = {}
    t0 = time.perf_counter()
    n_files = 0
    for ann in sorted((base / "attributions").glob("*.ann")):
        stem = ann.stem.rsplit("_", 1)[0]
        text = texts.get(stem)
        if text is None:
            continue
        n_files += 1
        if stem not in cache:
            cache[stem] = extract_claims(text, catalog=catalog, cues=policy)
        claims = cache[stem]
        golds = read_ann(ann)
        t.pred += len(claims)
        t.gold += len(golds)
        for c in claims:
            span = (c.start, c.end)
            if any(_overlap(span, s) for g in golds for s in g.content):
                t.pred_hit += 1
            elif verbose:
                print(f"FP  {stem}: {c.text[:100]!r} ({c.speaker_mention})")
            if any(_strict(span, g.content) for g in golds):
                t.pred_strict += 1
        for g in golds:
            hits = [c for c in claims if any(_overlap((c.start, c.end), s) for s in g.content)]
            if tracked_cue(g.cue):
                t.tracked += 1
                t.tracked_hit += bool(hits)
            if hits:
                t.gold_hit += 1
                if is_description(g.source):
                    t.described += 1
                    if any(_description_ok(g.source or "", c) for c in hits):
                        t.described_ok += 1
                    elif verbose:
                        got = [(c.speaker, c.speaker_mention) for c in hits]
                        print(f"DSC {stem}: gold {g.source!r}, got {got}")
                if any(_strict((c.start, c.end), g.content) for c in hits):
                    t.gold_strict += 1
                if is_name(g.source):
                    t.named += 1
                    if any(_source_ok(g.source or "", c) for c in hits):
                        t.named_ok += 1
                    elif verbose:
                        print(
                            f"SRC {stem}: gold {g.source!r}, got "
                            f"{[(c.speaker, c.speaker_mention) for c in hits]}"
                        )
            elif verbose:
                a, b = g.content[0]
                print(f"FN  {stem}: {text[a:b][:100]!r} <- {g.source!r}")
    dt = time.perf_counter() - t0
    p = t.pred_hit / t.pred if t.pred else 0.0
    r = t.gold_hit / t.gold if t.gold else 0.0
    ps = t.pred_strict / t.pred if t.pred else 0.0
    rs = t.gold_strict / t.gold if t.gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    fs = 2 * ps * rs / (ps + rs) if ps + rs else 0.0
    sm = t.named_ok / t.named if t.named else 0.0
    sd = t.described_ok / t.described if t.described else 0.0
    both = t.named + t.described
    sb = (t.named_ok + t.described_ok) / both if both else 0.0
    rt = t.tracked_hit / t.tracked if t.tracked else 0.0
    print(
        f"PolNeAR {split}, cues={policy}: {n_files} annotation files over {len(cache)} articles, "
        f"{t.gold} gold attributions ({t.tracked} with a tracked cue), {t.pred} extracted claims "
        "(summed per annotation file)"
    )
    print(f"content overlap  P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    print(f"content strict   P {ps:.3f}  R {rs:.3f}  F1 {fs:.3f}  (overlap/union >= 0.5)")
    print(f"recall vs policy R {rt:.3f}  ({t.tracked_hit}/{t.tracked} gold attributions the policy tracks)")
    print(f"source match     {sb:.3f}  name or description ({t.named_ok + t.described_ok}/{both})")
    print(f"  named          {sm:.3f}  ({t.named_ok}/{t.named})")
    print(f"  description    {sd:.3f}  ({t.described_ok}/{t.described})")
    print(f"time: {dt:.2f} s")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
