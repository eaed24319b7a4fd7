"""Subscriptions keep the salted pseudonym the question log keeps, never a Telegram user id
(issue 23, finding 8), and the migration moves existing rows over."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from claims.ingest.sources import load_file
from claims.service import ClaimService
from claims.settings import Settings
from claims.store import db
from claims.store.models import QuestionLog, Subscription, utcnow
from claims.tipline.askers import asker_key, asker_salt

GOLD = Path(__file__).resolve().parent / "gold"
MIGRATIONS = Path(db.__file__).resolve().parent / "migrations" / "versions"

pytestmark = pytest.mark.postgres


def test_subscriptions_keep_the_askers_pseudonym_never_the_user_id(service: ClaimService,
                                                                   engine: Engine) -> None:
    service.ingest(load_file(GOLD / "wire_tariffs.txt", canonical_url="https://x.example/w"))
    service.subscribe(chat_id=-100777, query="tariffs", user_id=987654321)
    service.ask("who painted the mona lisa", user_id=987654321, chat_id=-100777)
    with Session(engine) as session:
        sub = session.exec(select(Subscription)).one()
        logged = session.exec(select(QuestionLog)).one()
    assert sub.subscriber is not None and sub.subscriber == logged.asker
    assert "987654321" not in sub.subscriber
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("subscription")}
    assert "user_id" not in columns


def test_the_migration_turns_stored_user_ids_into_pseudonyms(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0005")
    with engine.begin() as conn:
        for n, user in enumerate((7, 7, None)):
            conn.execute(sa.text(
                "insert into subscription (chat_id, user_id, target_kind, target_id, schedule, hour, minute,"
                " timezone, watermark_revision_id, watermark_at, next_run_at, status, created_at, updated_at)"
                " values (:chat, :user, 'topic', :target, 'daily', 8, 0, 'UTC', 0, :at, :at, 'active',"
                " :at, :at)"
            ), {"chat": 100 + n, "user": user, "target": n + 1, "at": utcnow()})
    salt = asker_salt(Settings(asker_salt=SecretStr("pepper")))
    assert salt is not None
    db.upgrade(engine, asker_salt=salt)
    with engine.connect() as conn:
        got = conn.execute(sa.text("select chat_id, subscriber from subscription order by id")).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("subscription")}
    assert "user_id" not in columns
    assert [tuple(r) for r in got] == [(100, asker_key(7, salt)), (101, asker_key(7, salt)), (102, None)]
    command.downgrade(db._alembic_config(engine), "0005")  # and back: the column returns, empty
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("subscription")}
    assert "user_id" in columns and "subscriber" not in columns
    engine.dispose()


def test_the_migration_imports_no_application_code() -> None:
    source = (MIGRATIONS / "0006_private_subscriptions.py").read_text()
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert imports and not [line for line in imports if "claims" in line or "bot" in line], imports
