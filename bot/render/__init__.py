"""Everything the bot says, as Telegram HTML, one module per feature; this package re-exports them
so handlers write ``render.claim_card`` without knowing which file holds it.

- ``html``: escaping, links, dates, splitting long messages, the plain-text fallback
- ``codec``: signed callback data for buttons
- ``claims``: claim cards, answers, lists, history and their keyboards
- ``admin``: ingest reports, changes, statistics
- ``help``: command menus, welcome, /help
- ``subscriptions``, ``digests``, ``feeds``: their features' texts and buttons
"""

from bot.render.admin import (
    INGEST_LISTED,
    change_done,
    claim_line,
    ingest_report,
    stats,
)
from bot.render.claims import (
    CARD_TEXT_CHARS,
    VERDICTS,
    answer,
    answer_keyboard,
    claim_card,
    claim_full,
    claim_keyboard,
    claims_list,
    follow_buttons,
    history,
    names_list,
    no_answer,
    said,
    statement,
    verdict,
)
from bot.render.codec import (
    Button,
    CallbackCodec,
)
from bot.render.digests import (
    DIGEST_KINDS,
    DIGEST_TEXT_CHARS,
    digest_item,
    digest_messages,
    digest_run,
)
from bot.render.feeds import (
    feed_added,
    feed_removed,
    feeds_list,
)
from bot.render.help import (
    ADMIN_COMMANDS,
    USER_COMMANDS,
    help_text,
    welcome,
)
from bot.render.html import (
    MESSAGE_LIMIT,
    SAFE_LIMIT,
    attr,
    esc,
    fmt_date,
    html_to_plain,
    lines,
    link,
    plain_chunks,
    shorten,
    split_html,
    utf16_len,
)
from bot.render.subscriptions import (
    MAX_LISTED_BUTTONS,
    choose_target,
    resumed,
    schedule_code,
    schedule_from_code,
    schedule_phrase,
    subscribed,
    subscriptions_keyboard,
    subscriptions_list,
    target_choices,
    target_name,
    timezone_current,
    timezone_set,
    unsubscribed,
    zone_of,
)

__all__ = [
    "ADMIN_COMMANDS",
    "CARD_TEXT_CHARS",
    "DIGEST_KINDS",
    "DIGEST_TEXT_CHARS",
    "INGEST_LISTED",
    "MAX_LISTED_BUTTONS",
    "MESSAGE_LIMIT",
    "SAFE_LIMIT",
    "USER_COMMANDS",
    "VERDICTS",
    "Button",
    "CallbackCodec",
    "answer",
    "answer_keyboard",
    "attr",
    "change_done",
    "choose_target",
    "claim_card",
    "claim_full",
    "claim_keyboard",
    "claim_line",
    "claims_list",
    "digest_item",
    "digest_messages",
    "digest_run",
    "esc",
    "feed_added",
    "feed_removed",
    "feeds_list",
    "fmt_date",
    "follow_buttons",
    "help_text",
    "history",
    "html_to_plain",
    "ingest_report",
    "lines",
    "link",
    "names_list",
    "no_answer",
    "plain_chunks",
    "resumed",
    "said",
    "schedule_code",
    "schedule_from_code",
    "schedule_phrase",
    "shorten",
    "split_html",
    "statement",
    "stats",
    "subscribed",
    "subscriptions_keyboard",
    "subscriptions_list",
    "target_choices",
    "target_name",
    "timezone_current",
    "timezone_set",
    "unsubscribed",
    "utf16_len",
    "verdict",
    "welcome",
    "zone_of",
]
