# ruff: noqa: E501 - the file is one JavaScript program; its lines follow JavaScript, not Python, layout.
"""The in-page half of target resolution and checks, installed into every page as `window.__argus`.

Resolution reads the page the way a person does, in order: test id, label, placeholder, role and
accessible name, visible text; exact matches first, then "contains" matches. At each level a unique
visible match wins; several visible matches are reported as ambiguous (with what they are) unless the
step picked one ("the second Delete button"). Doing this in one script keeps a step to one round trip.
"""

ARGUS_JS = r"""
(() => {
  if (window.__argus) return;
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const key = (s) => norm(s).toLowerCase().replace(/[\s:*]+$/, '').trim();
  const slug = (s) => norm(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const TEST_ATTRS = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy'];
  const CONTROL = 'input:not([type=hidden]), textarea, select, [contenteditable=""], [contenteditable=true], ' +
    '[role=textbox], [role=combobox], [role=checkbox], [role=radio], [role=switch], [role=searchbox], [role=spinbutton], [role=listbox], [role=slider]';
  const CLICKABLE = 'button, a[href], [role=button], [role=link], [role=tab], [role=menuitem], [role=option], ' +
    'summary, label, input[type=submit], input[type=button], input[type=checkbox], input[type=radio], [onclick]';
  const GROUPS = {
    textbox: ['textbox', 'searchbox', 'spinbutton', 'file'], combobox: ['combobox', 'listbox'],
    checkbox: ['checkbox', 'switch', 'menuitemcheckbox'], radio: ['radio', 'menuitemradio'], button: ['button'],
    link: ['link'], tab: ['tab'], heading: ['heading'], menuitem: ['menuitem', 'menuitemcheckbox', 'menuitemradio'],
    img: ['img'], table: ['table', 'grid'], list: ['list', 'listbox'],
  };
  const BY_ACTION = {
    fill: GROUPS.textbox, clear: GROUPS.textbox, assert_value: GROUPS.textbox.concat(GROUPS.combobox),
    assert_empty: GROUPS.textbox, press: GROUPS.textbox, select: GROUPS.combobox,
    check: GROUPS.checkbox.concat(GROUPS.radio), uncheck: GROUPS.checkbox,
    assert_checked: GROUPS.checkbox.concat(GROUPS.radio), assert_unchecked: GROUPS.checkbox.concat(GROUPS.radio),
    upload: ['file'],
  };
  const INTERACTIVE = ['button', 'link', 'checkbox', 'radio', 'tab', 'menuitem', 'menuitemcheckbox', 'option',
    'switch', 'textbox', 'searchbox', 'combobox', 'listbox', 'spinbutton', 'slider', 'treeitem', 'file'];

  // Open shadow roots hold part of what a person sees (web components), so every query covers them too, as
  // Playwright's own selectors do. The list of trees is found once per call into __argus (a microtask ends it).
  let treesOfThisCall = null;
  const trees = () => {
    if (treesOfThisCall) return treesOfThisCall;
    const out = [document];
    for (let i = 0; i < out.length; i++) {
      for (const el of out[i].querySelectorAll('*')) if (el.shadowRoot) out.push(el.shadowRoot);
    }
    treesOfThisCall = out;
    queueMicrotask(() => { treesOfThisCall = null; });
    return out;
  };
  const queryAll = (selector) => {
    const ts = trees();
    if (ts.length === 1) return Array.from(document.querySelectorAll(selector));
    return ts.flatMap((t) => Array.from(t.querySelectorAll(selector)));
  };
  // The element roots to walk: the body and every open shadow root.
  const walkRoots = () => trees().map((t) => (t === document ? document.body : t)).filter(Boolean);

  const isVisible = (el) => {
    if (!el || !el.isConnected) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 0 && r.height <= 0) {
      // A <select>'s options have no box; they count as visible when their select does.
      if (el.localName === 'option') return isVisible(el.closest('select'));
      return false;
    }
    const st = getComputedStyle(el);
    return st.visibility !== 'hidden' && st.visibility !== 'collapse';
  };
  const roleOf = (el) => {
    const explicit = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
    if (explicit) return explicit;
    const t = el.localName, type = (el.getAttribute('type') || 'text').toLowerCase();
    switch (t) {
      case 'button': case 'summary': return 'button';
      case 'a': case 'area': return el.hasAttribute('href') ? 'link' : null;
      case 'input':
        if (['button', 'submit', 'reset', 'image'].includes(type)) return 'button';
        if (type === 'checkbox') return 'checkbox';
        if (type === 'radio') return 'radio';
        if (type === 'range') return 'slider';
        if (type === 'number') return 'spinbutton';
        if (type === 'search') return 'searchbox';
        if (type === 'file') return 'file';
        if (type === 'hidden') return null;
        return 'textbox';
      case 'textarea': return 'textbox';
      case 'select': return (el.multiple || el.size > 1) ? 'listbox' : 'combobox';
      case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': return 'heading';
      case 'table': return 'table';
      case 'ul': case 'ol': return 'list';
      case 'li': return 'listitem';
      case 'tr': return 'row';
      case 'img': return el.getAttribute('alt') === '' ? null : 'img';
      case 'option': return 'option';
      case 'dialog': return 'dialog';
    }
    if (el.isContentEditable && el.hasAttribute('contenteditable')) return 'textbox';
    return null;
  };
  const textOf = (el) => norm(el.innerText !== undefined ? el.innerText : el.textContent);
  const labelledBy = (el) => {
    const ids = el.getAttribute('aria-labelledby');
    if (!ids) return '';
    const scope = el.getRootNode();
    const byId = (id) => (scope.getElementById ? scope.getElementById(id) : document.getElementById(id));
    return norm(ids.split(/\s+/).map(byId).filter(Boolean)
      .map((e) => e.innerText || e.textContent).join(' '));
  };
  const labelText = (el) => {
    const by = labelledBy(el);
    if (by) return [by];
    const out = [];
    const aria = norm(el.getAttribute('aria-label'));
    if (aria) out.push(aria);
    if (el.labels) for (const l of el.labels) out.push(textOf(l));
    return out;
  };
  const NAME_FROM_CONTENT = new Set(['button', 'link', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio',
    'option', 'heading', 'checkbox', 'radio', 'switch', 'treeitem', 'cell', 'row', 'listitem', 'columnheader']);
  const accName = (el, role) => {
    const labels = labelText(el);
    if (labels.length) return labels[0];
    const t = el.localName, type = (el.getAttribute('type') || '').toLowerCase();
    if (t === 'input' && ['button', 'submit', 'reset'].includes(type)) {
      return norm(el.value) || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : '');
    }
    if (t === 'input' && type === 'image') return norm(el.alt || el.value);
    if (t === 'img') return norm(el.alt);
    if (role && NAME_FROM_CONTENT.has(role)) {
      const txt = textOf(el);
      if (txt) return txt;
      const img = el.querySelector('img[alt]');
      if (img) return norm(img.alt);
    }
    if (t === 'table') { const c = el.querySelector('caption'); if (c) return textOf(c); }
    return norm(el.getAttribute('title') || el.getAttribute('placeholder') || '');
  };
  const describe = (el) => {
    const role = roleOf(el);
    const d = {tag: el.localName, role: role, name: accName(el, role).slice(0, 80)};
    if (el.id) d.id = el.id;
    for (const a of TEST_ATTRS) if (el.hasAttribute(a)) { d.testid = el.getAttribute(a); break; }
    if (!d.name) d.text = textOf(el).slice(0, 80);
    return d;
  };

  const matcher = (wanted, exact, mode) => {
    const k = key(wanted);
    if (mode === 'exact') return exact ? (s) => norm(s) === norm(wanted) : (s) => key(s) === k;
    return (s) => !!k && key(s).includes(k);
  };
  const uniq = (arr) => Array.from(new Set(arr));

  const byTestId = (spec) => {
    const t = norm(spec.text), s = slug(spec.text), out = [];
    for (const a of TEST_ATTRS) {
      for (const el of queryAll('[' + a + ']')) {
        const v = el.getAttribute(a);
        if (v === t || (!spec.exact && (v.toLowerCase() === t.toLowerCase() || slug(v) === s))) out.push(el);
      }
    }
    return out;
  };
  const roleAllowed = (spec, role) => {
    if (spec.role) return (GROUPS[spec.role] || [spec.role]).includes(role);
    const pref = BY_ACTION[spec.action];
    return pref ? pref.includes(role) : true;
  };
  const byLabel = (spec, match) => queryAll(CONTROL)
    .filter((el) => roleAllowed(spec, roleOf(el)) && labelText(el).some(match));
  const byPlaceholder = (spec, match) => queryAll('[placeholder]')
    .filter((el) => roleAllowed(spec, roleOf(el)) && match(el.getAttribute('placeholder')));
  const byRole = (spec, match) => {
    const out = [];
    for (const el of queryAll('*')) {
      const role = roleOf(el);
      if (!role) continue;
      if (spec.role || BY_ACTION[spec.action]) { if (!roleAllowed(spec, role)) continue; }
      else if (!INTERACTIVE.includes(role) && role !== 'heading' && role !== 'img') continue;
      if (match(accName(el, role))) out.push(el);
    }
    return out;
  };
  const byText = (spec, match, mode) => {
    // The innermost elements whose text matches: a person points at the words, not at their container.
    const out = [];
    const k = key(spec.text);
    if (!k) return out;
    for (const root of walkRoots()) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
      for (let el = walker.currentNode; el; el = walker.nextNode()) {
        if (el === root && root.nodeType !== Node.ELEMENT_NODE) continue;  // a shadow root is not an element
        if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD'].includes(el.tagName)) continue;
        const tc = el.textContent;
        if (!tc || !tc.toLowerCase().includes(k.split(' ')[0])) continue;
        const own = mode === 'exact' ? match(textOf(el)) : match(tc);
        if (!own) continue;
        let childMatches = false;
        for (const c of el.children) { if (mode === 'exact' ? match(textOf(c)) : match(c.textContent)) { childMatches = true; break; } }
        if (!childMatches) out.push(el);
      }
    }
    if (spec.role) return out.filter((el) => {
      let n = el;
      for (let i = 0; n && i < 4; i++, n = n.parentElement) if (roleAllowed(spec, roleOf(n))) return true;
      return false;
    });
    return out;
  };

  // Point an action at the element it really needs: a label's control, the clickable wrapper of words.
  const adapt = (el, spec) => {
    const a = spec.action;
    const needsControl = ['fill', 'clear', 'select', 'check', 'uncheck', 'upload', 'assert_value', 'assert_empty',
      'assert_checked', 'assert_unchecked'].includes(a);
    if (needsControl) {
      if (el.localName === 'label' && el.control) return el.control;
      if (!el.matches(CONTROL)) {
        const inner = el.querySelectorAll(CONTROL);
        if (inner.length === 1) return inner[0];
        const lab = el.closest('label');
        if (lab && lab.control) return lab.control;
      }
      return el;
    }
    if (['click', 'dblclick', 'right_click', 'hover', 'assert_enabled', 'assert_disabled'].includes(a)) {
      if (el.matches(CLICKABLE)) return el;
      const up = el.closest(CLICKABLE);
      if (up && key(textOf(up)) === key(textOf(el))) return up;
    }
    return el;
  };

  const LEVELS = [
    ['test id', (spec) => byTestId(spec)],
    ['label', (spec, m) => byLabel(spec, m)],
    ['placeholder', (spec, m) => byPlaceholder(spec, m)],
    ['role and name', (spec, m) => byRole(spec, m)],
    ['text', (spec, m, mode) => byText(spec, m, mode)],
  ];

  const resolve = (spec) => {
    const tried = [];
    let hiddenOnly = 0;
    for (const mode of (spec.exact ? ['exact'] : ['exact', 'contains'])) {
      const match = matcher(spec.text, spec.exact, mode);
      for (const [name, fn] of LEVELS) {
        if (name === 'test id' && mode === 'contains') continue;
        const found = uniq(fn(spec, match, mode).map((el) => adapt(el, spec)));
        if (!found.length) continue;
        const vis = found.filter(isVisible);
        tried.push(name + (mode === 'contains' ? ' (contains)' : '') + ': ' + found.length);
        if (!vis.length) { hiddenOnly += found.length; continue; }
        if (spec.nth !== null && spec.nth !== undefined) {
          const i = spec.nth < 0 ? vis.length + spec.nth : spec.nth;
          if (i >= 0 && i < vis.length) return {el: vis[i], via: name, count: vis.length};
          return {status: 'none', reason: `only ${vis.length} visible match(es) by ${name}`, tried: tried};
        }
        if (vis.length === 1) return {el: vis[0], via: name, count: 1};
        // "Click Sign in" with a "Sign in" heading and a "Sign in" button: a person clicks the button.
        const active = vis.filter((el) => INTERACTIVE.includes(roleOf(el)));
        if (active.length === 1) return {el: active[0], via: name, count: vis.length};
        const ambiguous = {status: 'ambiguous', via: name, count: vis.length, candidates: vis.slice(0, 5).map(describe)};
        // The elements themselves, for the selector engine (not enumerable: never serialised back to Python).
        Object.defineProperty(ambiguous, 'els', {value: vis, enumerable: false});
        return ambiguous;
      }
    }
    return {status: 'none', hidden: hiddenOnly, tried: tried};
  };
  const resolveSelector = (els) => {
    const vis = els.filter(isVisible);
    return {visible: vis.length, total: els.length};
  };

  const SILENT = ['STYLE', 'SCRIPT', 'TEMPLATE', 'LINK', 'NOSCRIPT'];
  const pageText = () => {
    const parts = [document.body ? document.body.innerText : ''];
    for (const t of trees()) {
      if (t === document) continue;
      for (const c of t.children) if (!SILENT.includes(c.tagName)) parts.push(c.innerText);
    }
    return norm(parts.join(' ')).toLowerCase();
  };
  const hasText = (t) => pageText().includes(norm(t).toLowerCase());

  const containerFor = (spec) => {
    const want = key(spec.text);
    const kinds = spec.role === 'table' ? 'table, [role=table], [role=grid]'
      : spec.role === 'list' ? 'ul, ol, [role=list], [role=listbox]'
      : 'table, [role=table], [role=grid], ul, ol, [role=list], [role=listbox], section, [data-testid], [id]';
    const names = (el) => {
      const out = labelText(el);
      const cap = el.querySelector(':scope > caption');
      if (cap) out.push(textOf(cap));
      if (el.id) out.push(el.id, el.id.replace(/[-_]+/g, ' '));
      for (const a of TEST_ATTRS) if (el.hasAttribute(a)) out.push(el.getAttribute(a).replace(/[-_]+/g, ' '));
      // A heading just before the table or list names it the way the page shows it.
      let prev = el.previousElementSibling;
      if (!prev && el.parentElement) prev = el.parentElement.previousElementSibling;
      if (prev && /^h[1-6]$/.test(prev.localName)) out.push(textOf(prev));
      return out.map(key);
    };
    const all = queryAll(kinds).filter(isVisible);
    let found = all.filter((el) => names(el).some((n) => n === want));
    if (!found.length) found = all.filter((el) => names(el).some((n) => n.includes(want)));
    // Prefer the innermost: a section named "Orders" holding the "Orders" table.
    found = found.filter((el) => !found.some((o) => o !== el && el.contains(o)));
    return found;
  };
  const itemsIn = (root, noun) => {
    const n = noun.toLowerCase();
    const tableLike = root && root.matches && root.matches('table, [role=table], [role=grid]');
    // Within the named container, or anywhere on the page (shadow roots included).
    const find = (sel) => (root ? Array.from(root.querySelectorAll(sel)) : queryAll(sel));
    const rows = () => find('tr, [role=row]').filter((tr) =>
      !tr.closest('thead') && !tr.querySelector('th:not([scope=row]), [role=columnheader]'));
    let els;
    if (/^rows?$/.test(n) || (tableLike && /^(items?|results?|entries|entry|records?|lines?)$/.test(n))) {
      els = rows();
      if (!els.length && /^rows?$/.test(n)) els = find('li, [role=listitem]');
    } else if (/^(items?|results?|entries|entry|records?|lines?)$/.test(n)) {
      els = find('li, [role=listitem], [role=option]');
      if (!els.length) els = rows();
    } else if (/^options?$/.test(n)) {
      els = find('option, [role=option]');
    } else {
      const sing = n.replace(/ies$/, 'y').replace(/(ss|x|ch|sh)es$/, '$1').replace(/s$/, '');
      const re = new RegExp('(^|[-_\\s])(' + sing + '|' + n + ')($|[-_\\s])', 'i');
      els = find('*').filter((el) => {
        for (const a of TEST_ATTRS) if (el.hasAttribute(a) && re.test(el.getAttribute(a))) return true;
        return Array.from(el.classList).some((c) => re.test(c));
      });
      els = els.filter((el) => !els.some((o) => o !== el && o.contains(el)));
    }
    return els.filter(isVisible);
  };
  const count = (noun, container) => {
    if (!container) return {count: itemsIn(null, noun).length};
    const found = containerFor(container);
    if (!found.length) return {error: `no table or list named "${container.text}" on the page`};
    if (found.length > 1) return {error: `${found.length} tables or lists match "${container.text}"`, candidates: found.slice(0, 5).map(describe)};
    return {count: itemsIn(found[0], noun).length};
  };

  const check = (el, cond, arg) => {
    switch (cond) {
      case 'exists': case 'assert_visible': return true;
      case 'assert_value': {
        if (el.localName === 'select') {
          return Array.from(el.selectedOptions).some((o) => norm(o.text) === norm(arg) || o.value === arg);
        }
        const v = el.value !== undefined ? el.value : textOf(el);
        return v === arg || norm(v) === norm(arg);
      }
      case 'assert_empty': return (el.value !== undefined ? el.value : textOf(el)) === '';
      case 'assert_enabled': return !el.matches(':disabled') && el.getAttribute('aria-disabled') !== 'true';
      case 'assert_disabled': return el.matches(':disabled') || el.getAttribute('aria-disabled') === 'true';
      case 'assert_checked': return el.checked === true || el.getAttribute('aria-checked') === 'true';
      case 'assert_unchecked': return !(el.checked === true || el.getAttribute('aria-checked') === 'true');
      case 'assert_element_text': {
        const t = el.value !== undefined && el.localName !== 'button' && el.localName !== 'select'
          ? el.value : textOf(el);
        return norm(t).toLowerCase().includes(norm(arg).toLowerCase());
      }
    }
    return false;
  };
  // What the element is now, for a failed assertion's message.
  const state = (el) => ({
    value: el.value !== undefined ? el.value : null, text: textOf(el).slice(0, 200),
    disabled: el.matches(':disabled') || el.getAttribute('aria-disabled') === 'true',
    checked: el.checked === true || el.getAttribute('aria-checked') === 'true', visible: isVisible(el),
  });
  // One poll of "resolve the target and test it": the element when the condition holds, the
  // ambiguity report when the target is ambiguous, null to keep waiting.
  const poll = (spec, cond, arg) => {
    const r = resolve(spec);
    if (!r.el) return r.status === 'ambiguous' ? r : null;
    return check(r.el, cond, arg) ? r.el : null;
  };
  const urlMatches = (op, value) => {
    const href = location.href;
    let subject = href;
    if (value.startsWith('/')) {
      subject = location.pathname + (value.includes('?') ? location.search : '') + (value.includes('#') ? location.hash : '');
    }
    const trim = (u) => u.length > 1 ? u.replace(/\/+$/, '') : u;
    if (op === 'equals') return trim(subject) === trim(value);
    if (op === 'starts_with') return subject.startsWith(value);
    if (op === 'ends_with') return trim(subject).endsWith(trim(value));
    return href.includes(value);
  };
  const titleMatches = (op, value) => {
    const t = norm(document.title), v = norm(value);
    if (op === 'equals') return t === v;
    if (op === 'starts_with') return t.toLowerCase().startsWith(v.toLowerCase());
    if (op === 'ends_with') return t.toLowerCase().endsWith(v.toLowerCase());
    return t.toLowerCase().includes(v.toLowerCase());
  };

  // The element a step resolved gets a one-off attribute, so Playwright acts on exactly it through a
  // locator (auto-waiting, re-querying) in the same round trip as the action. Removed after the step.
  const TAG = 'data-argus-target';
  let tagSeq = 0;
  const untag = () => { for (const e of queryAll('[' + TAG + ']')) e.removeAttribute(TAG); };
  const tag = (el) => {
    untag();
    const token = (++tagSeq) + '-' + Math.random().toString(36).slice(2, 8);
    el.setAttribute(TAG, token);
    return token;
  };
  // Resolve (and, for assertions, check) in one go: a token when it holds, the ambiguity report, or null.
  const takeSync = (spec, cond, arg) => {
    const r = resolve(spec);
    if (!r.el) return r.status === 'ambiguous' ? r : null;
    if (cond && !check(r.el, cond, arg)) return null;
    return {token: tag(r.el), via: r.via};
  };
  // The same, plus the element's fingerprint for the healer, taken before the step acts on it.
  const take = async (spec, cond, arg, wantFp) => {
    const r = resolve(spec);
    if (!r.el) return r.status === 'ambiguous' ? r : null;
    if (cond && !check(r.el, cond, arg)) return null;
    // The page as the previous step left it (this step has not acted yet): its checkpoint's state.
    const snap = snapshot(true);
    let fp = null;
    if (wantFp && window.__argusFingerprint) {
      try { fp = await window.__argusFingerprint({target: r.el}); } catch (e) { fp = null; }
    }
    return {token: tag(r.el), via: r.via, fp: fp, snap: snap};
  };
  const fingerprintTagged = async (token) => {
    const el = queryAll('[' + TAG + '="' + token + '"]')[0];
    if (!el || !window.__argusFingerprint) return null;
    try { return await window.__argusFingerprint({target: el}); } catch (e) { return null; }
  };

  // The form fields that differ from how the page served them (typed into, ticked, chosen), each with the
  // XPath a replay finds it by: a checkpoint keeps them, so a run resumed from it continues with the form
  // as the step left it. A radio is kept when it is the one now checked (checking it unchecks the rest).
  const FIELDS_MAX = 200, VALUE_MAX = 20000;
  const NOT_TYPED = new Set(['hidden', 'file', 'submit', 'button', 'reset', 'image']);
  const pathOf = (el) => {
    let path = '';
    for (let e = el; e; e = e.parentElement) {
      let i = 1;
      for (let s = e.previousElementSibling; s; s = s.previousElementSibling) if (s.localName === e.localName) i++;
      path = `/${e.localName}[${i}]` + path;
    }
    return path;
  };
  const changedFields = () => {
    const out = [];
    for (const e of document.querySelectorAll('input, textarea, select')) {
      if (out.length >= FIELDS_MAX) break;
      const type = (e.type || '').toLowerCase();
      if (e.localName === 'select') {
        const opts = Array.from(e.options), defaults = opts.map((o) => o.defaultSelected);
        if (!e.multiple && e.size <= 1 && opts.length && !defaults.some(Boolean)) defaults[0] = true;
        if (opts.every((o, k) => o.selected === defaults[k])) continue;
        out.push({path: pathOf(e), values: opts.filter((o) => o.selected).map((o) => o.value)});
      } else if (type === 'checkbox' || type === 'radio') {
        if (e.checked === e.defaultChecked || (type === 'radio' && !e.checked)) continue;
        out.push({path: pathOf(e), checked: e.checked});
      } else if (!NOT_TYPED.has(type) && e.value !== e.defaultValue) {
        out.push({path: pathOf(e), value: e.value.slice(0, VALUE_MAX)});
      }
    }
    return out;
  };
  const snapshot = (keepTag) => {
    if (!keepTag) untag();
    const ls = [];
    try { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); ls.push({name: k, value: localStorage.getItem(k)}); } } catch (e) { /* opaque origin */ }
    return {ready: document.readyState, url: location.href, origin: location.origin, localStorage: ls,
      cookie: document.cookie, fields: changedFields()};
  };

  Object.defineProperty(window, '__argus', {value: {resolve, resolveSelector, isVisible, describe, hasText, pageText, count, snapshot, roleOf, accName,
    check, state, poll, urlMatches, titleMatches, take, takeSync, fingerprintTagged, untag}, enumerable: false});
})();
"""


def _fingerprint_js() -> str | None:
    try:
        from .healing.capture import FINGERPRINT_JS
    except ImportError:  # the healer is optional: steps then fingerprint in a round trip of their own
        return None
    return FINGERPRINT_JS


def init_script() -> str:
    """ARGUS_JS plus the healer's fingerprint function, so a step's fingerprint rides on its resolution."""
    fingerprint = _fingerprint_js()
    if fingerprint is None:
        return ARGUS_JS
    return ARGUS_JS + "\nObject.defineProperty(window, '__argusFingerprint', {value: " + fingerprint + "});\n"


# The selector engine that lets an action find its target in the action's own round trip:
# `page.locator("argus=<quoted JSON spec>").fill(...)` resolves the way `window.__argus.resolve` does,
# with Playwright's auto-waiting, strictness and re-querying around it. It runs as a content script (the
# app's own scripts cannot reach or break it), with its own copy of the resolver. The first time a step's
# target resolves, the engine reports, on the console, the page's state before the step acts (the previous
# step's checkpoint) and the element's fingerprint; the report is a one-way message that reaches the driver
# before the action's own answer, so neither costs a round trip. `key` in the spec is the driver's secret,
# so the page's own console output can never pass for a report.
ENGINE_NAME = "argus"
REPORT_PREFIX = "__argus_report:"
_ENGINE_JS = r"""
(() => {
  __ARGUS_JS__
  const fingerprint = __FINGERPRINT_JS__;
  const argus = window.__argus;
  let reported = null;
  const report = (spec, el) => {
    if (!spec.nonce || reported === spec.nonce) return;
    reported = spec.nonce;
    const snap = argus.snapshot(true);
    const send = (fp) => console.debug('__REPORT_PREFIX__' + spec.key + ' ' + JSON.stringify({nonce: spec.nonce, snap: snap, fp: fp}));
    if (spec.fp && fingerprint) Promise.resolve(fingerprint({target: el})).then(send, () => send(null));
    else send(null);
  };
  const queryAll = (root, body) => {
    const spec = JSON.parse(decodeURIComponent(body));
    const r = argus.resolve(spec);
    if (!r.el) return r.els || [];  // several: Playwright reports the strictness violation at once
    report(spec, r.el);
    return [r.el];
  };
  return {queryAll, query: (root, body) => queryAll(root, body)[0] || null};
})()
"""


def selector_engine() -> str:
    """The `argus` selector engine's source, for `playwright.selectors.register(..., content_script=True)`."""
    return (
        _ENGINE_JS.replace("__ARGUS_JS__", ARGUS_JS)
        .replace("__FINGERPRINT_JS__", _fingerprint_js() or "null")
        .replace("__REPORT_PREFIX__", REPORT_PREFIX)
    )
