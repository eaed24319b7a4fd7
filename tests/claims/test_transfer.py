"""JSON Lines import and export (ClaimReview: ``test_claimreview.py``; archives: ``test_archive.py``)."""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import Session

from claims.errors import InputError
from claims.store.transfer import (
    export_record,
    import_claims,
    iter_claims,
    read_records,
)
from claims.store.views import claim_history, list_claims

pytestmark = pytest.mark.postgres

LINES = [
    {"text": "We have to do it.", "speaker": "Trump", "topic": "greenland", "external_id": "a1",
     "source_url": "https://ex.org/1", "title": "Greenland", "published_at": "2025-03-13T18:00:00Z",
     "quote": "We have to do it."},
    {"text": "The response was very predictable.", "speaker": "Zelenskyy", "topic": "ceasefire",
     "verdict": "disputed", "source_url": "https://ex.org/1"},
    {"text": "Vaccines cause autism.", "verdict": "false", "external_id": "snopes-9"},
]


def jsonl(rows: list[dict]) -> io.StringIO:
    return io.StringIO("\n".join(json.dumps(r) for r in rows) + "\n\n")


def do_import(session: Session, catalog, rows: list[dict]):
    report = import_claims(read_records(jsonl(rows)), session=session, catalog=catalog)
    session.commit()
    return report


def export_lines(session: Session) -> list[dict]:
    return [export_record(v) for v in iter_claims(session=session)]


def test_import_resolves_aliases_and_keeps_external_ids(session, catalog) -> None:
    report = do_import(session, catalog, LINES)
    assert report.added == 3
    views = {v.text: v for v in list_claims(session=session)}
    assert views["We have to do it."].speaker == "Donald Trump"
    assert views["We have to do it."].external_id == "a1"
    assert views["We have to do it."].sources[0].url == "https://ex.org/1"
    assert views["The response was very predictable."].speaker == "Volodymyr Zelensky"
    assert views["Vaccines cause autism."].verdict == "false"
    assert views["Vaccines cause autism."].speaker is None


def test_a_source_known_only_by_its_title_is_kept(session, catalog) -> None:
    rows = [{"text": "Claim one.", "title": "Fact check: one"},
            {"text": "Claim two.", "title": "Fact check: one"}]
    do_import(session, catalog, rows)
    do_import(session, catalog, rows)
    views = list_claims(session=session)
    assert [[s.title for s in v.sources] for v in views] == [["Fact check: one"]] * 2
    assert views[0].sources[0].url is None
    assert views[0].sources[0].article_id == views[1].sources[0].article_id


def test_reimport_is_idempotent_and_changes_become_revisions(session, catalog) -> None:
    first = do_import(session, catalog, LINES)
    again = do_import(session, catalog, LINES)
    assert again.added == 0 and again.updated == 0 and again.unchanged == 3
    changed = [dict(LINES[2], text="Vaccines cause autism, he claimed.", verdict="misleading")]
    report = do_import(session, catalog, changed)
    assert report.updated == 1
    cid = first.claim_ids[2]
    history = claim_history(session=session, claim_id=cid)
    assert [h.change for h in history] == ["imported", "text", "verdict"]
    assert history[1].old_text == "Vaccines cause autism."


def test_duplicate_lines_in_one_file_make_one_claim(session, catalog) -> None:
    report = do_import(session, catalog, [LINES[0], {**LINES[0], "external_id": None}])
    assert report.added == 1
    assert len(list_claims(session=session)) == 1


def test_a_later_line_with_the_same_external_id_revises_the_claim(session, catalog) -> None:
    rows = [LINES[2], {**LINES[2], "text": "Vaccines cause autism, he said."}]
    report = do_import(session, catalog, rows)
    assert report.added == 1 and report.updated == 1
    [view] = list_claims(session=session)
    assert view.text == "Vaccines cause autism, he said." and view.revision == 2


def test_bad_lines_import_nothing_and_name_the_lines() -> None:
    bad = io.StringIO('{"text": "ok"}\nnot json\n{"speaker": "x"}\n{"text": "y", "verdict": "meh"}\n')
    with pytest.raises(InputError) as info:
        read_records(bad)
    message = str(info.value)
    assert "Nothing was imported; 3 bad lines:" in message
    assert "line 2" in message and "line 3" in message and "line 4" in message


def test_export_then_import_round_trips(session, catalog, sqlite_engine) -> None:
    do_import(session, catalog, LINES)
    exported = export_lines(session)
    with Session(sqlite_engine) as other:
        stream = io.StringIO("\n".join(json.dumps(r) for r in exported))
        import_claims(read_records(stream), session=other, catalog=catalog)
        other.commit()
        again = export_lines(other)
    strip = lambda rows: sorted(
        ({k: v for k, v in r.items() if k != "id"} for r in rows), key=lambda r: r["text"]
    )
    assert strip(again) == strip(exported)
