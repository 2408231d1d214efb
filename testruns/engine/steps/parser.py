"""Plain-English and structured steps -> ParsedStep. Rules only, no AI.

Quoted parts ("...", '...', “...”) are lifted out before matching, so a quoted value may contain any
word ("into", "from", ...) without confusing the grammar; they come back verbatim afterwards.
"""

from __future__ import annotations

import re

from ..interfaces import StepSpec
from .model import ALL_ACTIONS, ELEMENT_ACTIONS, ELEMENT_ASSERTIONS, WAITS, ParsedStep, StepParseError, Target

_QUOTE_RE = re.compile(r'"([^"]*)"|“([^”]*)”|\'([^\']*)\'|‘([^’]*)’')  # noqa: RUF001 - typographic quotes
_PH_RE = re.compile(r"\x00(\d+)\x00")

_NUMBER_WORDS = {
    "no": 0,
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}

# Words after (or before) a name that say what kind of element it is.
_ROLE_WORDS = [
    ("radio button", "radio"),
    ("check box", "checkbox"),
    ("checkbox", "checkbox"),
    ("text field", "textbox"),
    ("text box", "textbox"),
    ("textbox", "textbox"),
    ("input field", "textbox"),
    ("field", "textbox"),
    ("input", "textbox"),
    ("textarea", "textbox"),
    ("box", "textbox"),
    ("drop-down", "combobox"),
    ("dropdown", "combobox"),
    ("drop down", "combobox"),
    ("select", "combobox"),
    ("combobox", "combobox"),
    ("list box", "combobox"),
    ("menu item", "menuitem"),
    ("button", "button"),
    ("link", "link"),
    ("radio", "radio"),
    ("tab", "tab"),
    ("heading", "heading"),
    ("switch", "checkbox"),
    ("toggle", "checkbox"),
    ("image", "img"),
    ("table", "table"),
    ("list", "list"),
]

_KEY_NAMES = {
    "enter": "Enter",
    "return": "Enter",
    "tab": "Tab",
    "escape": "Escape",
    "esc": "Escape",
    "backspace": "Backspace",
    "delete": "Delete",
    "del": "Delete",
    "space": "Space",
    "spacebar": "Space",
    "home": "Home",
    "end": "End",
    "pageup": "PageUp",
    "pagedown": "PageDown",
    "insert": "Insert",
    "arrowup": "ArrowUp",
    "arrowdown": "ArrowDown",
    "arrowleft": "ArrowLeft",
    "arrowright": "ArrowRight",
    "up": "ArrowUp",
    "down": "ArrowDown",
    "left": "ArrowLeft",
    "right": "ArrowRight",
    "ctrl": "Control",
    "control": "Control",
    "shift": "Shift",
    "alt": "Alt",
    "option": "Alt",
    "cmd": "Meta",
    "command": "Meta",
    "meta": "Meta",
    "win": "Meta",
    "controlormeta": "ControlOrMeta",
}
_MODIFIERS = {"Control", "Shift", "Alt", "Meta", "ControlOrMeta"}

_VERBS_HINT = (
    "open, go to, type, fill, clear, click, double-click, hover, select, check, uncheck, press, upload, "
    "wait, expect/verify/assert ..."
)


class _Quoted:
    """The step with quoted parts replaced by placeholders, and the way back."""

    def __init__(self, text: str) -> None:
        self.parts: list[str] = []
        self.originals: list[str] = []

        def lift(m: re.Match[str]) -> str:
            self.parts.append(next(g for g in m.groups() if g is not None))
            self.originals.append(m.group(0))
            return f"\x00{len(self.parts) - 1}\x00"

        self.text = _QUOTE_RE.sub(lift, text)

    def restore(self, s: str, *, keep_quotes: bool = False) -> str:
        source = self.originals if keep_quotes else self.parts
        return _PH_RE.sub(lambda m: source[int(m.group(1))], s)

    def whole_quote(self, s: str) -> str | None:
        """The quoted text if `s` is exactly one quoted part."""
        m = re.fullmatch(r"\s*\x00(\d+)\x00\s*", s)
        return self.parts[int(m.group(1))] if m else None


def parse_step(spec: StepSpec) -> ParsedStep:
    """Parse one step, raising StepParseError with the reason when it cannot be run as written."""
    if spec.text is not None and spec.text.strip():
        return parse_text(spec.text)
    if spec.action:
        return _parse_structured(spec)
    raise StepParseError("the step is empty: write it in plain English or give an action")


def parse_text(text: str) -> ParsedStep:
    source = " ".join(text.split())
    q = _Quoted(source)
    s = q.text.strip().rstrip(".;!").strip()
    # People write steps as sentences about a user or themselves; the subject adds nothing.
    s = re.sub(r"^(?:then|and|next|now|finally)[,]?\s+", "", s, flags=re.I)
    s = re.sub(r"^(?:the\s+)?user\s+", "", s, flags=re.I)
    if not s:
        raise StepParseError("the step is empty")
    for parse in (_parse_navigation, _parse_assertion, _parse_wait, _parse_action):
        step = parse(s, q, source)
        if step is not None:
            return step
    first = q.restore(s.split()[0])
    raise StepParseError(
        f'cannot understand "{source}": "{first}" is not an action Argus knows. Start with one of: {_VERBS_HINT}'
    )


# --- navigation ----------------------------------------------------------------------------------

_NAV_RE = re.compile(
    r"^(?:i\s+)?(?:open|opens|go\s+to|goes\s+to|goto|visit|visits|navigate\s+to|navigates\s+to|browse\s+to|"
    r"load|loads)\s+(?P<url>.+)$",
    re.I,
)


def _parse_navigation(s: str, q: _Quoted, source: str) -> ParsedStep | None:
    if re.fullmatch(r"(?:reload|refresh)(?:\s+the)?(?:\s+page)?", s, re.I):
        return ParsedStep(action="reload", source=source)
    if re.fullmatch(r"(?:go|navigate)\s+back", s, re.I):
        return ParsedStep(action="go_back", source=source)
    m = _NAV_RE.match(s)
    if not m:
        return None
    return ParsedStep(action="navigate", source=source, value=_url_value(q.restore(m.group("url")).strip()))


def _url_value(raw: str) -> str:
    url = raw.strip().strip("<>")
    low = url.lower()
    for prefix in ("the url ", "url ", "the page ", "page "):
        if low.startswith(prefix):
            url = url[len(prefix) :].strip()
            low = url.lower()
    if low in {"home page", "homepage", "the home page", "home", "the homepage", "the app", "app"}:
        return "/"
    if re.match(r"^[a-z][a-z0-9+.-]*://", low) or url.startswith(("/", "?", "#")):
        return url
    if " " not in url and ("." in url or ":" in url):
        # "example.com/login" or "localhost:8000/x": a host without a scheme.
        return url if "." not in url.split("/")[0] and ":" not in url.split("/")[0] else "http://" + url
    raise StepParseError(
        f'"{raw}" is not a URL or a path: write the address, e.g. "Open /login" or "Go to https://example.com"'
    )


# --- element actions -----------------------------------------------------------------------------

_KEY_TOKEN = r"[A-Za-z0-9]+(?:\s*\+\s*[A-Za-z0-9]+)*"


def _parse_action(s: str, q: _Quoted, source: str) -> ParsedStep | None:
    s = re.sub(r"^i\s+", "", s, flags=re.I)
    m = re.match(r"^(?P<verb>[A-Za-z-]+(?:\s+(?:in|on|over|click|tap))?)\b\s*(?P<rest>.*)$", s)
    if not m:
        return None
    verb_phrase = m.group("verb").lower()
    verb = verb_phrase.split()[0]
    rest = s[len(verb) :].strip()

    if verb in {"type", "types", "enter", "enters", "fill", "fills", "input", "write", "set", "sets"}:
        return _parse_fill(verb, rest, q, source)
    if verb in {"clear", "clears", "empty"}:
        _need(rest, "Clear", "Clear Email")
        return ParsedStep(action="clear", source=source, target=_target(rest, q))
    if verb in {"press", "presses", "hit", "hits"}:
        key_step = _parse_press(rest, q, source)
        if key_step is not None:
            return key_step
        return _click("click", rest, q, source, verb)
    if verb in {"double-click", "doubleclick", "double-tap", "dblclick"} or re.match(
        r"^double\s+(?:click|tap)", s, re.I
    ):
        rest = re.sub(r"^(?:click|tap)\s*", "", rest, flags=re.I) if verb == "double" else rest
        return _click("dblclick", rest, q, source, "double-click")
    if verb in {"right-click", "rightclick"} or re.match(r"^right\s+click", s, re.I):
        rest = re.sub(r"^click\s*", "", rest, flags=re.I) if verb == "right" else rest
        return _click("right_click", rest, q, source, "right-click")
    if verb in {"click", "clicks", "tap", "taps", "push", "choose"} and not (
        verb == "choose" and re.search(r"\s(?:from|in)\s", rest)
    ):
        return _click("click", rest, q, source, verb)
    if verb in {"hover", "hovers"} or re.match(r"^mouse\s+over\b", s, re.I):
        rest = re.sub(r"^(?:over|on)\s+", "", rest if verb != "mouse" else rest[4:].strip(), flags=re.I)
        _need(rest, "Hover", "Hover over Account menu")
        return ParsedStep(action="hover", source=source, target=_target(rest, q))
    if verb in {"select", "selects", "choose", "chooses", "pick", "picks"}:
        value, target = _split_last(rest, (" from ", " in "))
        if value is None:
            raise StepParseError(f'"{source}": say which option and which dropdown, e.g. "Select Blue from Color"')
        return ParsedStep(action="select", source=source, target=_target(target, q), value=_value(value, q))
    if verb in {"check", "checks", "tick", "ticks"}:
        _need(rest, "Check", "Check Remember me")
        return ParsedStep(action="check", source=source, target=_target(rest, q))
    if verb in {"uncheck", "unchecks", "untick", "unticks"}:
        _need(rest, "Uncheck", "Uncheck Newsletter")
        return ParsedStep(action="uncheck", source=source, target=_target(rest, q))
    if verb in {"upload", "uploads", "attach", "attaches"}:
        value, target = _split_last(rest, (" into ", " to ", " in ", " using ", " with ", " on "))
        if value is None:
            raise StepParseError(f'"{source}": say which file and where, e.g. "Upload report.csv into Attachment"')
        return ParsedStep(action="upload", source=source, target=_target(target, q), value=_value(value, q))
    return None


def _parse_fill(verb: str, rest: str, q: _Quoted, source: str) -> ParsedStep:
    rest = re.sub(r"^in\s+(?=.*\swith\s)", "", rest, flags=re.I)  # "Fill in Email with x"
    if verb in {"fill", "fills", "set", "sets"}:
        target, value = _split_first(rest, (" with ", " to ") if verb.startswith("set") else (" with ",))
        if target is not None and " into " not in f" {rest} ":
            return ParsedStep(action="fill", source=source, target=_target(target, q), value=_value(value, q))
    value, target = _split_last(rest, (" into ", " in ", " on "))
    if value is None:
        raise StepParseError(f'"{source}": say what to type and where, e.g. \'Type "alice@example.com" into Email\'')
    return ParsedStep(action="fill", source=source, target=_target(target, q), value=_value(value, q))


def _parse_press(rest: str, q: _Quoted, source: str) -> ParsedStep | None:
    m = re.match(
        rf"^(?:the\s+)?(?P<key>(?:arrow\s+)?{_KEY_TOKEN}(?:\s+(?:arrow|key))?)(?:\s+key)?(?:\s+(?:in|on|into)\s+(?P<target>.+))?$",
        rest,
        re.I,
    )
    if not m:
        return None
    key = _key_name(m.group("key"))
    if key is None:
        return None
    target = m.group("target")
    return ParsedStep(action="press", source=source, value=key, target=_target(target, q) if target else None)


def _key_name(raw: str) -> str | None:
    raw = re.sub(r"\s+key$", "", raw.strip(), flags=re.I)
    raw = re.sub(r"^(up|down|left|right)\s+arrow$|^arrow\s+(up|down|left|right)$", r"arrow\1\2", raw, flags=re.I)
    parts = [p.strip() for p in raw.split("+")]
    names: list[str] = []
    for i, part in enumerate(parts):
        low = part.lower().replace(" ", "")
        if low in _KEY_NAMES:
            names.append(_KEY_NAMES[low])
        elif re.fullmatch(r"f([1-9]|1[0-2])", low):
            names.append(low.upper())
        elif len(part) == 1 and (len(parts) > 1 or i == 0):
            names.append(part.upper() if len(parts) > 1 else part)
        else:
            return None
    if len(names) > 1 and not all(n in _MODIFIERS for n in names[:-1]):
        return None
    if len(names) == 1 and len(names[0]) == 1 and len(parts) == 1:
        # A single letter like "Press A" is a key only when it is one character; "Press OK" is a click.
        return names[0]
    return "+".join(names)


def _click(action: str, rest: str, q: _Quoted, source: str, verb: str) -> ParsedStep:
    rest = re.sub(r"^(?:on|at)\s+", "", rest, flags=re.I)
    _need(rest, verb.capitalize(), f"{verb.capitalize()} Sign in")
    return ParsedStep(action=action, source=source, target=_target(rest, q))


# --- waits ---------------------------------------------------------------------------------------

_APPEAR = (
    r"(?:to\s+)?(?:appears?|be\s+visible|is\s+visible|is\s+shown|be\s+shown|show\s+up|shows\s+up|"
    r"is\s+displayed|be\s+displayed)"
)
_DISAPPEAR = (
    r"(?:to\s+)?(?:disappears?|be\s+hidden|is\s+hidden|is\s+gone|be\s+gone|go\s+away|goes\s+away|vanish|"
    r"vanishes|not\s+be\s+visible|is\s+not\s+visible)"
)


def _parse_wait(s: str, q: _Quoted, source: str) -> ParsedStep | None:
    m = re.match(r"^(?:i\s+)?waits?\b\s*(?P<rest>.*)$", s, re.I)
    if not m:
        return None
    rest = m.group("rest").strip()
    n = re.fullmatch(
        r"(?:for\s+)?(?P<n>\d+(?:\.\d+)?|an?|one|two|three|five|ten)\s*"
        r"(?P<unit>seconds?|secs?|s|milliseconds?|ms|minutes?|mins?)",
        rest,
        re.I,
    )
    if n:
        amount_raw = n.group("n").lower()
        amount = float(_NUMBER_WORDS.get(amount_raw, 1 if amount_raw in {"a", "an"} else 0) or amount_raw)
        unit = n.group("unit").lower()
        seconds = amount / 1000 if unit.startswith("m") and unit.startswith(("ms", "milli")) else amount
        if unit.startswith("min"):
            seconds = amount * 60
        if seconds > 300:
            raise StepParseError(f'"{source}": a fixed wait may be at most 300 seconds; wait for text instead')
        return ParsedStep(action="wait_seconds", source=source, seconds=seconds)
    if re.fullmatch(
        r"(?:for\s+|until\s+)?(?:the\s+)?page\s+(?:to\s+)?(?:load|loads|is\s+loaded|finishes\s+loading)", rest, re.I
    ):
        return ParsedStep(action="wait_load", source=source)
    m = re.fullmatch(rf"(?:for|until)\s+(?P<what>.+?)\s+{_DISAPPEAR}", rest, re.I)
    if m:
        return _wait_step("wait_hidden", m.group("what"), q, source)
    m = re.fullmatch(rf"(?:for|until)\s+(?P<what>.+?)\s+{_APPEAR}", rest, re.I)
    if m:
        return _wait_step("wait_visible", m.group("what"), q, source)
    m = re.fullmatch(r"for\s+(?P<what>.+)", rest, re.I)
    if m:
        return _wait_step("wait_visible", m.group("what"), q, source)
    raise StepParseError(
        f'"{source}": say what to wait for, e.g. "Wait 2 seconds", "Wait for Saved to appear" '
        f'or "Wait for Loading to disappear"'
    )


def _wait_step(action: str, what: str, q: _Quoted, source: str) -> ParsedStep:
    kind = "any"
    m = re.match(r"^(?:the\s+)?(?P<k>text|element)\s+(?P<rest>.+)$", what, re.I)
    if m:
        kind, what = m.group("k").lower(), m.group("rest")
    target = _target(what, q)
    if target.selector:
        kind = "element"
    return ParsedStep(action=action, source=source, target=target, kind=kind, value=target.text)


# --- assertions ----------------------------------------------------------------------------------

_PREFIX_RE = re.compile(
    r"^(?:expect|expects|verify|verifies|assert|asserts|check|ensure|confirm|make\s+sure|validate)"
    r"(?:\s+that)?\b\s*",
    re.I,
)
_SHOULD = r"(?:should\s+be|should\s+equal|must\s+be|to\s+be|to\s+equal|is|equals|=|==|be)"
_CONTAINS = (
    r"(?:should\s+contain|should\s+include|to\s+contain|to\s+include|contains|includes|has|to\s+have|should\s+have)"
)
_STATES = {
    "visible": "assert_visible",
    "shown": "assert_visible",
    "displayed": "assert_visible",
    "present": "assert_visible",
    "hidden": "assert_hidden",
    "invisible": "assert_hidden",
    "gone": "assert_hidden",
    "enabled": "assert_enabled",
    "disabled": "assert_disabled",
    "checked": "assert_checked",
    "selected": "assert_checked",
    "ticked": "assert_checked",
    "unchecked": "assert_unchecked",
    "unticked": "assert_unchecked",
    "not checked": "assert_unchecked",
}
_NEGATED = {
    "assert_visible": "assert_hidden",
    "assert_hidden": "assert_visible",
    "assert_enabled": "assert_disabled",
    "assert_disabled": "assert_enabled",
    "assert_checked": "assert_unchecked",
    "assert_unchecked": "assert_checked",
}


def _parse_assertion(s: str, q: _Quoted, source: str) -> ParsedStep | None:
    body = s
    m = _PREFIX_RE.match(s)
    prefixed = False
    if (m and not re.match(r"^check\s+(?!that\b)", s, re.I)) or (m and re.match(r"^check\s+that\b", s, re.I)):
        body, prefixed = s[m.end() :].strip(), True
    if not prefixed and not re.search(r"\b(?:should|shouldn't|see|sees)\b", body, re.I):
        return None
    if not body:
        raise StepParseError(f'"{source}": say what to expect, e.g. "Expect to see Welcome"')
    body = re.sub(r"^(?:i|we|the\s+user|user)\s+", "", body, flags=re.I)

    for parse in (_assert_text, _assert_url_title, _assert_count, _assert_value, _assert_state, _assert_elem_text):
        step = parse(body, q, source)
        if step is not None:
            return step
    if prefixed:
        # "Verify Dashboard": a person checking a page for a word.
        return ParsedStep(action="assert_text", source=source, value=_value(body, q))
    return None


def _assert_text(body: str, q: _Quoted, source: str) -> ParsedStep | None:
    neg = (
        re.fullmatch(
            r"(?:should\s+not|shouldn't|do\s+not|don't|does\s+not|doesn't|not\s+to|to\s+not|cannot|can't|can\s+not|not)"
            r"\s+(?:be\s+able\s+to\s+)?sees?\s+(?:the\s+)?(?:text\s+)?(?P<t>.+)",
            body,
            re.I,
        )
        or re.fullmatch(
            r"(?:the\s+)?page\s+(?:should\s+not|does\s+not|doesn't|not\s+to|to\s+not)\s+"
            r"(?:contain|have|show|display|include)\s+(?:the\s+)?(?:text\s+)?(?P<t>.+)",
            body,
            re.I,
        )
        or re.fullmatch(
            r"(?:the\s+)?text\s+(?P<t>.+?)\s+(?:is\s+not|isn't|should\s+not\s+be|not\s+to\s+be|to\s+not\s+be)\s+"
            r"(?:shown|visible|displayed|present|on\s+the\s+page)",
            body,
            re.I,
        )
    )
    if neg:
        return ParsedStep(action="assert_no_text", source=source, value=_value(neg.group("t"), q))
    pos = (
        re.fullmatch(
            r"(?:should\s+|to\s+|can\s+|will\s+)?(?:be\s+able\s+to\s+)?sees?\s+(?:the\s+)?(?:text\s+)?(?P<t>.+)",
            body,
            re.I,
        )
        or re.fullmatch(
            r"(?:the\s+)?page\s+(?:should\s+|to\s+)?(?:contains?|has|have|shows?|displays?|includes?)\s+"
            r"(?:the\s+)?(?:text\s+)?(?P<t>.+)",
            body,
            re.I,
        )
        or re.fullmatch(
            r"(?:the\s+)?text\s+(?P<t>.+?)(?:\s+(?:is|to\s+be|should\s+be)\s+(?:shown|visible|displayed|present|"
            r"on\s+the\s+page))?",
            body,
            re.I,
        )
    )
    if pos:
        return ParsedStep(action="assert_text", source=source, value=_value(pos.group("t"), q))
    return None


def _assert_url_title(body: str, q: _Quoted, source: str) -> ParsedStep | None:
    on = re.fullmatch(r"(?:should\s+be|to\s+be|am|are|is|be)\s+on\s+(?:the\s+)?(?:page\s+)?(?P<v>.+)", body, re.I)
    if on:
        value = q.restore(on.group("v")).strip()
        if value.startswith("/") or "://" in value:
            return ParsedStep(action="assert_url", source=source, value=value, op="equals")
        raise StepParseError(f'"{source}": give the page as a path, e.g. "Expect to be on /dashboard"')
    m = re.fullmatch(
        r"(?:the\s+)?(?P<what>(?:current\s+|page\s+)?url|address|(?:page\s+)?title)\s+"
        r"(?P<op>"
        + _CONTAINS
        + "|"
        + _SHOULD
        + r"|should\s+start\s+with|starts\s+with|should\s+end\s+with|ends\s+with)"
        r"\s+(?P<v>.+)",
        body,
        re.I,
    )
    if not m:
        return None
    what = "assert_title" if "title" in m.group("what").lower() else "assert_url"
    op_raw = m.group("op").lower()
    if "start" in op_raw:
        op = "starts_with"
    elif "end" in op_raw:
        op = "ends_with"
    elif re.fullmatch(_CONTAINS, op_raw, re.I):
        op = "contains"
    else:
        op = "equals"
    value = _value(m.group("v"), q)
    return ParsedStep(action=what, source=source, value=value, op=op)


_COUNT_NOUN = r"(?P<noun>[A-Za-z][A-Za-z-]*)"


def _count_value(raw: str, source: str) -> int:
    low = raw.lower()
    if low in _NUMBER_WORDS:
        return _NUMBER_WORDS[low]
    if low.isdigit():
        return int(low)
    raise StepParseError(f'"{source}": "{raw}" is not a number')


def _assert_count(body: str, q: _Quoted, source: str) -> ParsedStep | None:
    num = r"(?P<n>\d+|" + "|".join(_NUMBER_WORDS) + r")"
    tail = (
        r"(?:\s+(?:in|inside|within|on|of)\s+(?:the\s+)?(?P<c>.+?))?"
        r"(?:\s+(?:are\s+|is\s+|to\s+be\s+)?(?:shown|visible|displayed|listed))?"
    )
    m = re.fullmatch(
        r"(?:there\s+(?:should\s+be|are|is|to\s+be)\s+|to\s+(?:see|have)\s+|sees?\s+)?"
        + num
        + r"\s+"
        + _COUNT_NOUN
        + tail,
        body,
        re.I,
    )
    if not m:
        m2 = re.fullmatch(
            r"(?:the\s+)?(?P<c>.+?)\s+(?:should\s+have|to\s+have|has|have|contains|should\s+contain|to\s+contain|shows)"
            r"\s+(?:exactly\s+)?" + num + r"\s+" + _COUNT_NOUN,
            body,
            re.I,
        )
        if not m2:
            return None
        m = m2
    noun = m.group("noun").lower()
    container = m.group("c")
    return ParsedStep(
        action="assert_count",
        source=source,
        count=_count_value(m.group("n"), source),
        noun=noun,
        target=_target(container, q) if container else None,
    )


def _assert_value(body: str, q: _Quoted, source: str) -> ParsedStep | None:
    empty = re.fullmatch(
        r"(?P<t>.+?)(?:'s)?\s+(?:value\s+)?(?:should\s+be|to\s+be|is|be|must\s+be)\s+(?:empty|blank)", body, re.I
    )
    if empty:
        return ParsedStep(action="assert_empty", source=source, target=_target(empty.group("t"), q))
    m = (
        re.fullmatch(
            r"(?P<t>.+?)\s+(?:should\s+have|to\s+have|has|have|must\s+have)\s+(?:the\s+)?value\s+(?:of\s+)?(?P<v>.+)",
            body,
            re.I,
        )
        or re.fullmatch(r"(?P<t>.+?)(?:'s)?\s+value\s+" + _SHOULD + r"\s+(?P<v>.+)", body, re.I)
        or re.fullmatch(r"(?:the\s+)?value\s+of\s+(?P<t>.+?)\s+" + _SHOULD + r"\s+(?P<v>.+)", body, re.I)
    )
    if m:
        return ParsedStep(
            action="assert_value", source=source, target=_target(m.group("t"), q), value=_value(m.group("v"), q)
        )
    return None


def _assert_state(body: str, q: _Quoted, source: str) -> ParsedStep | None:
    states = "|".join(sorted((re.escape(k) for k in _STATES), key=len, reverse=True))
    m = re.fullmatch(
        r"(?P<t>.+?)\s+(?P<verb>is\s+not|isn't|are\s+not|aren't|should\s+not\s+be|shouldn't\s+be|not\s+to\s+be|"
        r"to\s+not\s+be|must\s+not\s+be|is|are|should\s+be|to\s+be|must\s+be|be)\s+(?P<s>" + states + ")",
        body,
        re.I,
    )
    if not m:
        return None
    action = _STATES[m.group("s").lower()]
    if re.search(r"not|n't", m.group("verb"), re.I):
        action = _NEGATED[action]
    return ParsedStep(action=action, source=source, target=_target(m.group("t"), q))


def _assert_elem_text(body: str, q: _Quoted, source: str) -> ParsedStep | None:
    m = re.fullmatch(
        r"(?P<t>.+?)\s+(?:should\s+contain|to\s+contain|contains|should\s+show|to\s+show|shows|should\s+read|"
        r"reads|has\s+text|to\s+have\s+text|should\s+have\s+text)\s+(?:the\s+)?(?:text\s+)?(?P<v>.+)",
        body,
        re.I,
    )
    if not m:
        return None
    return ParsedStep(
        action="assert_element_text", source=source, target=_target(m.group("t"), q), value=_value(m.group("v"), q)
    )


# --- structured steps ----------------------------------------------------------------------------

_STRUCTURED_ALIASES = {
    "navigate": "navigate",
    "open": "navigate",
    "goto": "navigate",
    "go_to": "navigate",
    "visit": "navigate",
    "url": "navigate",
    "reload": "reload",
    "refresh": "reload",
    "go_back": "go_back",
    "back": "go_back",
    "fill": "fill",
    "type": "fill",
    "enter": "fill",
    "input": "fill",
    "set": "fill",
    "clear": "clear",
    "click": "click",
    "tap": "click",
    "dblclick": "dblclick",
    "double_click": "dblclick",
    "doubleclick": "dblclick",
    "right_click": "right_click",
    "hover": "hover",
    "select": "select",
    "choose": "select",
    "check": "check",
    "uncheck": "uncheck",
    "press": "press",
    "key": "press",
    "upload": "upload",
    "attach": "upload",
    "wait": "wait",
    "sleep": "wait_seconds",
    "wait_seconds": "wait_seconds",
    "wait_for": "wait_visible",
    "wait_visible": "wait_visible",
    "wait_for_text": "wait_visible",
    "wait_hidden": "wait_hidden",
    "wait_for_hidden": "wait_hidden",
    "wait_gone": "wait_hidden",
    "wait_load": "wait_load",
    "assert_text": "assert_text",
    "expect_text": "assert_text",
    "see": "assert_text",
    "assert_see": "assert_text",
    "assert_no_text": "assert_no_text",
    "assert_not_text": "assert_no_text",
    "not_see": "assert_no_text",
    "expect_no_text": "assert_no_text",
    "assert_url": "assert_url",
    "expect_url": "assert_url",
    "assert_url_contains": "assert_url",
    "assert_url_equals": "assert_url",
    "assert_title": "assert_title",
    "expect_title": "assert_title",
    "assert_title_contains": "assert_title",
    "assert_value": "assert_value",
    "expect_value": "assert_value",
    "assert_empty": "assert_empty",
    "assert_visible": "assert_visible",
    "assert_hidden": "assert_hidden",
    "assert_enabled": "assert_enabled",
    "assert_disabled": "assert_disabled",
    "assert_checked": "assert_checked",
    "assert_unchecked": "assert_unchecked",
    "assert_count": "assert_count",
    "expect_count": "assert_count",
    "assert_contains": "assert_element_text",
    "assert_element_text": "assert_element_text",
}
# Everything that acts on, waits for or checks one element names it.
_NEEDS_TARGET = ELEMENT_ACTIONS | WAITS | ELEMENT_ASSERTIONS
_NEEDS_VALUE = {
    "fill",
    "select",
    "upload",
    "press",
    "assert_text",
    "assert_no_text",
    "assert_url",
    "assert_title",
    "assert_value",
    "assert_element_text",
    "assert_count",
    "navigate",
}


def _parse_structured(spec: StepSpec) -> ParsedStep:
    raw_action = (spec.action or "").strip()
    key = re.sub(r"[\s-]+", "_", raw_action.lower())
    source = spec.describe()
    if key in {"expect", "assert", "verify"}:
        # {"action": "expect", "target": "Email", "value": "to be empty"}: read it as the sentence it is.
        return parse_text(" ".join(p for p in ("Expect", spec.target, spec.value) if p))
    action = _STRUCTURED_ALIASES.get(key)
    if action is None:
        known = ", ".join(sorted(set(_STRUCTURED_ALIASES.values()) | {"expect"}))
        raise StepParseError(f'unknown action "{raw_action}"; use one of: {known}')
    target_raw = (spec.target or "").strip()
    value = spec.value
    if action == "wait":
        if value not in (None, "") and re.fullmatch(r"\d+(?:\.\d+)?", str(value).strip()):
            action = "wait_seconds"
        elif target_raw or value:
            action = "wait_visible"
            target_raw = target_raw or str(value)
        else:
            raise StepParseError('"wait" needs a number of seconds in value or a target to wait for')
    if action == "navigate":
        value = value if value not in (None, "") else target_raw
        if not value:
            raise StepParseError('"navigate" needs the URL or path in value')
        return ParsedStep(action="navigate", source=source, value=_url_value(value))
    if action == "press" and not value and target_raw:
        value, target_raw = target_raw, ""
    if action in _NEEDS_TARGET and not target_raw:
        raise StepParseError(f'"{raw_action}" needs a target: the element to act on, e.g. "Sign in" or "#email"')
    if action in _NEEDS_VALUE and value is None and action not in {"fill"}:
        raise StepParseError(f'"{raw_action}" needs a value')
    if action == "fill" and value is None:
        raise StepParseError(f'"{raw_action}" needs a value: the text to type (may be "")')
    target = _target(target_raw, _Quoted(target_raw)) if target_raw else None
    if action == "wait_seconds":
        try:
            seconds = float(str(value))
        except ValueError as exc:
            raise StepParseError(f'"{raw_action}" needs a number of seconds, got "{value}"') from exc
        if not 0 <= seconds <= 300:
            raise StepParseError("a fixed wait must be between 0 and 300 seconds")
        return ParsedStep(action="wait_seconds", source=source, seconds=seconds)
    if action in {"wait_visible", "wait_hidden"}:
        assert target is not None
        return ParsedStep(
            action=action, source=source, target=target, value=target.text, kind="element" if target.selector else "any"
        )
    if action == "press":
        key_name = _key_name(str(value))
        if key_name is None:
            raise StepParseError(f'"{value}" is not a key Argus knows (Enter, Tab, Escape, Control+A, ...)')
        return ParsedStep(action="press", source=source, value=key_name, target=target)
    if action == "assert_count":
        try:
            count = int(str(value).strip())
        except ValueError as exc:
            raise StepParseError(f'"{raw_action}" needs the expected number in value, got "{value}"') from exc
        noun, container = "items", target
        if target_raw:
            m = re.fullmatch(r"(?P<noun>[A-Za-z-]+)(?:\s+(?:in|inside|within|of)\s+(?P<c>.+))?", target_raw)
            if m and m.group("c"):
                noun, container = m.group("noun").lower(), _target(m.group("c"), _Quoted(m.group("c")))
            elif m and m.group("noun").lower() in {"rows", "items", "row", "item", "results", "entries"}:
                noun, container = m.group("noun").lower(), None
        return ParsedStep(action="assert_count", source=source, count=count, noun=noun, target=container)
    op = None
    if action in {"assert_url", "assert_title"}:
        op = (
            "equals"
            if key.endswith("equals") or (action == "assert_title" and not key.endswith("contains"))
            else "contains"
        )
    assert action in ALL_ACTIONS
    return ParsedStep(action=action, source=source, target=target, value=value, op=op)


# --- pieces --------------------------------------------------------------------------------------


def _need(rest: str, verb: str, example: str) -> None:
    if not rest.strip():
        raise StepParseError(f'"{verb}" needs a target: say which element, e.g. "{example}"')


def _split_last(text: str, seps: tuple[str, ...]) -> tuple[str | None, str]:
    """Split on the last occurrence of the first separator present (quoted parts are placeholders)."""
    padded = f" {text} "
    for sep in seps:
        idx = padded.lower().rfind(sep)
        if idx > 0:
            left, right = padded[:idx].strip(), padded[idx + len(sep) :].strip()
            if left and right:
                return left, right
    return None, text


def _split_first(text: str, seps: tuple[str, ...]) -> tuple[str | None, str]:
    padded = f" {text} "
    for sep in seps:
        idx = padded.lower().find(sep)
        if idx > 0:
            left, right = padded[:idx].strip(), padded[idx + len(sep) :].strip()
            if left and right:
                return left, right
    return None, text


def _value(raw: str, q: _Quoted) -> str:
    whole = q.whole_quote(raw)
    return whole if whole is not None else q.restore(raw).strip()


def parse_target(raw: str) -> Target:
    """A target as a person names it: 'the "Sign in" button', 'Email', '#email', 'css=.row >> nth=2'."""
    return _target(raw, _Quoted(raw))


def _target(raw: str, q: _Quoted) -> Target:
    original = q.restore(raw, keep_quotes=True).strip()
    if not original:
        raise StepParseError("the step names no element")
    whole = q.whole_quote(raw)
    if whole is not None:
        return Target(raw=original, text=whole, exact=True)
    explicit = _explicit_selector(original)
    if explicit is not None:
        return Target(raw=original, text=original, selector=explicit)
    text = raw.strip()
    nth = None
    m = re.match(
        r"^(?P<the>the\s+)?(?P<o>first|second|third|fourth|fifth|last|\d+(?:st|nd|rd|th))\s+(?P<r>.+)$", text, re.I
    )
    # "the second Delete button" picks one; "First name" is just a name: an ordinal needs "the" or a role word.
    if m and (m.group("the") or any(m.group("r").lower().endswith(" " + w) for w, _ in _ROLE_WORDS)):
        o = m.group("o").lower()
        nth = _ORDINALS[o] if o in _ORDINALS else int(re.sub(r"\D", "", o)) - 1
        text = m.group("r")
    text = re.sub(r"^(?:the|a|an|on)\s+", "", text, flags=re.I).strip()
    role = None
    low = text.lower()
    for word, role_name in _ROLE_WORDS:
        if low.endswith(" " + word) and len(low) > len(word) + 1:
            role, text = role_name, text[: -len(word)].strip()
            break
        if low.startswith(word + " ") and q.whole_quote(text[len(word) :]) is not None:
            role, text = role_name, text[len(word) :].strip()
            break
    name_quote = q.whole_quote(text)
    if name_quote is not None:
        return Target(raw=original, text=name_quote, role=role, nth=nth, exact=True)
    return Target(raw=original, text=q.restore(text).strip(), role=role, nth=nth)


def _explicit_selector(text: str) -> str | None:
    low = text.lower()
    if low.startswith(("css=", "xpath=", "text=", "id=", "role=", "internal:")):
        return text
    if low.startswith(("data-testid=", "testid=")):
        return f'[data-testid="{text.split("=", 1)[1].strip(chr(34) + chr(39))}"]'
    if text.startswith(("//", "(//", "./")):
        return f"xpath={text}"
    if re.fullmatch(r"#[A-Za-z_][\w-]*(?:[\s>+~.#\[:].*)?", text):
        return f"css={text}"
    if text.startswith("[") and text.endswith("]"):
        return f"css={text}"
    return None
