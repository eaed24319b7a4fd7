"""Open-world benchmark: speakers, topics and context on news that configures nothing.

Run from the repository root (tune on ``train``, report on ``dev``; the test split is held back):

    nice -n 10 .venv/bin/python tests/bench/bench_open_world.py [dev|train] [--data DIR] [-v]

Every PolNeAR article of the split (2016 US election coverage from seven outlets) is ingested into a
fresh store through the real pipeline; then:

* speaker lookup: the labelled set ``open_world_speakers.toml`` (surnames and roles of people who
  speak in the split, each with the person meant) is resolved with the forgiving resolver that
  ``/claims``, ``/subscribe`` and ``claims --speaker`` use, and asked as "What did <surname> say?"
  of the matcher (right when the top answer is the person's claim); target >= 0.90 for
  unambiguous surnames;
* share of claims whose only topic is the catch-all (target <= 0.20);
* possessive outlet names used as speakers ("Fox News's Ed Henry"; target: none);
* persons split into a full-name and a surname-only speaker, or two full names of one person
  ("John D. Podesta" and "John Podesta"; target: none);
* the seed article's labelled questions (``../shared/seeds``, questions in
  ``tests/claims/questions``) still answered top-1, with the split's claims in the same store;
* 20 discovered topics, the most active first.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, col, func, select  # noqa: E402

from claims.catalog import Catalog, load_catalog  # noqa: E402
from claims.errors import ClaimbotError  # noqa: E402
from claims.ingest.pipeline import ingest_article  # noqa: E402
from claims.ingest.sources import ArticleInput  # noqa: E402
from claims.normalize import normalize_text  # noqa: E402
from claims.search.match import Matcher  # noqa: E402
from claims.search.synonyms import load_synonyms  # noqa: E402
from claims.settings import DEFAULT_CONFIG_DIR  # noqa: E402
from claims.store import db  # noqa: E402
from claims.store.aliases import aliases_by_speaker  # noqa: E402
from claims.store.claim_docs import claim_docs  # noqa: E402
from claims.store.models import (  # noqa: E402
    Claim,
    ClaimStatus,
    ClaimTopic,
    Speaker,
    SpeakerKind,
    Topic,
    TopicKind,
)
from claims.store.nameforms import name_key, parse_name  # noqa: E402
from claims.store.names import AmbiguousNameError, resolve_speaker  # noqa: E402
from claims.store.topics import topics_by_activity  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "polnear"
SEEDS = ROOT.parent / "shared" / "seeds"
LABELS = Path(__file__).with_name("open_world_speakers.toml")
QUESTIONS = ROOT / "tests" / "claims" / "questions"
OUTLETS = ("Fox News", "Fox", "CNN", "NBC", "NBC News", "ABC", "ABC News", "CBS", "CBS News", "MSNBC",
           "Breitbart", "Breitbart News", "Politico", "The New York Times", "New York Times", "The Times",
           "The Washington Post", "Washington Post", "The Post", "USA Today", "Bloomberg", "Reuters",
           "The Associated Press", "AP", "HuffPost", "The Huffington Post", "The Hill", "NPR", "PBS",
           "The Wall Street Journal", "The Atlantic", "Western Journalism", "BuzzFeed", "Axios")
_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})_")


def ingest_split(session_factory, text_dir: Path, catalog: Catalog) -> tuple[int, float]:
    """Ingest every article of a split, one transaction each, oldest first; returns (count, seconds)."""
    paths = sorted(text_dir.glob("*.txt"), key=lambda p: (_date(p), p.name))
    started = time.perf_counter()
    for path in paths:
        outlet = path.name.split("_", 1)[0]
        art = ArticleInput(text=path.read_text(encoding="utf-8"), url=f"https://{outlet}.example/{path.stem}",
                           canonical_url=f"https://{outlet}.example/{path.stem}", title=path.stem,
                           outlet=outlet, published_at=_date(path))
        with session_factory() as session:
            ingest_article(art, session=session, catalog=catalog)
            session.commit()
    return len(paths), time.perf_counter() - started


def _date(path: Path) -> datetime:
    m = _DATE.search(path.name)
    return datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC) if m else datetime(2016, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------------------- speaker lookup


def speaker_lookup(session: Session, matcher: Matcher, split: str, verbose: bool) -> None:
    with LABELS.open("rb") as fh:
        entries = [e for e in tomllib.load(fh)["lookup"] if e["split"] == split]
    if not entries:
        print(f"speaker lookup: no labelled entries for {split}")
        return
    by_kind: dict[str, list[tuple[bool, bool]]] = {}
    misses = []
    for e in entries:
        try:
            found = resolve_speaker(session=session, text=e["query"])
            resolved = _is(session, found, e["expect"])
            got = found.name
        except AmbiguousNameError as exc:
            resolved, got = False, "ambiguous: " + ", ".join(c.label for c in exc.choices)
        except ClaimbotError as exc:
            resolved, got = False, str(exc)
        asked = False
        if e["kind"] == "surname":
            matches = matcher.ask(f"What did {e['query']} say?", limit=1)
            if matches:
                claim = session.get(Claim, matches[0].claim_id)
                speaker = session.get(Speaker, claim.speaker_id) if claim and claim.speaker_id else None
                asked = speaker is not None and _is(session, speaker, e["expect"])
        by_kind.setdefault(e["kind"], []).append((resolved, asked))
        if not resolved:
            misses.append(f"  {e['kind']:8} {e['query']!r} -> {got} (expected {e['expect']})")
    for kind, results in sorted(by_kind.items()):
        n = len(results)
        share = sum(r for r, _ in results) / n
        line = f"speaker lookup by {kind}: {sum(r for r, _ in results)}/{n} = {share:.2f}"
        if kind == "surname":
            line += f"; 'What did <surname> say?' top-1 speaker {sum(a for _, a in results)}/{n}" \
                    f" = {sum(a for _, a in results) / n:.2f}"
        print(line)
    if misses and verbose:
        print("\n".join(misses))


def _is(session: Session, speaker: Speaker, expected: str) -> bool:
    keys = {name_key(speaker.name)}
    aliases = aliases_by_speaker(session=session, speaker_ids=[speaker.id]).get(speaker.id, ())
    keys |= {name_key(a) for a in aliases}
    return name_key(expected) in keys


# ---------------------------------------------------------------------------- speakers and topics


def catch_all_share(session: Session, catalog: Catalog) -> tuple[int, int]:
    fallback = session.exec(select(Topic.id).where(Topic.slug == catalog.fallback_topic)).first()
    live = select(Claim.id, Claim.topic_id).where(Claim.status == ClaimStatus.ACTIVE.value)
    claims = session.exec(live).all()
    further = set(session.exec(select(ClaimTopic.claim_id)))
    only = sum(1 for cid, tid in claims if (tid is None or tid == fallback) and cid not in further)
    return only, len(claims)


def outlet_speakers(session: Session) -> list[str]:
    outlets = "|".join(re.escape(o) for o in OUTLETS)
    pattern = re.compile(rf"^(?:{outlets})\s*['’]s?\s", re.IGNORECASE)
    return [n for n in session.exec(select(Speaker.name)) if pattern.match(n)]


def split_persons(session: Session) -> list[str]:
    """Persons stored twice: a surname-only speaker beside the one full-name person with that
    surname, or two full names with the same first name and surname ("John D. Podesta")."""
    people = session.exec(select(Speaker.id, Speaker.name).where(
        Speaker.kind == SpeakerKind.PERSON.value, col(Speaker.article_id).is_(None))).all()
    forms = {sid: parse_name(name) for sid, name in people}
    full_by_surname: dict[str, list[str]] = {}
    by_short: dict[str, list[str]] = {}
    for sid, name in people:
        form = forms[sid]
        if form is not None and form.is_full:
            full_by_surname.setdefault(name_key(form.surname), []).append(name)
            by_short.setdefault(name_key(form.short), []).append(name)
    out = []
    for sid, name in people:
        form = forms[sid]
        if form is not None and not form.is_full:
            full = full_by_surname.get(name_key(form.surname), [])
            if len(full) == 1:
                out.append(f"{name!r} beside {full[0]!r}")
    out += [" and ".join(repr(n) for n in names) for names in by_short.values() if len(names) > 1]
    return out


def ambiguous_surnames(session: Session) -> list[str]:
    """Surname-only speakers kept apart because several full-name persons share the surname."""
    people = session.exec(select(Speaker.name).where(Speaker.kind == SpeakerKind.PERSON.value,
                                                     col(Speaker.article_id).is_(None))).all()
    surnames: dict[str, int] = {}
    for name in people:
        form = parse_name(name)
        if form is not None and form.is_full:
            surnames[name_key(form.surname)] = surnames.get(name_key(form.surname), 0) + 1
    return [n for n in people
            if (f := parse_name(n)) and not f.is_full and surnames.get(name_key(f.surname), 0) > 1]


# ---------------------------------------------------------------------------- seed questions


def seed_questions(session_factory, catalog: Catalog, synonyms) -> tuple[int, int, list[str]]:
    """Ingest the seed article beside the split's claims and ask its labelled questions."""
    seed = sorted(SEEDS.glob("*.txt"))[0]
    art = ArticleInput(text=seed.read_text(encoding="utf-8"), url="https://www.nytimes.com/seed",
                       canonical_url="https://www.nytimes.com/seed", title=seed.stem,
                       published_at=datetime(2025, 3, 13, tzinfo=UTC))
    with session_factory() as session:
        report = ingest_article(art, session=session, catalog=catalog)
        session.commit()
        seed_ids = set(report.added) | set(report.appeared) | set(report.unchanged)
        texts = {cid: normalize_text(session.get(Claim, cid).text) for cid in seed_ids}
        matcher = Matcher.build(claim_docs(session=session), catalog=catalog, synonyms=synonyms)
    with (QUESTIONS / "articles.toml").open("rb") as fh:
        fixture = tomllib.load(fh)["article"][0]["claim"]
    with (QUESTIONS / "questions.toml").open("rb") as fh:
        questions = tomllib.load(fh)["q"]
    stored: dict[int, set[int]] = {}
    for claim in fixture:
        key = normalize_text(claim["text"])
        stored[claim["id"]] = {cid for cid, t in texts.items() if key in t or t in key}
    fixture_ids = set(stored)
    asked = right = 0
    wrong = []
    for q in questions:
        expect = set(q["expect"])
        if not expect or not expect <= fixture_ids:
            continue
        wanted = set().union(*(stored[i] for i in expect))
        if not wanted:
            continue
        asked += 1
        got = matcher.ask(q["text"], limit=1)
        if got and got[0].claim_id in wanted:
            right += 1
        else:
            wrong.append(q["text"])
    return right, asked, wrong


# ---------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("split", nargs="?", default="dev", choices=("dev", "train"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--keep", type=Path, help="build the store in this SQLite file and keep it")
    args = parser.parse_args(argv)
    catalog = load_catalog(DEFAULT_CONFIG_DIR)
    synonyms = load_synonyms(DEFAULT_CONFIG_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "open_world.db"
        path.unlink(missing_ok=True)
        engine = db.make_engine(f"sqlite:///{path}")
        db.upgrade(engine)

        def session_factory() -> Session:
            return Session(engine, expire_on_commit=False)

        n, seconds = ingest_split(session_factory, args.data / args.split / "text", catalog)
        print(f"PolNeAR {args.split}: {n} articles ingested in {seconds:.1f} s")
        with session_factory() as session:
            claims = session.exec(select(func.count()).select_from(Claim)).one()
            speakers = session.exec(select(func.count()).select_from(Speaker).where(
                Speaker.kind != SpeakerKind.DESCRIPTION.value)).one()
            print(f"claims: {claims}; speakers (persons and organisations): {speakers}")
            matcher = Matcher.build(claim_docs(session=session), catalog=catalog, synonyms=synonyms)
            speaker_lookup(session, matcher, args.split, args.verbose)
            only, total = catch_all_share(session, catalog)
            print(f"claims only in the catch-all topic {catalog.fallback_topic!r}: {only}/{total}"
                  f" = {only / max(total, 1):.2f} (target <= 0.20)")
            outlets = outlet_speakers(session)
            print(f"possessive outlet names used as speakers: {len(outlets)} {outlets[:10]}")
            split = split_persons(session)
            print(f"persons split into two speakers: {len(split)} {split[:10]}")
            ambiguous = ambiguous_surnames(session)
            print(f"surname-only speakers kept apart as ambiguous: {len(ambiguous)} {ambiguous[:10]}")
            discovered = [t for t in topics_by_activity(session=session)
                          if t.kind == TopicKind.DISCOVERED.value]
            print(f"discovered topics: {len(discovered)}; the 20 with most claims:")
            for t in sorted(discovered, key=lambda t: (-t.claims, t.name))[:20]:
                print(f"  {t.name} ({t.claims} claims)")
        if SEEDS.is_dir():
            right, asked, wrong = seed_questions(session_factory, catalog, synonyms)
            print(f"seed questions top-1 (with the {args.split} claims in the store): {right}/{asked}")
            for q in wrong:
                print(f"  missed: {q}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
