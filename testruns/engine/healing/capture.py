"""Capture element fingerprints from a live page.

One JavaScript function serves both entry points: it walks the DOM once (cheap bookkeeping only:
XPath, parent chain, document-order text leaves) and then describes either every element or one.
Everything crosses the Playwright boundary as a single JSON string, because one `evaluate` per
element is roughly forty times slower on a page of 2,000 elements.

Before describing anything the script waits for the page to settle (no DOM mutations for
`quiet_ms`, bounded by `timeout_ms`): healing against a half-rendered page picks the wrong element.
"""

from __future__ import annotations

import json
from typing import Any

from .roles import ROLE_FAMILY

# The XPath step of an open shadow root: an element inside a web component has the host's XPath, this
# step, then its path inside the shadow tree. No XPath engine can follow it.
SHADOW_STEP = "#shadow-root"

# The fingerprint schema (all keys always present):
#   index, tag, id, name, classes, text, own_text, role, accessible_name, label, detached_label (for a form
#   field without a label of its own, the text of a <label> beside it that labels nothing: see the script),
#   placeholder, href, alt, title, type, test_ids {attr: value}, xpath (with a SHADOW_STEP inside a web component), path
#   [{tag, id, classes, index}] (nearest ancestor last, at most 6), neighbor_texts, record_texts (the first
#   texts of the list item it is in, a row among rows or a card among cards: see the script), rect {x, y, w, h},
#   visible, enabled, depth, context (the heading of the nearest enclosing container that has one, ''
#   when none within four levels).
# fingerprint_element adds `unique` {id, name, test_id, href, context_label: bool}: whether each identifier the
# element has was unique on its page, and `context_twins` (when it has a context): how many elements of its tag
# and accessible name sat under that same heading, itself included (candidates carry neither), and
# `look_alikes`: the page's other elements of a compatible role (roles.roles_compatible) whose text or accessible
# name reads the same once numbers are set aside, nearest first, at most 40, each slimmed to what the healer
# compares (see _look_alike), with `look_alikes_total` saying how many there were and `look_alikes_by` =
# 'compatible' (older fingerprints say 'kind' or nothing: see the healer's _counted_roles).
_FINGERPRINT_JS = r"""
async (args) => {
  const quietMs = args.quietMs || 0, timeoutMs = args.timeoutMs || 0;
  if (quietMs > 0) {
    await new Promise((resolve) => {
      let last = performance.now();
      const started = last;
      const obs = new MutationObserver(() => { last = performance.now(); });
      obs.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
      const tick = () => {
        const now = performance.now();
        if ((now - last >= quietMs && document.readyState === 'complete') || now - started >= timeoutMs) {
          obs.disconnect(); resolve();
        } else { setTimeout(tick, Math.min(quietMs, 50)); }
      };
      setTimeout(tick, Math.min(quietMs, 50));
    });
  }
  const SKIP = new Set(['script', 'style', 'noscript', 'template', 'meta', 'link', 'head', 'title', 'base']);
  const TEST_ATTRS = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy'];
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const cap = (s, n) => (s.length > n ? s.slice(0, n) : s);
  const RAW_CAP = 400;
  const SHADOW_STEP = __SHADOW_STEP__;
  const els = [], xps = [], parents = [], leafStart = [], leafEnd = [], depths = [], sibIndex = [], elEnd = [];
  const HEADING = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'legend', 'caption']);
  const headings = [];
  const rawText = [], ownTexts = [];
  const leaves = [];
  const ownText = (el) => {
    let s = '';
    for (const n of el.childNodes) if (n.nodeType === 3) s += n.nodeValue;
    return norm(s);
  };
  // One pass: XPath, parent chain, document-order text leaves, and each element's text built bottom-up
  // and capped (textContent on every container would copy the whole page's text once per ancestor).
  // An open shadow root is what its host renders (web components): its elements are walked first, as
  // the host's children, under a `#shadow-root` step that no XPath engine follows (locators.py knows).
  // Closed shadow roots cannot be reached from the page.
  const walk = (el, parentIdx, xp, depth) => {
    const shadowText = el.shadowRoot ? walkChildren(el.shadowRoot, parentIdx, `${xp}/${SHADOW_STEP}`, depth) : '';
    return cap(shadowText + walkChildren(el, parentIdx, xp, depth), RAW_CAP);
  };
  const walkChildren = (el, parentIdx, xp, depth) => {
    const counts = Object.create(null);
    let text = '';
    for (const c of el.childNodes) {
      if (c.nodeType === 3) {
        if (text.length < RAW_CAP) text += c.nodeValue;
        continue;
      }
      if (c.nodeType !== 1) continue;
      const t = c.localName;
      if (SKIP.has(t)) continue;
      counts[t] = (counts[t] || 0) + 1;
      const isHtml = c.namespaceURI === 'http://www.w3.org/1999/xhtml';
      const seg = isHtml ? `${t}[${counts[t]}]` : `*[local-name()='${t}'][${counts[t]}]`;
      const i = els.length;
      els.push(c); xps.push(`${xp}/${seg}`); parents.push(parentIdx); depths.push(depth);
      sibIndex.push(counts[t]); rawText.push(''); elEnd.push(i + 1);
      if (HEADING.has(t)) headings.push(i);
      leafStart.push(leaves.length);
      let childText;
      if (isHtml) {
        const own = ownText(c);
        ownTexts.push(own);
        if (own) leaves.push(cap(own, 80));
        childText = walk(c, i, `${xp}/${seg}`, depth + 1);
      } else {
        // SVG internals are drawing instructions, not things a test targets: the svg is one leaf.
        childText = cap(c.textContent || '', RAW_CAP);
        const own = norm(childText);
        ownTexts.push(own);
        if (own) leaves.push(cap(own, 80));
      }
      rawText[i] = childText;
      leafEnd[i] = leaves.length;
      elEnd[i] = els.length;
      if (text.length < RAW_CAP) text += childText;
    }
    return cap(text, RAW_CAP);
  };
  const body = document.body;
  if (!body) return JSON.stringify({leaves: [], items: []});
  els.push(body); xps.push('/html/body[1]'); parents.push(-1); depths.push(0); sibIndex.push(1); elEnd.push(1);
  rawText.push(''); ownTexts.push(ownText(body)); leafStart.push(0);
  rawText[0] = walk(body, 0, '/html/body[1]', 1);
  leafEnd[0] = leaves.length;
  elEnd[0] = els.length;
  // The heading of the element's nearest enclosing container that has one (a card's title, a column's
  // name, a fieldset's legend), other than the element itself or anything inside it: what tells one
  // of several identical "Get started" buttons from the others. In that container, the last heading
  // before the element, else the first after it (a button moved above its card's title keeps it).
  // At most CONTEXT_UP containers up.
  const CONTEXT_UP = 4;
  const LOOK_ALIKES = 40;
  const contextOf = (i) => {
    let lo = 0, hi = headings.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (headings[mid] < i) lo = mid + 1; else hi = mid; }
    const before = lo;  // headings[before - 1] is the last heading before the element in document order
    let after = before;
    while (after < headings.length && headings[after] < elEnd[i]) after++;  // skip the element and its inside
    for (let p = parents[i], up = 0; p >= 0 && up < CONTEXT_UP; p = parents[p], up++) {
      for (let k = before - 1; k >= 0 && headings[k] > p; k--) {
        const h = headings[k];
        if (i < elEnd[h]) continue;  // a heading that contains the element
        return cap(norm(rawText[h]), 80);
      }
      if (after < headings.length && headings[after] < elEnd[p]) return cap(norm(rawText[headings[after]]), 80);
    }
    return '';
  };
  // The list item the element belongs to: its nearest ancestor (RECORD_UP levels at most) that sits
  // beside a sibling of the same tag and classes (a row among rows, a message among messages, a card
  // among cards) and holds text besides the element's. Its texts say which row an "Archive" button is
  // in however the row's cells or the rows themselves are reordered, where the neighbouring texts
  // (half of them from the next row) do not; a card's heading (context) says it only for cards.
  // Its range of text leaves, or null.
  const RECORD_UP = 4;
  const repeated = new Map();
  const recordRange = (i) => {
    for (let p = parents[i], up = 0; p > 0 && up < RECORD_UP; p = parents[p], up++) {
      let known = repeated.get(p);
      if (known === undefined) {
        const el = els[p], cls = el.getAttribute('class') || '';
        const same = (s) => s !== null && s.localName === el.localName && (s.getAttribute('class') || '') === cls;
        known = same(el.previousElementSibling) || same(el.nextElementSibling);
        repeated.set(p, known);
      }
      if (known && leafEnd[p] - leafStart[p] > leafEnd[i] - leafStart[i]) return [leafStart[p], leafEnd[p]];
    }
    return null;
  };
  const roleOf = (el) => {
    const explicit = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
    if (explicit) return explicit;
    const t = el.localName;
    const type = (el.getAttribute('type') || '').toLowerCase();
    switch (t) {
      case 'a': case 'area': return el.hasAttribute('href') ? 'link' : 'generic';
      case 'button': case 'summary': return 'button';
      case 'input':
        if (['button', 'submit', 'reset', 'image'].includes(type)) return 'button';
        if (type === 'checkbox') return 'checkbox';
        if (type === 'radio') return 'radio';
        if (type === 'range') return 'slider';
        if (type === 'number') return 'spinbutton';
        if (type === 'search') return 'searchbox';
        if (type === 'hidden') return 'none';
        return el.hasAttribute('list') ? 'combobox' : 'textbox';
      case 'select': return (el.multiple || el.size > 1) ? 'listbox' : 'combobox';
      case 'textarea': return 'textbox';
      case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': return 'heading';
      case 'img': return el.getAttribute('alt') === '' ? 'presentation' : 'img';
      case 'nav': return 'navigation';
      case 'ul': case 'ol': case 'menu': return 'list';
      case 'li': return 'listitem';
      case 'table': return 'table';
      case 'tr': return 'row';
      case 'td': return 'cell';
      case 'th': return 'columnheader';
      case 'form': return 'form';
      case 'dialog': return 'dialog';
      case 'main': return 'main';
      case 'header': return 'banner';
      case 'footer': return 'contentinfo';
      case 'aside': return 'complementary';
      case 'option': return 'option';
      case 'p': return 'paragraph';
      case 'label': return 'label';
      default: return 'generic';
    }
  };
  // A label's words, without those of the field inside it: a <select>'s options or a <textarea>'s text
  // are its content, not its name ("Country", not "CountryGermanyFrance...").
  const textBesides = (label, field) => {
    if (!label.contains(field)) return label.textContent;
    let s = '';
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!field.contains(n)) s += n.nodeValue;
    return s;
  };
  const labelOf = (el) => {
    if (el.labels && el.labels.length) return norm(Array.from(el.labels).map((l) => textBesides(l, el)).join(' '));
    return '';
  };
  const accName = (el, role, label, text) => {
    const aria = norm(el.getAttribute('aria-label'));
    if (aria) return aria;
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      const root = el.getRootNode();  // ids resolve inside the element's own shadow tree, if any
      const s = norm(by.split(/\s+/).map((id) => {
        const r = root.getElementById(id); return r ? r.textContent : '';
      }).join(' '));
      if (s) return s;
    }
    if (label) return label;
    const t = el.localName;
    if (t === 'img' || (t === 'input' && el.type === 'image')) return norm(el.getAttribute('alt'));
    if (t === 'input' && ['button', 'submit', 'reset'].includes(el.type)) {
      return norm(el.value) || (el.type === 'submit' ? 'Submit' : el.type === 'reset' ? 'Reset' : '');
    }
    if (['button', 'link', 'heading', 'cell', 'columnheader', 'tab', 'menuitem', 'option', 'listitem',
         'checkbox', 'radio', 'switch'].includes(role)) {
      if (text) return text;
    }
    return norm(el.getAttribute('title')) || norm(el.getAttribute('placeholder'));
  };
  // A <label> that labels nothing (its `for` names an id the page no longer has) still reads, on screen, as
  // the label of the unlabelled form field right after it, or right before it for a checkbox or radio (else
  // on the other side). When two such fields sit there (one put between the label and its field), or one on
  // each side that no other label reads as, it reads as neither's.
  const FIELDS = new Set(['input', 'textarea', 'select']);
  const CONTROLS = new Set(['input', 'textarea', 'select', 'button']);
  const NOT_FIELD_TYPES = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  const DETACHED_REACH = 12;
  const checkable = (el) => ['checkbox', 'radio'].includes((el.getAttribute('type') || '').toLowerCase());
  const unlabelledField = (el) => {
    if (!FIELDS.has(el.localName) || NOT_FIELD_TYPES.has((el.getAttribute('type') || '').toLowerCase())) return false;
    // A placeholder or title names a field for the accessibility tree, but it is not a label on screen.
    return !labelOf(el) && !norm(el.getAttribute('aria-label')) && !norm(el.getAttribute('aria-labelledby'));
  };
  // The unlabelled fields from `from` on, in `step` direction, that a label there reads as (`boxes`: checkboxes
  // and radios, else the other fields), up to the next label or any other control.
  const unlabelledRun = (from, step, boxes, skip) => {
    const found = [];
    for (let m = from, n = 0; m >= 0 && m < els.length && n < DETACHED_REACH; m += step, n++) {
      if (skip(m)) continue;
      const el = els[m];
      if (el.localName === 'label') break;
      if (!CONTROLS.has(el.localName)) continue;
      if (!unlabelledField(el) || checkable(el) !== boxes) break;
      found.push(m);
    }
    return found;
  };
  const detachedLabels = new Map();
  // First where each label that labels nothing reads on its usual side, then the other side where it does not.
  const loose = [];  // [text, fields on its usual side, fields on the other side], one per such label
  const usual = new Set();  // the fields some label reads as on its usual side
  for (let j = 0; j < els.length; j++) {
    const lab = els[j];
    if (lab.localName !== 'label' || lab.control) continue;
    const text = cap(norm(rawText[j]), 200);
    if (!text) continue;
    let inner = false;
    for (let m = j + 1; m < elEnd[j]; m++) if (CONTROLS.has(els[m].localName)) { inner = true; break; }
    if (inner) continue;
    const after = (boxes) => unlabelledRun(elEnd[j], 1, boxes, () => false);
    const before = (boxes) => unlabelledRun(j - 1, -1, boxes, (m) => j < elEnd[m]);  // skipping its ancestors
    const side = [...after(false), ...before(true)];
    if (side.length === 1) usual.add(side[0]);
    loose.push([text, side, [...after(true), ...before(false)]]);
  }
  for (const [text, side, other] of loose) {
    // A redesign may have put it on the other side; an unlabelled field there that no label reads as on its
    // usual side makes it either's (a field moved above its label, a look-alike put below it).
    const found = side.length ? (other.some((m) => !usual.has(m)) ? [] : side) : other;
    if (found.length === 1) detachedLabels.set(found[0], text);
  }
  const describe = (i) => {
    const el = els[i];
    const tag = el.localName;
    // A select's text is its options: content to choose from, the same in a look-alike beside it, not
    // what it is called (its label is).
    const text = tag === 'select' ? '' : cap(norm(rawText[i]), 200);
    const role = roleOf(el);
    const label = cap(labelOf(el), 200);
    const testIds = {};
    for (const a of TEST_ATTRS) { const v = el.getAttribute(a); if (v !== null) testIds[a] = v; }
    const r = el.getBoundingClientRect();
    let visible = r.width > 0 && r.height > 0;
    if (visible && el.checkVisibility) {
      visible = el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
    }
    let enabled = true;
    try { enabled = !el.matches(':disabled'); } catch (e) { enabled = true; }
    if (el.getAttribute('aria-disabled') === 'true') enabled = false;
    return {
      index: i, tag, id: el.getAttribute('id') || '', name: el.getAttribute('name') || '',
      classes: norm(el.getAttribute('class')).split(' ').filter(Boolean),
      text, own_text: cap(ownTexts[i], 200), role, accessible_name: cap(accName(el, role, label, text), 200),
      label, detached_label: detachedLabels.get(i) || '', placeholder: el.getAttribute('placeholder') || '',
      href: el.getAttribute('href') || '',
      alt: el.getAttribute('alt') || '', title: el.getAttribute('title') || '',
      type: (el.getAttribute('type') || '').toLowerCase(), test_ids: testIds, xpath: xps[i],
      rect: {x: Math.round(r.x), y: Math.round(r.y + window.scrollY), w: Math.round(r.width), h: Math.round(r.height)},
      visible, enabled, depth: depths[i], context: contextOf(i),
      // Compact links, expanded in Python: the parent's index, the position among same-tag siblings,
      // and the element's range in the document-order list of text leaves.
      _p: parents[i], _s: sibIndex[i], _l: [leafStart[i], leafEnd[i]], _r: recordRange(i),
    };
  };
  let items;
  if (args.target) {
    const i = els.indexOf(args.target);
    if (i < 0) return 'null';
    items = [describe(i)];
    // Whether each identifier was unique on this page: a test id or id repeated on every row is no
    // proof of identity later, even if the new page happens to keep only one copy.
    const el = els[i];
    const same = (attr, value) => {
      let n = 0;
      for (const e of els) if (e.getAttribute(attr) === value && ++n > 1) break;
      return n === 1;
    };
    const unique = {};
    if (el.id) unique.id = same('id', el.id);
    if (el.getAttribute('name')) unique.name = same('name', el.getAttribute('name'));
    for (const a of TEST_ATTRS) { const v = el.getAttribute(a); if (v) unique.test_id = same(a, v); }
    if (el.getAttribute('href')) unique.href = same('href', el.getAttribute('href'));
    // How many elements of the same tag and accessible name sat under the same heading (the target
    // included): two team cards that both read "Sophie Lovelace" each have a "Remove". When fewer are
    // left on the new page, the heading no longer says which one survived.
    // Elements without an accessible name have nothing to count by (every nameless <strong> would match).
    if (items[0].context && items[0].accessible_name) {
      const name = items[0].accessible_name;
      let n = 0;
      for (let j = 0; j < els.length; j++) {
        const e = els[j];
        if (e.localName !== el.localName) continue;
        if (j !== i) {
          const role = roleOf(e), label = labelOf(e);
          if (cap(accName(e, role, cap(label, 200), cap(norm(rawText[j]), 200)), 200) !== name) continue;
          if (contextOf(j) !== items[0].context) continue;
        }
        n++;
      }
      unique.context_label = n === 1;
      items[0].context_twins = n;
    }
    items[0].unique = unique;
    // The old page's look-alikes: other elements of the same kind of role whose name or visible text reads the
    // same once numbers are set aside ("Edit" in every row, "Like (7)" and "Like (3)", "Add to cart" in
    // every product card, however each one's aria-label names its product), nearest in document order
    // first, at most LOOK_ALIKES of them. On the new page the healer recognises those still there, so it
    // does not take a twin that stayed for the element that moved or went away.
    const shape = (s) => s.toLowerCase().replace(/[0-9]+/g, '#');
    // Roles a redesign swaps for one another count as one (a "Settings" tab and a "Settings" breadcrumb
    // link are look-alikes; a heading and a list item are both static text): roles.roles_compatible,
    // over roles.ROLE_FAMILY, where a static role has no family.
    const FAMILY = __ROLE_FAMILY__;
    const familyOf = (role) => (Object.hasOwn(FAMILY, role) ? FAMILY[role] : 'static');
    const compatible = (a, b) => a === b || familyOf(a) === familyOf(b);
    const myName = shape(items[0].accessible_name), myText = shape(items[0].text);
    let alike = [];
    if (myName || myText) {
      for (let j = 0; j < els.length; j++) {
        if (j === i || (j > i && j < elEnd[i]) || (j < i && i < elEnd[j])) continue;  // itself, inside, around
        const role = roleOf(els[j]);
        if (!compatible(role, items[0].role)) continue;
        const text = cap(norm(rawText[j]), 200);
        if (myText && shape(text) === myText) { alike.push(j); continue; }
        const name = cap(accName(els[j], role, cap(labelOf(els[j]), 200), text), 200);
        if (myName && shape(name) === myName) alike.push(j);
      }
      alike.sort((a, b) => Math.abs(a - i) - Math.abs(b - i));
    }
    items[0].look_alikes_total = alike.length;
    items[0].look_alikes_by = 'compatible';  // role; see the healer's _counted_roles for older fingerprints
    alike = alike.slice(0, LOOK_ALIKES);
    // The ancestors the paths need, described too (cheap: at most six each).
    const described = new Set([i]);
    for (const k of [i, ...alike]) {
      if (k !== i) { items.push(describe(k)); described.add(k); }
      for (let p = parents[k], n = 0; p >= 0 && n < 6; p = parents[p], n++) {
        if (!described.has(p)) { items.push(describe(p)); described.add(p); }
      }
    }
    return JSON.stringify({leaves, items, alike});
  } else {
    items = new Array(els.length);
    for (let i = 0; i < els.length; i++) items[i] = describe(i);
  }
  return JSON.stringify({leaves, items});
}
"""
# Every caller runs the same source (the engine's selector engine calls it in the page with only a
# target), so the Python-side constants are written into it rather than passed as arguments.
FINGERPRINT_JS = _FINGERPRINT_JS.replace("__SHADOW_STEP__", json.dumps(SHADOW_STEP)).replace(
    "__ROLE_FAMILY__", json.dumps(ROLE_FAMILY)
)


def _expand(payload: dict) -> list[dict]:
    """Turn the compact page payload into self-contained fingerprints (path and neighbour texts)."""
    leaves: list[str] = payload["leaves"]
    items: list[dict] = payload["items"]
    by_index = {item["index"]: item for item in items}
    small: dict[int, dict] = {}
    paths: dict[int, list[dict]] = {}
    # Items arrive parents first (document order for a page; target then ancestors for one element).
    for item in sorted(items, key=lambda it: it["depth"]):
        parent = item.pop("_p")
        if parent in by_index:
            p = by_index[parent]
            node = small.get(parent)
            if node is None:
                node = small[parent] = {"tag": p["tag"], "id": p["id"], "classes": p["classes"], "index": p["_s"]}
            path = [*paths.get(parent, []), node][-6:]
        else:
            path = []
        paths[item["index"]] = path
        item["path"] = path
    for item in items:
        start, end = item.pop("_l")
        item["neighbor_texts"] = leaves[max(0, start - 3) : start] + leaves[end : end + 3]
        item["record_texts"] = _record_texts(leaves, item.pop("_r", None), start, end)
    for item in items:
        item.pop("_s", None)
    return items


RECORD_TEXTS = 8


def _record_texts(leaves: list[str], record: list[int] | None, start: int, end: int) -> list[str]:
    """The first few distinct texts of the element's list item (see the script's recordRange), its own left out."""
    if not record:
        return []
    out: list[str] = []
    for k in range(record[0], record[1]):
        if start <= k < end or leaves[k] in out:
            continue
        out.append(leaves[k])
        if len(out) == RECORD_TEXTS:
            break
    return out


def expand_fingerprint(payload: dict) -> dict:
    """The fingerprint of the element the payload was taken for, with its old page's look-alikes."""
    items = _expand(payload)
    by_index = {item["index"]: item for item in items}
    target = items[0]
    target["look_alikes"] = [_look_alike(by_index[k]) for k in payload.get("alike") or []]
    return target


# What the healer compares a look-alike by; empty values are left out (a fingerprint may hold dozens).
_LOOK_ALIKE_KEYS = (
    "tag",
    "role",
    "test_ids",
    "id",
    "name",
    "type",
    "classes",
    "text",
    "accessible_name",
    "label",
    "detached_label",
    "placeholder",
    "href",
    "alt",
    "title",
    "xpath",
    "path",
    "neighbor_texts",
    "record_texts",
    "context",
    "rect",
)


def _look_alike(item: dict) -> dict:
    out = {k: item[k] for k in _LOOK_ALIKE_KEYS if item.get(k)}
    if "path" in out:  # ancestors by tag, id and classes only, as the healer compares them
        out["path"] = [{k: node[k] for k in ("tag", "id", "classes") if node.get(k)} for node in out["path"]]
    return out


def fingerprint_element(page: Any, element_handle: Any, *, quiet_ms: int = 0, timeout_ms: int = 0) -> dict:
    """Fingerprint one element (taken after a step succeeded, so no settling by default).

    Raises ValueError when the element is not (or no longer) in the page's document.
    """
    args = {"target": element_handle, "quietMs": quiet_ms, "timeoutMs": timeout_ms}
    raw = page.evaluate(FINGERPRINT_JS, args)
    data = json.loads(raw)
    if data is None:
        raise ValueError("element is not attached to the page's document")
    return expand_fingerprint(data)


def capture_candidates(page: Any, *, quiet_ms: int = 150, timeout_ms: int = 3000) -> list[dict]:
    """Fingerprint every element of the page, after it has been quiet for `quiet_ms`.

    `quiet_ms=0` skips the wait (the benchmark does, after `set_content` has returned).
    """
    raw = page.evaluate(FINGERPRINT_JS, {"target": None, "quietMs": quiet_ms, "timeoutMs": timeout_ms})
    return _expand(json.loads(raw))
