"""``/forget``: what a reader is asked before their data goes, and what they are told after."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.codec import ButtonKind, CallbackCodec
from claims.tipline.retention import Erased
from claims.wording import count

CONFIRM = ("This deletes the questions and posts you sent me and your subscriptions (the digests "
           "you follow). The claims and articles stay. Delete them?")
NOT_YOURS = "This button is for the reader who asked to be forgotten."
KEPT = "Nothing was deleted."


def forget_keyboard(user_id: int, codec: CallbackCodec) -> InlineKeyboardMarkup:
    """Yes (``b`` 1) or No (``b`` 0), tied to the reader who asked (``a``)."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("Yes, delete", callback_data=codec.encode(ButtonKind.FORGET, user_id, 1)),
        InlineKeyboardButton("No, keep", callback_data=codec.encode(ButtonKind.FORGET, user_id, 0)),
    ]])


def forgotten(erased: Erased) -> str:
    return (f"Done: deleted {count(erased.questions, 'question')}, {count(erased.posts, 'post')} and "
            f"{count(erased.subscriptions, 'subscription')}.")
