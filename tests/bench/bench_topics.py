"""Topics benchmark: are claims filed under subjects a newsroom would use?

Run from the repository root (tune on ``train`` and the shipped samples, report on ``dev``; the test
split is held back):

    nice -n 10 .venv/bin/python tests/bench/bench_topics.py [dev|train] [--limit N] [--keep DB] [-v]
    nice -n 10 .venv/bin/python tests/bench/bench_topics.py dev --sample 100 --write-sample FILE
    .venv/bin/python tests/bench/bench_topics.py --labels tests/bench/topic_labels_dev.toml

Every PolNeAR article of the split (2016 US election coverage; ``--limit`` takes that many, evenly
spread, for a quicker run) is ingested into a fresh store through the real pipeline. Then, over the
live claims and visible topics:

* specific topic: the share of claims with at least one topic that is neither the catch-all nor a
  topic holding more than a fifth of all claims (target >= 0.75);
* spelling twins: pairs of visible topics that ``same_subject`` calls one subject (spelling, plural,
  initials, word order, or one a sub-phrase of the other with the same head; target 0);
* verb-led or date topics, as a share of topics (target <= 0.01): a topic whose first word is
  a verb by its form and its use in the split's own text (``verb_led``), or that names a date or an age;
* lone name words: one-word topics that the split's text uses as a person's first name or surname;
* claims under the seed's configured topics (cease-fire, Greenland, NATO, the Ukraine war, tariffs):
  2016 news rarely concerns them, so each such claim is printed; it counts as unsupported when
  neither its text, its sentence nor its context carries one of the topic's strong keywords;
* the topic count.

``--write-sample`` writes a random sample of claims with their topics for hand labelling; ``--labels``
reads such a file back (each entry with ``ok = true/false``: is every topic a subject an editor
would file the claim under?) and prints the share labelled good.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_open_world import DEFAULT_DATA, _date  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from claims.catalog import Catalog, load_catalog  # noqa: E402
from claims.extract.topics import classifier_for  # noqa: E402
from claims.ingest.phrases import name_words, verb_led  # noqa: E402
from claims.ingest.pipeline import ingest_article  # noqa: E402
from claims.ingest.sources import ArticleInput  # noqa: E402
from claims.ingest.subjects import same_subject  # noqa: E402
from claims.settings import DEFAULT_CONFIG_DIR  # noqa: E402
from claims.store import db  # noqa: E402
from claims.store.models import (  # noqa: E402
    Article,
    Claim,
    ClaimAppearance,
    ClaimStatus,
    ClaimTopic,
    PhraseSighting,
    Topic,
    TopicKind,
)

SEED_TOPICS = ("ceasefire", "greenland", "nato", "ukraine-russia-war", "tariffs")
_CALENDAR = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|"
    r"july|august|september|october|november|december|year|years|old|week|weeks|month|months|day|days|"
    r"today|yesterday|tonight)\b|\d")
_TIME_OF_DAY = re.compile(r"\b(?:morning|evening|afternoon|night)\b")
"""A date word in a common phrase ("night debate"); in a proper name ("Morning Joe", a programme) not."""


def ingest(session_factory, text_dir: Path, catalog: Catalog, limit: int | None) -> int:
    paths = sorted(text_dir.glob("*.txt"), key=lambda p: (_date(p), p.name))
    if limit and limit < len(paths):
        step = len(paths) / limit
        paths = [paths[int(i * step)] for i in range(limit)]
    for path in paths:
        outlet = path.name.split("_", 1)[0]
        url = f"https://{outlet}.example/{path.stem}"
        art = ArticleInput(text=path.read_text(encoding="utf-8"), url=url, canonical_url=url,
                           title=path.stem, outlet=outlet, published_at=_date(path))
        with session_factory() as session:
            ingest_article(art, session=session, catalog=catalog)
            session.commit()
    return len(paths)


def claim_topics(session: Session) -> dict[int, set[int]]:
    """Every live claim's topics (main and further, hidden topics left out)."""
    visible = set(session.exec(select(Topic.id).where(col(Topic.hidden).is_(False))))
    out: dict[int, set[int]] = {}
    for cid, tid in session.exec(select(Claim.id, Claim.topic_id)
                                 .where(Claim.status == ClaimStatus.ACTIVE.value)):
        out[cid] = {tid} if tid in visible else set()
    for cid, tid in session.exec(select(ClaimTopic.claim_id, ClaimTopic.topic_id)):
        if cid in out and tid in visible:
            out[cid].add(tid)
    return out


def specific_share(session: Session, catalog: Catalog, topics: dict[int, set[int]]
                   ) -> tuple[float, list[str]]:
    counts = Counter(t for ts in topics.values() for t in ts)
    fallback = session.exec(select(Topic.id).where(Topic.slug == catalog.fallback_topic)).first()
    crowded = {t for t, n in counts.items() if n > len(topics) / 5}
    names = [f"{session.get(Topic, t).slug} ({counts[t] / len(topics):.0%})" for t in crowded]
    specific = sum(1 for ts in topics.values() if ts - crowded - {fallback})
    return specific / max(len(topics), 1), names


def twins(rows: list[Topic]) -> list[tuple[str, str]]:
    """Pairs of topics naming one subject; a configured topic and a discovered one only when spelt
    alike (a discovered "primary election" is a more specific topic under "Elections")."""
    keys = [(t.key or t.slug.replace("-", " "), t.slug, t.kind == TopicKind.DISCOVERED.value) for t in rows]
    return [(a[1], b[1]) for i, a in enumerate(keys) for b in keys[i + 1:]
            if same_subject(a[0], b[0], sub_phrases=a[2] and b[2])]


def lone_names(topics: list[Topic], texts: list[str]) -> list[str]:
    """One-word topics that most articles using the word use as a person's first name or surname."""
    names = [name_words(t) for t in texts]
    out = []
    for topic in topics:
        word = re.compile(rf"\b{re.escape(topic.key or '')}\b", re.IGNORECASE)
        using = [i for i, t in enumerate(texts) if word.search(t)]
        if using and sum(topic.key in names[i] for i in using) * 2 >= len(using):
            out.append(topic.slug)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("split", nargs="?", default="dev", choices=("dev", "train"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, help="ingest only this many articles, evenly spread")
    parser.add_argument("--keep", type=Path, help="build the store in this SQLite file and keep it")
    parser.add_argument("--reuse", action="store_true", help="read the --keep store without ingesting")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--write-sample", type=Path, help="write a random sample of claims to label")
    parser.add_argument("--labels", type=Path, help="print the share of a labelled sample marked ok")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.labels:
        with args.labels.open("rb") as fh:
            entries = tomllib.load(fh)["claim"]
        ok = sum(1 for e in entries if e["ok"])
        print(f"{args.labels.name}: topics an editor would file under {ok}/{len(entries)}"
              f" = {ok / max(len(entries), 1):.2f}")
        return 0
    catalog = load_catalog(DEFAULT_CONFIG_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "topics.db"
        if not args.reuse:
            path.unlink(missing_ok=True)
        engine = db.make_engine(f"sqlite:///{path}")
        if not args.reuse:
            db.upgrade(engine)
            n = ingest(lambda: Session(engine, expire_on_commit=False), args.data / args.split / "text",
                       catalog, args.limit)
            print(f"PolNeAR {args.split}: {n} articles ingested")
        with Session(engine) as session:
            report(session, catalog, args)
        engine.dispose()
    return 0


def report(session: Session, catalog: Catalog, args: argparse.Namespace) -> None:
    topics = claim_topics(session)
    rows = list(session.exec(select(Topic).where(col(Topic.hidden).is_(False))))
    used = {t for ts in topics.values() for t in ts}
    rows = [t for t in rows if t.id in used]
    share, crowded = specific_share(session, catalog, topics)
    print(f"claims: {len(topics)}; topics in use: {len(rows)}"
          f" ({sum(t.kind == TopicKind.DISCOVERED.value for t in rows)} discovered)")
    print(f"claims with a specific topic: {share:.3f} (target >= 0.75); crowded topics: {crowded}")
    pairs = twins(rows)
    print(f"spelling twins: {len(pairs)} (target 0) {pairs[:15]}")
    texts = [a for a in session.exec(select(Article.text))]
    corpus = " ".join(texts)
    discovered = [t for t in rows if t.kind == TopicKind.DISCOVERED.value]
    verbs = [t.slug for t in discovered if verb_led(t.key or "", corpus)]
    dates = [t.slug for t in discovered if _CALENDAR.search(t.key or "")
             or (_TIME_OF_DAY.search(t.key or "") and not _proper_name(session, t))]
    print(f"verb-led or date topics: {len(verbs) + len(dates)}/{len(rows)}"
          f" = {(len(verbs) + len(dates)) / max(len(rows), 1):.3f} (target <= 0.01) {verbs + dates}")
    lone = lone_names([t for t in discovered if t.key and " " not in t.key], texts)
    print(f"lone name words as topics: {len(lone)} {lone}")
    seeded(session, catalog, topics, args.verbose)
    if args.verbose:
        counts = Counter(t for ts in topics.values() for t in ts)
        print("topics:", ", ".join(f"{t.slug} {counts[t.id]}"
                                   for t in sorted(rows, key=lambda t: -counts[t.id])))
    if args.write_sample:
        write_sample(session, topics, args.sample, args.write_sample)


def _proper_name(session: Session, topic: Topic) -> bool:
    """Whether the news writes the topic's phrase with every word capitalised, as a name."""
    surfaces = Counter(session.exec(select(PhraseSighting.surface).where(PhraseSighting.key == topic.key)))
    if not surfaces:
        return False
    surface = surfaces.most_common(1)[0][0]
    return all(w[:1].isupper() for w in surface.split() if w.casefold() not in {"of", "and", "the"})


def seeded(session: Session, catalog: Catalog, topics: dict[int, set[int]], verbose: bool) -> None:
    classifier = classifier_for(catalog)
    by_slug = {t.slug: t.id for t in session.exec(select(Topic).where(col(Topic.slug).in_(SEED_TOPICS)))}
    filed = unsupported = 0
    lines = []
    for slug in SEED_TOPICS:
        tid = by_slug.get(slug)
        if tid is None:
            continue
        index = [t.slug for t in catalog.topics].index(slug)
        for cid, ts in topics.items():
            if tid not in ts:
                continue
            claim = session.get(Claim, cid)
            sentence = session.exec(select(ClaimAppearance.sentence)
                                    .where(ClaimAppearance.claim_id == cid)).first() or ""
            evidence = classifier.scores(" ".join((claim.text, sentence, claim.context or "")))
            strong = index in evidence and evidence[index] >= 1 and _strong_hit(classifier, index, claim,
                                                                                 sentence)
            filed += 1
            unsupported += not strong
            lines.append(f"  {slug:20} {'ok ' if strong else 'NO '} {claim.text[:110]!r}")
    n = max(len(topics), 1)
    print(f"claims under the seed's topics: {filed}/{n} = {filed / n:.3f}; without a strong keyword of the"
          f" topic in their text, sentence or context: {unsupported}/{n} = {unsupported / n:.3f}"
          " (target <= 0.01)")
    if verbose:
        print("\n".join(lines))


def _strong_hit(classifier, index: int, claim: Claim, sentence: str) -> bool:
    hits = classifier._hits((claim.text, sentence, claim.context or ""))
    return index in hits and hits[index].strong > 0


def write_sample(session: Session, topics: dict[int, set[int]], size: int, path: Path) -> None:
    rng = random.Random(21)
    ids = sorted(topics)
    chosen = sorted(rng.sample(ids, min(size, len(ids))))
    names = {t.id: t.slug for t in session.exec(select(Topic))}
    out = ["# Hand labels: ok = every topic is a subject an editor would file this claim under.\n"]
    for cid in chosen:
        claim = session.get(Claim, cid)
        out.append("[[claim]]\n")
        out.append(f"text = {_toml(claim.text[:300])}\n")
        out.append(f"topics = [{', '.join(_toml(names[t]) for t in sorted(topics[cid]))}]\n")
        out.append("ok = true\n\n")
    path.write_text("".join(out), encoding="utf-8")
    print(f"wrote {len(chosen)} claims to {path}")


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
