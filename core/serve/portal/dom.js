// dom.js: building the page: elements, headings, tables with captions and scoped headers,
// form fields with real labels, and the messages live region.

/** An element: h('a', {href: '#/x', class: 'b'}, 'text', child...). Text is never parsed as HTML. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;
/** A fresh element id with prefix p. */
export function newId(p) { uid += 1; return (p || 'f') + '-' + uid; }

/** The page's <h1>, focused so that a screen reader announces the new page. */
export function heading(parent, text) {
  const h1 = h('h1', {tabindex: '-1'}, text);
  parent.append(h1);
  document.title = text + ' \u2014 cara portal';
  h1.focus();
  return h1;
}

/** A section with an <h2>. */
export function section(parent, title, attrs) {
  const id = newId('s');
  const s = h('section', Object.assign({'aria-labelledby': id}, attrs || {}), h('h2', {id}, title));
  parent.append(s);
  return s;
}

/**
 * A table: columns [{key, label, num?, fmt?(value,row) -> text|Node}], rows (objects);
 * the first column is the row header (th scope=row). Empty rows: the `empty` text.
 */
export function table(caption, columns, rows, opts) {
  const o = opts || {};
  if (!rows || rows.length === 0) return h('p', {class: 'note'}, o.empty || 'Nothing to show.');
  const head = h('tr', {}, columns.map((c) => h('th', {scope: 'col', class: c.num ? 'num' : null}, c.label)));
  const body = rows.map((r) => {
    const tr = h('tr', {class: o.rowClass ? o.rowClass(r) : null},
      columns.map((c, i) => {
        const v = c.fmt ? c.fmt(r[c.key], r) : r[c.key];
        const cell = v instanceof Node ? v : (v === null || v === undefined || v === '' ? '\u2014' : String(v));
        return h(i === 0 ? 'th' : 'td', {scope: i === 0 ? 'row' : null, class: c.num ? 'num' : null}, cell);
      }));
    return tr;
  });
  return h('div', {class: 'table-wrap'}, h('table', {}, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, body)));
}

/** A definition list of [term, value] pairs. */
export function facts(pairs) {
  return h('dl', {class: 'facts'}, pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v instanceof Node ? v : (v === null || v === undefined || v === '' ? '\u2014' : String(v)))]));
}

/** A labelled form field: {label, name, type?, value?, hint?, options?[[value,text]], required?, textarea?}. */
export function field(f) {
  const id = newId(f.name || 'f');
  const hintId = f.hint ? id + '-hint' : null;
  let input;
  const common = {id, name: f.name, required: f.required || null, 'aria-describedby': hintId};
  if (f.options) {
    input = h('select', common, f.options.map(([v, t]) => h('option', {value: v, selected: String(v) === String(f.value ?? '') || null}, t)));
  } else if (f.textarea) {
    input = h('textarea', Object.assign({rows: f.rows || 12, spellcheck: 'false'}, common));
    input.value = f.value || '';
  } else {
    input = h('input', Object.assign({type: f.type || 'text', value: f.value ?? '', autocomplete: f.autocomplete || null,
      inputmode: f.inputmode || null, pattern: f.pattern || null, min: f.min ?? null, max: f.max ?? null, accept: f.accept || null}, common));
  }
  const wrap = h('div', {class: 'field'}, h('label', {for: id}, f.label), input, f.hint ? h('span', {class: 'hint', id: hintId}, f.hint) : null);
  wrap.input = input;
  return wrap;
}

/** The values of a form's named fields, trimmed; empty ones left out. */
export function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  }
  return out;
}

/** A message in the page's live region (kind: 'ok', 'error', 'warn', 'note'); replaces the last. */
export function say(text, kind) {
  const box = document.getElementById('messages');
  if (!box) return;
  const cls = kind === 'error' ? 'error' : kind === 'warn' ? 'warn' : kind === 'ok' ? 'okmsg' : 'note';
  box.replaceChildren(h('p', {class: cls, role: kind === 'error' ? 'alert' : null}, text));
}

/** Clear the live region. */
export function clearMessages() {
  const box = document.getElementById('messages');
  if (box) box.replaceChildren();
}

/** An inline message element (inside a page or form), announced when its text changes. */
export function liveBox() {
  return h('div', {class: 'live', 'aria-live': 'polite'});
}

/** A status badge. */
export function badge(text) {
  return h('span', {class: 'badge ' + String(text || '').replace(/[^a-z_]/g, '')}, text || '\u2014');
}
