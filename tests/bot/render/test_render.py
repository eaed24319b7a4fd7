"""The renderer: escaping and splitting hold for any text (hypothesis), buttons are signed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render
from bot.fakeapi.text import parse_html, utf16_len
from bot.render import ButtonKind
from claims.store.views import ClaimView, SourceView

TZ = ZoneInfo("Europe/Berlin")
PIECES = [*"ab <>&;\"'/.!?\n#", "&amp;", "<b>", "</i>", "😀", "ש", "\u202e", "\u200b", "👨‍👩‍👧", "word "]
nasty = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def view(text: str, speaker: str = "A <b>Speaker</b>",
         url: str = "https://x.example/?a=1&b=<2>") -> ClaimView:
    when = datetime(2025, 3, 13, 12, tzinfo=UTC)
    source = SourceView(article_id=1, url=url, title="<i>Title & co</i>", outlet="O&O", published_at=when)
    return ClaimView(id=7, text=text, quote=text[:20], kind="direct", verdict="false", verdict_note="<no>",
                     status="active", revision=2, speaker=speaker, topic="t",
                     topic_name="T<t>", external_id=None, merged_into_id=None, created_at=when,
                     updated_at=when, sources=(source,))


def _squash(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=150, deadline=None)
@given(st.lists(nasty, min_size=1, max_size=8).map("".join), st.integers(min_value=60, max_value=600))
def test_split_html_gives_valid_pieces_under_the_limit_that_keep_all_text(raw: str, limit: int) -> None:
    html = f"<b>{render.esc(raw)}</b>\n\n<i>{render.esc(raw)}</i> {render.link('https://e.x/?q=<&>', raw)}"
    pieces = render.split_html(html, limit)
    for piece in pieces:
        assert utf16_len(piece) <= limit
        parse_html(piece)  # raises if Telegram would refuse it
    assert _squash("".join(parse_html(p) for p in pieces)) == _squash(parse_html(html))


@settings(max_examples=60, deadline=None)
@given(nasty, nasty)
def test_cards_escape_everything(text: str, speaker: str) -> None:
    card = render.claim_card(view(text or "x", speaker or "s"), TZ)
    full = render.claim_full(view(text or "x", speaker or "s"), 2, TZ, bot_username="claimbot")
    for html in (card, full):
        visible = parse_html(html)
        shown = render.shorten(text or "x", render.CARD_TEXT_CHARS).rstrip("…")
        assert _squash(shown)[:50] in _squash(visible)


def test_claim_full_and_dates() -> None:
    html = render.claim_full(view("Tariffs are taxes."), 2, TZ, bot_username="claimbot_bot")
    visible = parse_html(html)
    assert "Said: 13 Mar 2025" in visible
    assert "Verdict: ❌ false — <no>" in visible
    assert 'href="https://x.example/?a=1&amp;b=&lt;2&gt;"' in html
    assert "https://t.me/claimbot_bot?start=claim_7" in visible
    assert "Fact check:" not in visible
    paged = render.claim_full(view("Tariffs are taxes."), 2, TZ, bot_username=None,
                              page_url="https://fc.example.org/claims/7?a=<b>")
    assert '<a href="https://fc.example.org/claims/7?a=&lt;b&gt;">' in paged
    assert "Fact check: https://fc.example.org/claims/7?a=<b>" in parse_html(paged)


def test_links_only_for_http_urls() -> None:
    assert render.link("javascript:alert(1)", "x") == "x"
    assert render.link("https://ok.example", "<x>") == '<a href="https://ok.example">&lt;x&gt;</a>'


def test_html_to_plain_spells_out_links() -> None:
    html = 'See <a href="https://e.x/?a=1&amp;b=2">the &lt;source&gt;</a> <b>now</b>'
    assert render.html_to_plain(html) == "See the <source> (https://e.x/?a=1&b=2) now"


def test_callback_codec_rejects_forgeries() -> None:
    codec = render.CallbackCodec(b"secret")
    data = codec.encode(ButtonKind.MORE, 12, 3)
    assert len(data.encode()) <= 64
    assert codec.decode(data) == render.Button(ButtonKind.MORE, 12, 3)
    assert codec.decode(codec.encode(ButtonKind.HISTORY, 5)) == render.Button(ButtonKind.HISTORY, 5, 0)
    assert codec.decode(data.replace("more:12", "more:13")) is None
    assert render.CallbackCodec(b"other").decode(data) is None
    for junk in [None, "", "history:1", "x:1:AAAAAAAAAA", "history:1:" + "A" * 11]:
        assert codec.decode(junk) is None


def test_flood_control_bucket() -> None:
    from bot.context import FloodControl

    now = [0.0]
    flood = FloodControl(burst=2, refill_seconds=10, clock=lambda: now[0])
    assert flood.check(1) is None
    assert flood.check(1) is None
    first = flood.check(1)
    assert first is not None
    assert first > 0
    second = flood.check(1)
    assert second is not None
    assert second < 0  # already warned: stay quiet
    assert flood.check(2) is None  # per user
    now[0] = 10.0
    assert flood.check(1) is None


def test_only_direct_quotes_get_quote_marks() -> None:
    from dataclasses import replace

    direct = view("We have to do it.")
    reported = replace(direct, kind="reported", text='Mr. Rutte "could be instrumental" <here>')
    tz = ZoneInfo("UTC")
    assert "“We have to do it.”" in render.claim_card(direct, tz)
    card = render.claim_card(reported, tz)
    assert "“Mr. Rutte" not in card
    assert "<i>reported:</i> Mr. Rutte \"could be instrumental\" &lt;here&gt;" in card
    assert parse_html(card) is not None


def test_claim_full_says_recorded_for_undated_sources_and_never_repeats_the_quote() -> None:
    from dataclasses import replace

    tz = ZoneInfo("UTC")
    dated = view("We have to do it.")
    undated = replace(dated, sources=(replace(dated.sources[0], published_at=None),),
                      quote="We have to do it")
    visible = parse_html(render.claim_full(undated, 1, tz, bot_username=None))
    assert "Said:" not in visible
    assert "Recorded: 13 Mar 2025 (no source gives a date)" in visible
    assert "Quote:" not in visible  # the quote is the text shown above, punctuation aside
    partial = replace(dated, kind="reported", text="there were grounds for “cautious optimism.”",
                      quote="cautious optimism … not complete")
    assert "Quote:" in parse_html(render.claim_full(partial, 1, tz, bot_username=None))
    edited = replace(dated, text="A corrected wording.", quote="The original words.")
    assert "Quote: The original words." in parse_html(render.claim_full(edited, 3, tz, bot_username=None))


def test_counts_are_grammatical_everywhere() -> None:
    from claims.follow.delivery import DeliveryStats
    from claims.follow.subscriptions import SubscriptionStats
    from claims.ingest.feeds import FeedView
    from claims.search.questions import QuestionStats
    from claims.store.counts import StoreStats
    from claims.store.listing import ClaimPage, ClaimScope
    from claims.store.models import FeedStatus
    from claims.store.views import RevisionView

    tz = ZoneInfo("UTC")
    one = view("Only one.")
    rev = RevisionView(revision=1, change="created", text="Only one.", verdict="unverified", old_text=None,
                       old_verdict=None, reason=None, at=one.created_at, source=None, admin_id=None,
                       admin_name=None, related_claim_id=None)
    assert "— 1 revision" in parse_html(render.history(one, [rev], tz))
    assert "— 2 revisions" in parse_html(render.history(one, [rev, rev], tz))
    empty = ClaimPage(scope=ClaimScope(), label="", views=(), offset=0, total=0)
    assert render.claims_list(empty, tz) == "No claims yet."
    topic = ClaimPage(scope=ClaimScope("topic", 3), label="on Greenland", views=(), offset=0, total=0)
    assert render.claims_list(topic, tz) == "No claims on Greenland yet."
    single = ClaimPage(scope=ClaimScope(), label="", views=(one,), offset=0, total=1)
    assert "Claims so far (newest first) · 1 claim" in parse_html(render.claims_list(single, tz))
    feed = FeedView(id=1, url="https://f.example/rss", title="F", status=FeedStatus.ACTIVE,
                    last_polled_at=None, last_ok_at=None, last_error=None, failures=0, added_by=None)
    listing = parse_html(render.feeds_list([feed], tz))
    assert "Feeds (1 feed)" in listing and "ok, not polled yet" in listing
    assert "last polled not" not in listing
    stats = parse_html(render.stats(
        StoreStats(claims=1, active_claims=1, speakers=1, topics=1, articles=1, revisions_last_day=1),
        QuestionStats(answered=1, unanswered=0, recent_unanswered=()),
        SubscriptionStats(subscribers=1, active=1, paused=0, paused_by_reason={}),
        DeliveryStats(pending=0, sending=0, failed=0, sent_total=1, sent_last_day=1, failed_last_day=0)))
    assert "Subscribers: 1 chat;" in stats


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**7), st.sampled_from(
    ["claim", "revision", "chat", "new claim", "sample article", "match", "query", "update"]))
def test_one_pluralisation_helper(n: int, noun: str) -> None:
    from claims.wording import count, plural

    said = count(n, noun)
    assert said.startswith(f"{n:,} ")
    word = plural(n, noun)
    assert (word == noun) == (n == 1)
    assert said.endswith(word)
    assert plural(2, "match") == "matches" and plural(3, "query") == "queries" and plural(0, "day") == "days"


def test_claims_show_who_a_pronoun_means_and_the_context_they_lean_on() -> None:
    from dataclasses import replace
    from zoneinfo import ZoneInfo

    leaning = replace(view("he did not want to drag NATO into that"), kind="reported",
                      resolved_text="[Rutte] did not want to drag NATO into that",
                      context="Asked about Greenland, Mr. Rutte said he did not want to drag NATO into that.")
    card = render.claim_card(leaning, ZoneInfo("UTC"))
    assert "[Rutte] did not want to drag NATO into that" in card
    full = render.claim_full(leaning, 1, ZoneInfo("UTC"), bot_username=None)
    assert "Context: <i>Asked about Greenland, Mr. Rutte said" in full
    plain = render.claim_full(replace(leaning, context=leaning.text, resolved_text=None), 1, ZoneInfo("UTC"),
                              bot_username=None)
    assert "Context:" not in plain and "he did not want" in plain


def test_an_unsure_answer_says_so_before_the_closest_claims() -> None:
    from claims.search.questions import Answer
    from claims.store.counts import NameCount

    close = view("Greenland is not for sale.", speaker="Mette Frederiksen")
    unanswered = Answer(None, "Can the <island> be bought?", (), (), False,
                        known_topics=(NameCount("greenland", "Greenland", 3),), related=(close,))
    text = render.answer(unanswered, ZoneInfo("UTC"))
    assert text.startswith(
        "Not sure: I have no claim that clearly answers “Can the &lt;island&gt; be bought?”.")
    assert "The closest claims I have:" in text
    assert "Greenland is not for sale." in text and "Mette Frederiksen" in text
    parse_html(text)  # well-formed for Telegram
    plain = render.answer(Answer(None, "weather?", (), (), False,
                                 known_topics=(NameCount("greenland", "Greenland", 3),)), ZoneInfo("UTC"))
    assert plain.startswith("I have no claim on “weather?”") and "Closest" not in plain
