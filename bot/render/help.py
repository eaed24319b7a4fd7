"""The command menus, the welcome and /help.
"""

from __future__ import annotations

from bot.render.html import esc, shorten

USER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("ask", "Ask about a claim: /ask what did X say about Y"),
    ("topics", "Topics, the most active lately first"),
    ("speakers", "Who said things"),
    ("claims", "Latest claims, optionally for a topic or speaker"),
    ("claim", "One claim in full: /claim ID"),
    ("history", "How a claim changed: /history ID"),
    ("timeline", "What someone said over time: /timeline SPEAKER [TOPIC or phrase]"),
    ("changes", "Recent changes of position"),
    ("check", "Check a post or link: reply /check to it, or /check TEXT"),
    ("subscribe", 'Digest of changes: /subscribe TOPIC|SPEAKER|claim ID|"any phrase" '
                  "[daily HH:MM|weekly DAY HH:MM|hourly|instant]"),
    ("unsubscribe", "Stop a digest: /unsubscribe TOPIC|SPEAKER|claim ID"),
    ("subscriptions", "What this chat follows, with buttons to remove"),
    ("timezone", "Time zone for digests: /timezone Area/City"),
    ("forget", "Delete the questions, posts and subscriptions you sent me"),
    ("help", "How to use this bot"),
    ("start", "Welcome"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("ingest", "Ingest an article: /ingest URL, or reply to a message or file"),
    ("edit", "Correct a claim's text: /edit ID TEXT"),
    ("verdict", "Set a verdict: /verdict ID VERDICT [NOTE]"),
    ("retract", "Retract a claim: /retract ID [REASON]"),
    ("merge", "Merge a duplicate: /merge ID INTO_ID"),
    ("stats", "Statistics"),
    ("digest_now", "Send digests now, due or not: /digest_now [TOPIC]"),
    ("feeds", "RSS/Atom feeds: /feeds, /feeds add URL, /feeds remove ID"),
    ("unanswered", "What readers asked that we could not answer: /unanswered [DAYS]"),
    ("speaker", "Speakers: /speaker merge A into B, /speaker rename A to B, /speaker alias A as B"),
    ("topic", "Discovered topics: /topic rename A to B, /topic merge A into B, /topic hide A"),
    ("unflag", "Clear a wrong changed-position flag: /unflag ID [REASON]"),
)


def welcome(first_name: str | None) -> str:
    name = f", {esc(shorten(first_name, 60))}" if first_name else ""
    return (
        f"Hello{name}! I keep track of who claimed what in the news, with every correction on record.\n\n"
        "<b>Just send me a question</b>, for example:\n"
        "• What did Trump say about the ceasefire?\n"
        "• Zelensky on security guarantees\n\n"
        "I answer with the matching claims: speaker, date, source and verdict. "
        "In groups, mention me or reply to me.\n\n"
        "<b>Got a suspicious post?</b> Forward it to me, or send me the link: I tell you which of its "
        "claims are tracked, with their verdicts.\n\n"
        "See /topics and /speakers for what I know, and /help for all commands."
    )


def help_text(*, is_admin: bool, bot_username: str | None = None) -> str:
    lines = ["<b>Commands</b>"] + [f"/{c} — {esc(d)}" for c, d in USER_COMMANDS]
    me = f"@{esc(bot_username)}" if bot_username else "@ and my name"
    lines.append("\nAny other message in a private chat is a question. Forward me a post, paste a long "
                 "text or send a link, and I say which of its claims we track (in groups, reply "
                 f"/check to it). In any chat, type {me} and a question to share a claim.")
    lines.append("Digests come only when something you follow changed; the default is daily at 08:00 "
                 "in your time zone (see /timezone).")
    if is_admin:
        lines.append("\n<b>Admin commands</b>")
        lines.extend(f"/{c} — {esc(d)}" for c, d in ADMIN_COMMANDS)
        lines.append("Verdicts: accurate, misleading, false, disputed, unverified.")
    return "\n".join(lines)
