"""How the templates say things: dates in the configured zone, verdict labels, page addresses, and
JSON-LD that cannot close its own ``<script>`` element."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup

VERDICTS = {
    "unverified": "Not checked yet",
    "accurate": "Accurate",
    "misleading": "Misleading",
    "false": "False",
    "disputed": "Disputed",
}
CHANGES = {
    "created": "First reported",
    "imported": "Imported",
    "text": "Wording changed in the source",
    "edited": "Wording corrected by the desk",
    "verdict": "Verdict",
    "retracted": "Retracted",
    "merged": "Merged",
    "removed": "No longer in an updated source",
    "relabelled": "Speaker or topic relabelled",
}


def slug(name: str) -> str:
    """The readable part of a speaker's address ("Mette Frederiksen" -> "mette-frederiksen"); the
    id before it is what counts, so a renamed speaker's old links still work."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "speaker"


def speaker_path(speaker_id: int, name: str) -> str:
    return f"/speakers/{speaker_id}-{slug(name)}"


def json_ld(data: Any) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block: ``<``, ``>`` and ``&`` escaped as
    JSON escapes, so no stored text can end the block or open a tag."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # escaped above, for the one context it is used in


def install(env: Environment, tz: ZoneInfo) -> None:
    def day(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%-d %b %Y") if value else "undated"

    def moment(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%-d %b %Y, %H:%M") if value else "undated"

    env.filters.update(
        day=day, moment=moment, json_ld=json_ld, speaker_path=speaker_path,
        verdict_label=lambda v: VERDICTS.get(v, v), change_label=lambda c: CHANGES.get(c, c),
        iso=lambda v: v.isoformat() if v else "",
    )
    env.globals.update(zone=tz.key, verdicts=VERDICTS)
