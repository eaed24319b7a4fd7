"""Questions about a speaker's record over time ("has Trump changed his mind on Greenland?",
"what has Putin said about a cease-fire over time?"), answered with a timeline instead of a claim.

Only the question's form is read here; whether the named speaker exists is the resolver's business,
and a question whose speaker is unknown goes to the ordinary matcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_POSSESSIVE = r"(?:his|her|their|its|the)"
_SHIFT = r"(?:mind|position|stance|view|views|tune|line)"
_FORMS = [
    # has/did X change(d) his mind/position on Y
    rf"^(?:has|have|did)\s+(?P<who>.+?)\s+(?:changed?|shifted?|reversed?|flip[- ]?flopped|flip[- ]?flop)"
    rf"(?:\s+{_POSSESSIVE}\s+{_SHIFT})?\s+(?:on|about|regarding)\s+(?P<what>.+)$",
    # what has X said about Y over time / before / so far
    r"^what\s+(?:has|have|did)\s+(?P<who>.+?)\s+(?:said|say|claimed|claim)\s+(?:about|on)\s+(?P<what>.+?)"
    r"\s+(?:over\s+time|before|so\s+far|over\s+the\s+years|in\s+the\s+past)$",
    # how has X's position on Y changed / evolved
    rf"^how\s+(?:has|have|did)\s+(?P<who>.+?)(?:'s|’s)\s+{_SHIFT}\s+(?:on|about)\s+(?P<what>.+?)"
    r"\s+(?:changed?|evolved?|shifted?)$",
    # timeline of X on Y / X's timeline on Y
    r"^(?:the\s+)?timeline\s+(?:of|for)\s+(?P<who>.+?)(?:\s+(?:on|about)\s+(?P<what>.+))?$",
    # X on Y over time
    r"^(?P<who>.+?)\s+(?:on|about)\s+(?P<what>.+?)\s+over\s+time$",
]
_PATTERNS = [re.compile(p, re.IGNORECASE) for p in _FORMS]
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TimelineQuestion:
    speaker: str
    subject: str | None


def timeline_question(text: str) -> TimelineQuestion | None:
    """The speaker and subject a question about someone's record over time names, if it is one."""
    cleaned = " ".join(text.split()).strip(" ?!.")
    for pattern in _PATTERNS:
        m = pattern.match(cleaned)
        if m:
            who = m.group("who").strip(" ,")
            what = (m.groupdict().get("what") or "").strip(" ,")
            what = _LEADING_ARTICLE.sub("", what) or None
            if who and len(who) <= 80:
                return TimelineQuestion(speaker=who, subject=what)
    return None
