"""Numbers users type in the domain are ASCII digits (issue 23, finding 2): ``int()`` reads
"١٢" as 12 and raises on "²", so a schedule or claim reference in other digits is refused or taken
as words, never read as a number."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError
from claims.follow.schedule import parse_schedule, parse_time
from claims.follow.targets import resolve_target
from claims.ingest.pipeline import ingest_article
from claims.ingest.sources import ArticleInput
from claims.normalize import ascii_number
from claims.store.models import TargetKind

BODY = (
    "Talks on a truce continue\n"
    "“We have very serious discussions going on right now about the cease-fire,” "
    "Mr. Trump said on Thursday.\n"
)


@pytest.mark.parametrize("text", ["²", "١٢", "１２", "𝟙", "1²", " 12", "+3", "-1", "", "1_000", "0x1"])
def test_ascii_number_refuses_anything_but_ascii_digits(text: str) -> None:
    assert ascii_number(text) is None


def test_ascii_number_reads_ascii_digits_within_its_length() -> None:
    assert ascii_number("0") == 0
    assert ascii_number("007") == 7
    assert ascii_number("123456789012") == 123456789012
    assert ascii_number("1" * 13) is None  # past the 12 digits an id or count may have
    assert ascii_number("1" * 13, digits=13) == int("1" * 13)


@pytest.mark.parametrize("text", ["٠٨:٠٠", "０８:００", "8:٣٠", "²:00"])
def test_times_in_other_digits_are_not_times(text: str) -> None:
    with pytest.raises(InvalidArgumentError, match="is not a time"):
        parse_time(text)
    with pytest.raises(InvalidArgumentError):
        parse_schedule(f"daily {text}")


def test_claim_references_in_other_digits_are_not_claim_ids(session: Session, catalog: Catalog) -> None:
    report = ingest_article(ArticleInput(text=BODY, url="https://news.example/a"), session=session,
                            catalog=catalog)
    session.commit()
    [claim_id] = report.added
    assert resolve_target(session=session, query=f"#{claim_id}").id == claim_id
    arabic = str(claim_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for query in (f"#{arabic}", f"claim {arabic}", arabic):
        try:
            target = resolve_target(session=session, query=query, create=False)
        except (NotFoundError, InvalidArgumentError):
            continue
        assert target.kind is not TargetKind.CLAIM, query
