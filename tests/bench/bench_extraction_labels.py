"""Open-world extraction quality: a labelled sample of stored claims from PolNeAR dev, by outlet.

Run from the repository root (dev is for reporting only; rules are tuned on train and the gold files):

    nice -n 10 .venv/bin/python tests/bench/bench_extraction_labels.py report
    nice -n 10 .venv/bin/python tests/bench/bench_extraction_labels.py census [dev|train]
    nice -n 10 .venv/bin/python tests/bench/bench_extraction_labels.py sample --seed N --n 150 --out F

Why it exists: PolNeAR scores spans and source heads, not what an editor sees. An editor asks of a
stored claim: is the speaker right, does it read as a statement on its own, does it still mean what
the article said (never the opposite), and does the stored context help. Those need a reader, so a
sample of stored claims is labelled by hand and kept here:

* ``extraction_labels_dev.jsonl``: one labelled claim per line. ``sample`` names the sample
  (``baseline``: drawn and labelled before the speaker/meaning/context work, measuring the code as
  it was; ``fresh``: drawn afterwards with another seed and never tuned on). Labels:
  ``speaker`` = ``correct`` | ``wrong`` | ``missing`` (no speaker stored, though the article names
  or describes one) | ``none_ok`` (no speaker, and rightly: the article's own voice);
  ``statement`` = true when the claim (with its bracketed frame) reads as a statement on its own;
  ``meaning`` = ``kept`` | ``lost`` (no longer says what the article said) | ``opposite``;
  ``context`` = ``helps`` | ``none_ok`` (none stored, none needed) | ``unhelpful`` | ``missing``.
* ``extraction_labels_heldout.jsonl``: every claim stored from the 13 dev articles the file above
  never drew from (``sample --uncovered``), labelled the same way before the issue-21 extraction work
  and never tuned on. It adds ``topics_label``: ``usable`` when one of the claim's topics is a
  specific subject an editor would file it under (not "general", not "elections" alone, not the
  outlet's or a bystander's name), else ``not_usable``; ``note`` says why where it is not obvious.
* ``carry`` re-draws the held-out articles' claims with today's code for an "after" figure:
  claims stored exactly as before keep their labels, the others are marked ``needs_label`` and
  labelled by a reader before ``report`` is run on the file (labelled after the code changes, so
  still never tuned on);
* ``report`` prints the figures of each sample, overall and by outlet;
* ``census`` ingests a split and counts, over every stored claim (no labels needed): claims with
  no speaker, and speakers that cannot be speakers (fragments led by a function word or ending in
  a relative pronoun, a single lower-case word, a lone word of an organisation's name while the
  store holds the full name).
* ``sample`` ingests dev through the real pipeline into a temporary store and draws claims at
  random with a fixed seed, from all outlets, writing them unlabelled for a reader.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_open_world import DEFAULT_DATA, ingest_split  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from claims.catalog import load_catalog  # noqa: E402
from claims.settings import DEFAULT_CONFIG_DIR  # noqa: E402
from claims.store import db  # noqa: E402
from claims.store.models import (  # noqa: E402
    Article,
    Claim,
    ClaimAppearance,
    ClaimStatus,
    ClaimTopic,
    Speaker,
    Topic,
)

LABELS = Path(__file__).with_name("extraction_labels_dev.jsonl")
HELD_OUT = Path(__file__).with_name("extraction_labels_heldout.jsonl")
_FUNCTION = frozenset(
    [
        "who", "whom", "whose", "which", "that", "with", "and", "or", "but", "of", "for", "to",
        "by", "from", "in", "on", "at", "as", "if", "when", "while", "because", "since",
        "including", "going", "even", "also", "then", "he", "she", "it", "they", "his", "her",
        "its", "their"
    ]
)  # fmt: skip
_DETERMINERS = frozenset(["the", "a", "an", "this", "these", "those"])
_ABBREVIATIONS = frozenset(
    ["Mrs", "Mr", "Ms", "Dr", "Sen", "Gov", "Rep", "Gen", "Jr", "Sr", "St", "Rev", "Prof"]
)
_POSSESSIVES = frozenset(["his", "her", "its", "their"])
_QUANTIFIERS = frozenset(["all", "some", "many", "both", "one", "another", "others", "several", "most"])
_ORG_WORDS = frozenset(
    [
        "times", "post", "journal", "department", "street", "news", "agency", "committee",
        "ministry", "office", "service"
    ]
)  # fmt: skip


def stored_claims(split: str, data: Path) -> list[dict[str, object]]:
    """Every active claim of a split's articles as stored by the real pipeline, in reading order."""
    catalog = load_catalog(DEFAULT_CONFIG_DIR)
    out: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{Path(tmp) / 'labels.db'}")
        db.upgrade(engine)

        def session_factory() -> Session:
            return Session(engine, expire_on_commit=False)

        ingest_split(session_factory, data / split / "text", catalog)
        with session_factory() as session:
            rows = session.exec(
                select(Claim, ClaimAppearance, Article)
                .join(ClaimAppearance, ClaimAppearance.claim_id == Claim.id)  # type: ignore[arg-type]
                .join(Article, Article.id == ClaimAppearance.article_id)  # type: ignore[arg-type]
                .where(Claim.status == ClaimStatus.ACTIVE.value)
                .order_by(Article.id, ClaimAppearance.start)  # type: ignore[arg-type]
            ).all()
            names = {s.id: s.name for s in session.exec(select(Speaker)).all()}
            slugs = {t.id: t.slug for t in session.exec(select(Topic)).all()}
            extra: dict[int, list[str]] = defaultdict(list)
            for link in session.exec(select(ClaimTopic)).all():
                extra[link.claim_id].append(slugs[link.topic_id])
            seen: set[int] = set()
            for claim, app, art in rows:
                if claim.id in seen:
                    continue
                seen.add(claim.id or 0)
                text = art.text
                lo = max(0, text.rfind("\n", 0, max(0, app.start - 400)))
                out.append({
                    "article": art.title, "outlet": art.outlet, "start": app.start, "end": app.end,
                    "speaker": names.get(claim.speaker_id) if claim.speaker_id else None,
                    "mention": app.speaker_mention, "text": claim.text,
                    "resolved_text": claim.resolved_text, "context": claim.context,
                    "topics": [slugs[claim.topic_id]] * bool(claim.topic_id) + sorted(extra[claim.id or 0]),
                    "sentence": app.sentence,
                    "before": text[lo : max(lo, text.find(app.sentence[:40], lo))][-500:],
                })
        engine.dispose()
    return out


def bad_speaker(name: str, article_names: set[str]) -> str | None:
    """Why a stored speaker name cannot be a speaker, or None if it can.

    ``article_names`` are the other speakers stored from the same article: a lone word of one of
    them ("Times" beside "New York Times") is not a speaker of its own.
    """
    words = name.split()
    low = [w.lower().strip(",.") for w in words]
    if not words:
        return "empty"
    if (low[0] in _FUNCTION and low[0] not in _POSSESSIVES) or low[-1] in _FUNCTION | _DETERMINERS:
        return "fragment"
    if any(w.endswith(("n’t", "n't")) for w in low) or (low[-1].endswith("ly") and words[-1][:1].islower()):
        return "fragment"
    not_a_noun = low[0] in _FUNCTION | _QUANTIFIERS or low[0].endswith(("ly", "ing"))
    if len(words) == 1 and name.islower() and not_a_noun:
        return "function word"
    if len(words) == 1 and name[:1].isupper():
        longer = [n for n in article_names if n != name and name in n.split()[:-1]]
        if longer:
            return "lone name word"
        if low[0] in _ORG_WORDS:
            return "lone name word"
    caps = [w for w in words if w[:1].isupper()]
    title_case = any(w in ("To", "A", "Of", "With", "For", "And", "Is") for w in words[1:])
    # A sentence's full stop inside the name ("Hillary Clinton. Late"); "Mrs. Clinton" is no headline.
    stops = [w for w in re.findall(r"\b([A-Za-z]*[a-z]{2,})\. [A-Z]", name) if w not in _ABBREVIATIONS]
    if stops or (len(caps) >= 4 and title_case):
        return "headline"
    return None


def census(split: str, data: Path) -> None:
    claims = stored_claims(split, data)
    names: dict[str, set[str]] = defaultdict(set)
    for c in claims:
        if c["speaker"]:
            names[str(c["article"])].add(str(c["speaker"]))
    none = sum(1 for c in claims if not c["speaker"])
    share = none / max(1, len(claims))
    print(f"PolNeAR {split}: {len(claims)} stored claims; no speaker {none} ({share:.1%})")
    bad = defaultdict(list)
    for c in claims:
        if c["speaker"]:
            why = bad_speaker(str(c["speaker"]), names[str(c["article"])])
            if why:
                bad[why].append(str(c["speaker"]))
    total = sum(len(v) for v in bad.values())
    print(f"claims with a speaker that cannot be one: {total}")
    for why, got in sorted(bad.items()):
        print(f"  {why}: {len(got)} {sorted(set(got))[:12]}")


def sample(split: str, data: Path, seed: int, n: int, out: Path, name: str, uncovered: bool = False) -> None:
    claims = stored_claims(split, data)
    if uncovered:
        # Only articles no earlier label file drew from: a held-out set nothing was tuned on.
        lines = LABELS.read_text(encoding="utf-8").splitlines()
        seen = {json.loads(line)["article"] for line in lines if line}
        claims = [c for c in claims if c["article"] not in seen]
    rng = random.Random(seed)
    picked = rng.sample(claims, min(n, len(claims)))
    with out.open("w", encoding="utf-8") as fh:
        for c in picked:
            fh.write(json.dumps({"sample": name, "seed": seed, **c}, ensure_ascii=False) + "\n")
    print(f"{len(picked)} claims of {len(claims)} written to {out}")


_LABELS = ("speaker_label", "statement", "meaning", "context_label", "topics_label", "note")
_SAME_CLAIM = ("article", "start", "end", "speaker", "text", "resolved_text")


def carry(split: str, data: Path, labelled: Path, out: Path, name: str) -> None:
    """Draw the held-out articles' claims again with today's code; a claim stored exactly as before
    (same span, speaker, words and frame) keeps its labels (context and topics labels only if those
    are unchanged too); every other claim is written with ``needs_label`` for a reader."""
    old = [json.loads(line) for line in labelled.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = {r["article"] for r in old}
    by_claim = {tuple(r[k] for k in _SAME_CLAIM): r for r in old}
    kept = 0
    with out.open("w", encoding="utf-8") as fh:
        for c in stored_claims(split, data):
            if c["article"] not in articles:
                continue
            c.pop("before", None)
            row: dict[str, object] = {"sample": name, "seed": old[0]["seed"], **c}
            prev = by_claim.get(tuple(c[k] for k in _SAME_CLAIM))
            if prev is not None:
                kept += 1
                row.update({k: prev[k] for k in _LABELS if k in prev})
                if prev["context"] != c["context"]:
                    row.pop("context_label", None)
                if prev["topics"] != c["topics"]:
                    row.pop("topics_label", None)
            missing = [k for k in _LABELS[:5] if k not in row]
            if missing:
                row["needs_label"] = missing
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{kept} claims kept their labels; the rest are written to {out} with needs_label")


def _figures(rows: list[dict[str, object]]) -> str:
    n = len(rows)
    with_speaker = [r for r in rows if r["speaker_label"] in ("correct", "wrong")]
    correct = sum(1 for r in with_speaker if r["speaker_label"] == "correct")
    missing = sum(1 for r in rows if r["speaker_label"] == "missing")
    none_ok = sum(1 for r in rows if r["speaker_label"] == "none_ok")
    statement = sum(1 for r in rows if r["statement"])
    opposite = sum(1 for r in rows if r["meaning"] == "opposite")
    kept = sum(1 for r in rows if r["meaning"] == "kept")
    ctx = [r for r in rows if r.get("context_label")]
    ctx_ok = sum(1 for r in ctx if r["context_label"] in ("helps", "none_ok"))
    topical = [r for r in rows if "topics_label" in r]
    usable = sum(1 for r in topical if r["topics_label"] == "usable")
    topics = f"  topics usable {usable / len(topical):.3f}" if topical else ""
    return (
        f"n {n:3d}  speaker correct {correct / max(1, len(with_speaker)):.3f} ({correct}/{len(with_speaker)})"
        f"  no speaker {(missing + none_ok) / max(1, n):.3f} (missing {missing}, rightly none {none_ok})"
        f"  statement {statement / max(1, n):.3f}  meaning kept {kept / max(1, n):.3f}"
        f"  opposite {opposite}  context ok {ctx_ok / max(1, len(ctx)):.3f}{topics}"
    )


def report(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_sample: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in rows:
        by_sample[str(r["sample"])].append(r)
    for name, got in by_sample.items():
        print(f"sample {name!r} (seed {got[0]['seed']}):")
        print(f"  all          {_figures(got)}")
        by_outlet: dict[str, list[dict[str, object]]] = defaultdict(list)
        for r in got:
            by_outlet[str(r["outlet"])].append(r)
        for outlet in sorted(by_outlet):
            print(f"  {outlet:12s} {_figures(by_outlet[outlet])}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("report", "census", "sample", "carry"))
    parser.add_argument("split", nargs="?", default="dev", choices=("dev", "train"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--name", default="baseline")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--uncovered", action="store_true", help="only articles the dev label file lacks")
    args = parser.parse_args(argv)
    if args.command == "report":
        report(args.labels)
    elif args.command == "carry":
        carry(args.split, args.data, args.labels, args.out or Path("carried.jsonl"), args.name)
    elif args.command == "census":
        census(args.split, args.data)
    else:
        out = args.out or Path("sample.jsonl")
        sample(args.split, args.data, args.seed, args.n, out, args.name, args.uncovered)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
