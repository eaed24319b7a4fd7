"""Reading an import file: every JSON Lines record validated into an ``ImportRecord`` before
anything is written, so a file with a bad line imports nothing and the error lists the bad lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from claims.errors import InputError
from claims.normalize import clean_text
from claims.store.history import MAX_CLAIM_CHARS, parse_verdict
from claims.store.models import ClaimKind
from claims.wording import count

MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One validated line of an import file."""

    text: str
    external_id: str | None = None
    speaker: str | None = None
    topic: str | None = None
    title: str | None = None
    quote: str | None = None
    source_url: str | None = None
    published_at: datetime | None = None
    verdict: str | None = None
    kind: str = ClaimKind.DIRECT.value
    context: str | None = None


def parse_record(line: str, *, lineno: int) -> ImportRecord | None:
    """One JSON Lines record; blank lines are skipped, anything malformed is an ``InputError``."""
    if not line.strip():
        return None
    where = f"line {lineno}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg}).") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply.") from None
    except ValueError:  # an integer of more digits than Python converts (4,300 by default)
        raise InputError(f"{where}: a number too long to read.") from None
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object.")
    text = obj.get("text")
    if not isinstance(text, str) or not clean_text(text):
        raise InputError(f"{where}: 'text' is required and must be a non-empty string.")
    text = clean_text(text)
    if len(text) > MAX_CLAIM_CHARS:
        raise InputError(f"{where}: 'text' is longer than {MAX_CLAIM_CHARS} characters.")
    strings = {}
    for key in ("external_id", "speaker", "topic", "title", "quote", "source_url", "verdict",
                "kind", "context"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str | int):
            raise InputError(f"{where}: '{key}' must be a string.")
        strings[key] = clean_text(str(value)) or None if value is not None else None
    verdict = strings["verdict"]
    if verdict is not None:
        try:
            verdict = parse_verdict(verdict).value
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"{where}: {exc}") from None
    kind = strings["kind"] or ClaimKind.DIRECT.value
    if kind not in {k.value for k in ClaimKind}:
        raise InputError(f"{where}: 'kind' must be 'direct' or 'reported'.")
    return ImportRecord(
        text=text,
        external_id=(strings["external_id"] or None) and strings["external_id"][:200],
        speaker=strings["speaker"] and strings["speaker"][:300],
        topic=strings["topic"] and strings["topic"].lower()[:100],
        title=strings["title"] and strings["title"][:1000],
        quote=strings["quote"],
        source_url=strings["source_url"] and strings["source_url"][:2048],
        published_at=_parse_when(obj.get("published_at"), where=where),
        verdict=verdict,
        kind=kind,
        context=strings["context"] and strings["context"][:1000],
    )


def read_records(stream: IO[str]) -> list[ImportRecord]:
    """Every record of a file, or one ``InputError`` listing the bad lines."""
    records: list[ImportRecord] = []
    errors: list[str] = []
    for lineno, line in enumerate(stream, start=1):
        try:
            record = parse_record(line, lineno=lineno)
        except InputError as exc:
            errors.append(str(exc))
            continue
        if record is not None:
            records.append(record)
    if errors:
        shown = "\n".join(errors[:MAX_ERRORS_SHOWN])
        more = f"\n... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > 20 else ""
        raise InputError(f"Nothing was imported; {count(len(errors), 'bad line')}:\n{shown}{more}")
    return records


def _parse_when(value: Any, *, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: 'published_at' must be an ISO 8601 string.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except ValueError:
        raise InputError(f"{where}: 'published_at' {value[:40]!r} is not an ISO 8601 date.") from None
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is before the first UTC instant Python has
        raise InputError(f"{where}: 'published_at' {value[:40]!r} is outside the dates claimbot "
                         "can store.") from None
