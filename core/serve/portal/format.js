// format.js: money, rates and dates for display. Money arrives as integer cents; sums
// are BigInt (exact), and dollars are made from the integer at the end: no floats.

/** The integer cents v (a number, a BigInt or a digit string) as a BigInt; null for none. */
export function cents(v) {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && !Number.isInteger(v)) throw new Error('not integer cents: ' + v);
  return BigInt(v);
}

function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "$1,234.56" / "-$12.00" from integer cents; an em dash for null. */
export function money(v) {
  const c = cents(v);
  if (c === null) return '\u2014';
  const neg = c < 0n;
  const a = neg ? -c : c;
  return (neg ? '-' : '') + '$' + group((a / 100n).toString()) + '.' + (a % 100n).toString().padStart(2, '0');
}

/** The exact sum of a list of integer cents (nulls skipped), as a BigInt. */
export function sumCents(values) {
  let s = 0n;
  for (const v of values) { const c = cents(v); if (c !== null) s += c; }
  return s;
}

/** a / n rounded half away from zero, both integers (BigInt or number); null when n is 0. */
export function divRound(a, n) {
  const x = cents(a), d = cents(n);
  if (x === null || d === null || d === 0n) return null;
  const neg = (x < 0n) !== (d < 0n);
  const ax = x < 0n ? -x : x, ad = d < 0n ? -d : d;
  const q = (2n * ax + ad) / (2n * ad);
  return neg ? -q : q;
}

/** Whole dollars (a Number) from cents, for chart axes only (never summed). */
export function chartDollars(v) {
  const c = cents(v);
  return c === null ? null : Number(c / 100n);
}

/** Basis points as a percentage with two decimals: 1234 -> "12.34%". */
export function bps(v) {
  const b = cents(v);
  if (b === null) return '\u2014';
  const neg = b < 0n, a = neg ? -b : b;
  return (neg ? '-' : '') + (a / 100n).toString() + '.' + (a % 100n).toString().padStart(2, '0') + '%';
}

/** Savings in basis points, 1 - actual/target, rounded; null without a target. */
export function savingsBps(target, actual) {
  const t = cents(target), a = cents(actual);
  if (t === null || a === null || t === 0n) return null;
  return divRound((t - a) * 10000n, t);
}

/** A plain count with thousands separators. */
export function count(v) {
  if (v === null || v === undefined) return '\u2014';
  return group(String(v));
}

/** Today as YYYY-MM-DD (the browser's calendar day). */
export function today() {
  const d = new Date();
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
}

/** A value for a table cell: text as is, null as an em dash, booleans as yes/no. */
export function text(v) {
  if (v === null || v === undefined || v === '') return '\u2014';
  if (v === true) return 'yes';
  if (v === false) return 'no';
  return String(v);
}
