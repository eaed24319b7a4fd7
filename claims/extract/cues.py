"""Attribution cues: the words that introduce what someone said, and which of them make a claim.

Each cue has a *shape* (where its content is) and a *class* (what kind of attribution it is).

Shapes:
* ``say``: the content follows directly, after a colon or comma, or after "that" ("said he would",
  "shows Clinton leading"), or precedes the cue (".., the company said").
* ``tell``: an addressee comes before the content ("told reporters in Brussels he had ...").
* ``that``: the verb reports a statement only when "that" follows ("announced that ...").
* ``object``: the verb's object is part of what was said ("called the law “a disaster”").
* ``ask``: the content is a question ("asked whether ...", "“Why not?” she asked").

Classes, and the cue policy (which attributions become trackable claims):
* ``statement`` (say, tell, write, add, note, announce, reply, tweet; colon attributions and
  "according to"): tracked. Something was put on the record.
* ``assertion`` (argue, warn, insist, claim, deny, allege, admit, predict, promise, accuse, call):
  tracked. A stance taken in words is a claim one can check and follow.
* ``belief`` (believe, think, feel, fear, hope, expect): tracked. "Officials believe Beijing has
  decreased its hacking" is the officials' claim, and news reports it as theirs.
* ``finding`` (show, indicate, find, conclude, estimate, reveal, suggest): tracked. A poll or study
  showing something is a claim by its source (the poll, the study, or who ran it).
* ``question`` (ask): tracked. Who asked what is on the record, and a question's premise is checkable.
* ``position`` (call for, call on, urge, propose, demand, support, oppose, threaten, vow/pledge/
  promise to): tracked, always with the verb kept as the claim's frame ("[Trump called for] a
  special prosecutor ..."). A demand or a stated position is put on the record in words, and an
  editor follows it like any statement; without its verb the content would not read as one.
* ``stance`` (want, plan, seek, refuse, decline, seem, appear, endorse, defend, ...): not tracked.
  A want, a plan, a refusal or an endorsement is an attitude, not a statement that can be true or
  false. PolNeAR annotates them as attributions, so
  ``extract_claims(..., cues="all")`` finds them too, for measurement and for callers that want
  them; the bot stores the tracked ones.
"""

from __future__ import annotations

import re
from typing import Literal

CueClass = Literal["statement", "assertion", "belief", "finding", "question", "position", "stance"]
CuePolicy = Literal["tracked", "all"]
TRACKED: frozenset[str] = frozenset(["statement", "assertion", "belief", "finding", "question", "position"])
FRAMED: frozenset[str] = frozenset(["position", "stance"])
"""Classes whose content is no statement without its verb: "[Trump called for] a special prosecutor"."""

# word -> (shape, class). Forms are listed explicitly: a stemmer would also turn nouns into cues.
_TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "say statement": ("say", (
        "said", "says", "say", "added", "adds", "noted", "notes", "wrote", "writes", "stated",
        "declared", "declares", "explained", "explains", "tweeted", "tweets", "replied", "replies",
        "remarked", "observed", "quipped", "joked", "testified", "continued", "responded",
        "responds", "posted", "recounted", "retorted", "exclaimed", "answered", "emailed",
        "texted", "reiterated", "reiterates", "summed up", "put it", "made clear", "makes clear",
        "make clear", "pointed out", "points out", "point out", "mentioned", "mentions", "shouted",
        "yelled",
    )),
    "say assertion": ("say", (
        "warned", "warns", "warn", "insisted", "insists", "insist", "denied", "denies", "deny",
        "argued", "argues", "argue", "claimed", "claims", "claim", "suggested", "suggests",
        "asserted", "asserts", "predicted", "predicts", "contended", "contends", "countered",
        "cautioned", "cautions", "maintained", "maintains", "conceded", "concedes",
        "acknowledged", "acknowledges", "admitted", "admits", "alleged", "alleges", "charged",
        "complained", "complains", "boasted", "boasts", "bragged", "lamented", "laments",
        "stressed", "stresses", "emphasized", "emphasised", "emphasizes", "promised", "promises",
        "vowed", "vows", "pledged", "pledges", "confirmed", "confirms", "disputed", "disputes",
        "objected", "protested", "scoffed", "acknowledge", "concede",
    )),
    "say belief": ("say", (
        "believes", "believed", "believe", "thinks", "think", "thought", "feels", "felt",
        "fears", "feared", "hopes", "hoped", "expects", "expected", "worries", "worried",
        "doubts", "doubted", "suspects", "suspected", "reckons", "assumes", "assumed",
        "is convinced", "are convinced", "was convinced", "were convinced",
    )),
    "say finding": ("say", (
        "shows", "showed", "show", "shown", "indicates", "indicated", "indicate", "projected",
        "projects", "demonstrated", "demonstrates", "suggest", "has learned", "have learned",
    )),
    "that finding": ("that", (
        "found", "finds", "concluded", "concludes", "estimated", "estimates", "revealed",
        "reveals", "reported", "reports", "learned", "determined", "calculated",
    )),
    "tell statement": ("tell", (
        "told", "tells", "tell", "assured", "assures", "reminded", "reminds", "informed",
        "informs", "wrote to",
    )),
    "that statement": ("that", (
        "agreed", "agrees", "recalled", "recalls", "expressed", "explained to", "announced",
        "announces",
    )),
    "object assertion": ("object", (
        "called", "calls", "described", "describes", "labeled", "labelled", "branded", "dubbed",
        "accused", "accuses",
    )),
    "object judgement": ("object", (
        "commended", "commends", "praised", "praises", "criticized", "criticised", "criticizes",
        "dismissed", "dismisses", "slammed", "blasted", "attacked", "mocked", "ridiculed",
        "condemned", "denounced", "decried", "blamed", "blames", "slams", "blasts", "knocked",
        "knocks", "assailed", "assails", "rejected", "rejects", "mocks", "denounces", "condemns",
    )),
    "object stance": ("object", ("defended", "defends", "endorsed", "endorses", "thanked")),
    "ask question": ("ask", ("asked", "asks", "ask", "wondered", "wonders", "questioned")),
    "say position": ("say", (
        "called for", "calls for", "call for", "called on", "calls on", "urged", "urges",
        "supports", "supported", "opposes", "opposed", "proposed", "proposes", "demanded",
        "demands", "threatened", "threatens", "vowed to", "pledged to", "promised to",
    )),
    "say stance": ("say", (
        "wants", "wanted", "hopes to", "plans", "planned", "seeks", "sought", "refused",
        "refuses", "declined", "declines", "seemed", "seems", "appeared", "appears",
        "is expected", "are expected", "was expected", "were expected", "intends", "intended",
        "offered",
    )),
}  # fmt: skip

# Participles open a clause that reports what the subject said (", saying the city ...").
_PARTICIPLE_TABLE: dict[str, tuple[str, str]] = {
    "saying": ("say", "statement"), "adding": ("say", "statement"), "noting": ("say", "statement"),
    "writing": ("say", "statement"), "explaining": ("say", "statement"),
    "declaring": ("say", "statement"), "tweeting": ("say", "statement"),
    "warning": ("say", "assertion"), "arguing": ("say", "assertion"),
    "insisting": ("say", "assertion"), "suggesting": ("say", "assertion"),
    "claiming": ("say", "assertion"), "predicting": ("say", "assertion"),
    "denying": ("say", "assertion"), "acknowledging": ("say", "assertion"),
    "admitting": ("say", "assertion"), "contending": ("say", "assertion"),
    "alleging": ("say", "assertion"), "stressing": ("that", "assertion"),
    "conceding": ("that", "assertion"), "agreeing": ("that", "statement"),
    "recalling": ("that", "statement"), "telling": ("tell", "statement"),
    "assuring": ("tell", "statement"), "reminding": ("tell", "statement"),
    "calling": ("object", "assertion"), "describing": ("object", "assertion"),
    "accusing": ("object", "assertion"), "asking": ("ask", "question"),
    "making clear": ("say", "statement"), "showing": ("say", "finding"),
    "indicating": ("say", "finding"), "stating": ("say", "statement"),
    "asserting": ("say", "assertion"), "pointing out": ("say", "statement"),
    "mentioning": ("say", "statement"), "urging": ("say", "position"),
    "denouncing": ("object", "assertion"),
    "criticizing": ("object", "assertion"), "slamming": ("object", "assertion"),
    "blasting": ("object", "assertion"), "rejecting": ("object", "assertion"),
    "praising": ("object", "assertion"), "blaming": ("object", "assertion"),
}  # fmt: skip

CUES: dict[str, tuple[str, CueClass]] = {}
for _key, (_shape, _words) in _TABLE.items():
    _cls = _key.split()[1].replace("judgement", "assertion")
    for _w in _words:
        CUES.setdefault(_w, (_shape, _cls))  # type: ignore[arg-type]
PARTICIPLES: frozenset[str] = frozenset(_PARTICIPLE_TABLE)
for _w, (_shape, _cls) in _PARTICIPLE_TABLE.items():
    CUES[_w] = (_shape, _cls)  # type: ignore[assignment]

CUE_RE = re.compile(
    r"(?<![\w’'-])(?:"
    + "|".join(sorted((re.escape(v) for v in CUES), key=len, reverse=True))
    + r")(?![\w’'-])"
)
# After these a verb is not a cue: "called for", "think about", "believe in", "showed up".
NOT_CUE_AFTER = re.compile(
    r"^\s+(?:for|on|off|in|up|out|back|into|over|around|down|away|by|with|himself|herself|"
    r"themselves|itself|so|of)\b"
)
# Verbs where "about"/"of" still leave a statement are not affected: those are ``say`` verbs that
# take a clause, and the preposition shows no clause follows.


def cue_class_at(word: str, following: str) -> CueClass:
    """The class of a cue given the text after it: a belief verb before "to" is an expectation
    or an intention ("expected to meet", "hoped to win"), not a belief about a fact."""
    cls = CUES[word][1]
    if cls == "belief" and re.match(r"\s+to\s", following):
        return "stance"
    return cls


def cue_class(word: str) -> CueClass:
    """The class of a cue word (unknown words are ``stance``: untracked)."""
    entry = CUES.get(word.lower())
    return entry[1] if entry else "stance"


def tracked(cls: str, policy: CuePolicy) -> bool:
    """Whether a cue of class ``cls`` makes a claim under ``policy``."""
    return policy == "all" or cls in TRACKED
