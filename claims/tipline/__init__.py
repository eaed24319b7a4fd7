"""The tipline: what readers send besides questions (forwarded posts, long pasted texts, links),
inline answers, and what the team could not answer.

- ``askers``: who asked, pseudonymised (a salted hash of the Telegram user id)
- ``posts``: a post cut into the statements worth checking, and each one matched to tracked claims
- ``links``: URLs found in messages, normalised; tracked articles and links recorded for the team
- ``unanswered``: unanswered questions grouped by similarity, and marking groups handled
- the use cases over them are ``claims.service.tipline``, part of ``ClaimService``
"""
