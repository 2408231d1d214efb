"""String and token similarities used by the healer, and the test for generated (unstable) names.

Everything here is pure and cheap: the healer scores every element of a page (2,000 or more) and
must answer in well under 100 ms, so the first pass uses set and equality tests only and the
slower edit-distance ratio is reserved for the few best candidates.
"""

from __future__ import annotations

import itertools
import re
from difflib import SequenceMatcher
from functools import lru_cache

from .opposites import opposed

_SPLIT = re.compile(r"[^0-9a-zA-Z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
_WORD = re.compile(r"\w+")

# Names that frameworks mint at render time. They identify nothing across deployments, so they
# count as weak evidence (the Similo papers' "unstable attributes"; Kluge and Stocco re-weight them).
_GENERATED_PATTERNS = [
    re.compile(r"^:r[0-9a-z]*:$"),  # React useId
    re.compile(r"^(css|jss|emotion|e)-[0-9a-z]{4,}", re.I),  # emotion, JSS
    re.compile(r"^sc-[A-Za-z0-9]+$"),  # styled-components component id
    re.compile(r"^jsx-[0-9]+$"),  # styled-jsx
    re.compile(r"^svelte-[0-9a-z]+$"),
    re.compile(r"^(ember|ext-gen|ext-comp|yui_|gwt-uid-)[0-9]", re.I),
    re.compile(r"^(mui|mat-[a-z-]+|headlessui-[a-z-]+|radix|rc-[a-z-]+|el-id|downshift|react-select)-", re.I),
    re.compile(r"__[0-9A-Za-z_-]{4,}$"),  # CSS modules: Block_elem__hash
    re.compile(r"^_[0-9A-Za-z_-]{4,}$"),  # CSS modules in production mode
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I),  # uuid
]


@lru_cache(maxsize=65536)
def is_generated(name: str) -> bool:
    """True when an id or class looks minted by a build tool or framework rather than chosen by a person."""
    if not name:
        return False
    for pattern in _GENERATED_PATTERNS:
        if pattern.search(name):
            return True
    for seg in _SPLIT.split(name):
        if len(seg) < 5:
            if len(seg) >= 3 and seg.isdigit():
                return True  # counters: field-1042
            continue
        has_digit = any(c.isdigit() for c in seg)
        has_alpha = any(c.isalpha() for c in seg)
        if has_digit and has_alpha and not _looks_like_word_with_number(seg):
            return True
        if seg.isdigit():
            return True
        switches = sum(1 for a, b in itertools.pairwise(seg) if a.islower() != b.islower())
        if has_alpha and not has_digit and switches >= 4 and len(seg) <= 12:
            return True  # random mixed case: bdVaJa, kKjHqG
    return False


def _looks_like_word_with_number(seg: str) -> bool:
    # "h1", "col6", "step2" are chosen names; "x7f3k9" is not. A word followed by a short number is fine.
    m = re.fullmatch(r"([A-Za-z]{3,})([0-9]{1,2})", seg)
    return m is not None


@lru_cache(maxsize=65536)
def tokens(s: str) -> frozenset[str]:
    """Lower-case word tokens, splitting snake, kebab and camel case: loginSubmit-btn -> login, submit, btn."""
    if not s:
        return frozenset()
    out = []
    for part in _SPLIT.split(s):
        if part:
            out.extend(p.lower() for p in _CAMEL.split(part) if p)
    return frozenset(out)


@lru_cache(maxsize=65536)
def words(s: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(s)) if s else frozenset()


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    inter = len(a & b)
    if inter == 0:
        return 0.0
    return inter / (len(a) + len(b) - inter)


def ratio(a: str, b: str) -> float:
    """Edit-based similarity in [0, 1] (difflib's ratio); 1 for equal strings."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def path_ratio(a: str, b: str) -> float:
    """`ratio` for two absolute XPaths, which mostly share a long prefix (/html[1]/body[1]/div[2]/...).

    The shared prefix counts as matched and only what follows it goes through the edit search, which
    is what makes this affordable for every shortlisted candidate and look-alike. It equals `ratio`
    whenever that prefix is the longest stretch the two have in common, as it is for paths on one page.
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    shared = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    rest = SequenceMatcher(None, a[shared:], b[shared:], autojunk=False).get_matching_blocks()
    return 2 * (shared + sum(block.size for block in rest)) / (len(a) + len(b))


SUPERSET_PENALTY = True
# Below this edit ratio, texts that share no word have letters in common, not one spelling: "Save" and
# "Share" (0.67), "Edit" and "Exit" (0.75) are other words, where "Log in" and "Login" (0.91) are one
# re-spelled. Texts that share a word keep the ratio whatever it is ("Send message", "Submit message").
RESPELLED = 0.8


def text_similarity(a: str, b: str, *, precise: bool) -> float:
    """Visible-text similarity: exact, then word overlap, and an edit ratio for the short list."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    la, lb = a.lower(), b.lower()
    if la == lb:
        return 0.95
    wa, wb = words(a), words(b)
    if opposed(wa, wb):
        return 0.0  # "Sign out" is not "Sign in", however many letters they share
    base = jaccard(wa, wb)
    if wa < wb and SUPERSET_PENALTY:
        # A label that adds words names a more specific action: "Sign in with SSO" is not "Sign in".
        return min(base, 0.45)
    if precise and len(a) <= 200 and len(b) <= 200:
        spelled = ratio(la, lb)
        if spelled >= RESPELLED or wa & wb:
            base = max(base, spelled * 0.8)
    # Different numbers are different things ("Like (25)" is not "Like (20)", row 3 is not row 4).
    da = {w for w in wa if w.isdigit()}
    db = {w for w in wb if w.isdigit()}
    if da != db and (da or db):
        base *= 0.6
    return base


def name_similarity(a: str, b: str) -> float:
    """For ids, names and test ids: equal, else shared tokens (login-submit vs signin-submit = 1/3)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return jaccard(tokens(a), tokens(b))


def lcs_len(a: list[str] | tuple[str, ...], b: list[str] | tuple[str, ...]) -> int:
    """Longest common subsequence length of two short sequences (ancestor paths)."""
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]
