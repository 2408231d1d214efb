"""Labels that name the opposite action: "Sign in" and "Sign out", "Zoom in" and "Zoom out", "Lock" and
"Unlock". They share most of their letters and words, and the label model reads them as close (zoom
in/out 0.91, sign up/sign in 0.79, enable/disable 0.72, log in/out 0.69), so neither the words nor the
meaning would stop the healer from taking the one for the other. The words do: a label that traded a
word for its opposite, or gained or lost a negation, is another control.

General English, not a list fitted to the benchmark: the generator's rewordings keep the meaning,
and no decision on 1,600 tuning cases changes with this rule.
"""

from __future__ import annotations

# Any two words of one group name different things.
_GROUPS = (
    {"in", "out"},
    {"up", "down"},
    {"on", "off"},
    {"in", "up"},  # sign in, sign up
    {"login", "logout", "signup"},
    {"signin", "signout", "signup"},
    {"open", "close"},
    {"opened", "closed"},
    {"enable", "disable"},
    {"enabled", "disabled"},
    {"show", "hide"},
    {"shown", "hidden"},
    {"visible", "hidden"},
    {"next", "previous", "prev", "back"},
    {"forward", "back", "backward"},
    {"first", "last"},
    {"min", "max"},
    {"minimum", "maximum"},
    {"start", "end"},
    {"start", "stop"},
    {"play", "pause"},
    {"from", "to"},
    {"yes", "no"},
    {"true", "false"},
    {"accept", "decline", "reject"},
    {"approve", "reject", "deny"},
    {"allow", "deny", "block"},
    {"add", "remove"},
    {"increase", "decrease"},
    {"more", "less", "fewer"},
    {"expand", "collapse"},
    {"upload", "download"},
    {"import", "export"},
    {"before", "after"},
    {"older", "newer"},
    {"oldest", "newest"},
    {"left", "right"},
    {"top", "bottom"},
    {"asc", "desc"},
    {"ascending", "descending"},
    {"light", "dark"},
    {"include", "exclude"},
    {"buy", "sell"},
    {"send", "receive"},
    {"sent", "received"},
    {"incoming", "outgoing"},
    {"public", "private"},
    {"all", "none"},
    {"save", "discard"},
    {"keep", "discard"},
    {"confirm", "cancel"},
    {"ok", "cancel"},
    {"add", "delete"},
    {"join", "leave"},
    {"grant", "revoke"},
    {"attach", "detach"},
    {"encrypt", "decrypt"},
    {"maximize", "minimize"},
    {"online", "offline"},
    {"input", "output"},
    {"inbound", "outbound"},
    {"upvote", "downvote"},
    {"above", "below"},
    {"over", "under"},
    {"plus", "minus"},
    {"positive", "negative"},
    {"pass", "fail"},
    {"credit", "debit"},
    {"income", "expense"},
    {"low", "medium", "high"},
    {"small", "medium", "large"},
    {"today", "yesterday", "tomorrow"},
    {"day", "week", "month", "quarter", "year"},
    {"daily", "weekly", "monthly", "quarterly", "yearly", "annual"},
)
# Each word's opposites, from the groups.
_OPPOSITES = {
    word: frozenset().union(*(group - {word} for group in _GROUPS if word in group)) for word in set().union(*_GROUPS)
}
# "Lock" and "Unlock", "Enable" and "Disable", "Select all" and "Deselect all".
_NEGATING_PREFIXES = ("un", "dis", "de", "non", "in", "im")
# "Remember me" and "Don't remember me" (whose words are don, t, remember and me).
_NEGATIONS = frozenset({"not", "no", "never", "don", "dont", "without"})


def opposed(old_words: set[str] | frozenset[str], new_words: set[str] | frozenset[str]) -> bool:
    """True when one label traded a word for its opposite, or gained or lost a negation.

    Linear in the words (texts compared may be paragraphs): each changed word is looked up, not paired.
    """
    lost, gained = old_words - new_words, new_words - old_words
    if not lost and not gained:
        return False
    if (lost | gained) & _NEGATIONS:
        return True
    return any(_opposes_one_of(a, gained) for a in lost) or any(_negates_one_of(b, lost) for b in gained)


def _opposes_one_of(word: str, others: set[str] | frozenset[str]) -> bool:
    return not _OPPOSITES.get(word, frozenset()).isdisjoint(others) or _negates_one_of(word, others)


def _negates_one_of(word: str, others: set[str] | frozenset[str]) -> bool:
    """`word` is one of `others` with a negating prefix ("unlock" for "lock"; the stem three letters or more)."""
    return word.startswith(_NEGATING_PREFIXES) and any(
        word.startswith(prefix) and len(word) - len(prefix) >= 3 and word[len(prefix) :] in others
        for prefix in _NEGATING_PREFIXES
    )
