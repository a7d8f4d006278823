#!/usr/bin/env node
// ajv-validate.mjs: validate records with ajv against `fieldbook schema export`.
//
//   node ajv-validate.mjs --fieldbook BIN [--root DIR] [FILE...]
//
// For each record type the schema is what `BIN -C DIR schema export TYPE`
// prints (one JSON document, references to schemas/_common.yaml bundled into
// $defs).  ajv compiles it as JSON Schema draft 2020-12 with `strict: false`,
// so fieldbook's x- keywords are ignored as editors ignore them, and with
// ajv-formats for `format` (date, email).  Records are read with the `yaml`
// package under the YAML 1.2 core schema, as an editor reads them: a plain
// 09121234567 is the integer 9121234567 here, not fieldbook's string.
//
// FILEs (default: every records/TYPE/**/*.yaml under DIR) must lie under
// DIR/records/TYPE/.  One line per record on stdout:
//
//   records/contacts/c-0001.yaml: valid
//   records/contacts/c-9001.yaml: invalid: /influence must be <= 5; ...
//
// A summary goes to stderr.  Exit 1 when any record is invalid, 2 when a
// schema cannot be exported or compiled, or on bad usage.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const YAML = require('yaml');

function die(code, msg) {
  process.stderr.write(`ajv-validate: ${msg}\n`);
  process.exit(code);
}

let root = process.cwd();
let fieldbook = null;
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--root' || a === '--fieldbook') {
    if (i + 1 >= argv.length) die(2, `${a} needs a value`);
    if (a === '--root') root = argv[++i]; else fieldbook = argv[++i];
  } else if (a.startsWith('-')) die(2, `unknown option ${a}\nusage: node ajv-validate.mjs --fieldbook BIN [--root DIR] [FILE...]`);
  else files.push(a);
}
if (!fieldbook) die(2, 'usage: node ajv-validate.mjs --fieldbook BIN [--root DIR] [FILE...]');
root = path.resolve(root);

async function walk(dir, out) {
  let entries;
  try { entries = await fs.readdir(dir, { withFileTypes: true }); } catch { return out; }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && e.name.endsWith('.yaml')) out.push(p);
  }
  return out;
}

const recordsDir = path.join(root, 'records');
const targets = files.length ? files.map((f) => path.resolve(f)) : await walk(recordsDir, []);
if (targets.length === 0) die(2, 'no records to validate');

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map();
function validatorFor(type) {
  if (validators.has(type)) return validators.get(type);
  let text;
  try {
    text = execFileSync(fieldbook, ['-C', root, 'schema', 'export', type], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    die(2, `${fieldbook} schema export ${type} failed: ${(e.stderr || e.message).toString().trim()}`);
  }
  let schema;
  try { schema = JSON.parse(text); } catch (e) { die(2, `schema export ${type}: not JSON: ${e.message}`); }
  let validate;
  try { validate = ajv.compile(schema); } catch (e) { die(2, `schema export ${type}: ajv cannot compile it: ${e.message}`); }
  validators.set(type, validate);
  return validate;
}

let valid = 0, invalid = 0;
const types = new Set();
for (const file of targets) {
  const rel = path.relative(root, file);
  const parts = rel.split(path.sep);
  if (parts.length < 3 || parts[0] !== 'records') die(2, `${rel}: not under records/TYPE/`);
  const type = parts[1];
  types.add(type);
  const validate = validatorFor(type);
  const problems = [];
  let data;
  try {
    const text = await fs.readFile(file, 'utf8');
    const doc = YAML.parseDocument(text, { version: '1.2', schema: 'core', prettyErrors: false });
    for (const e of doc.errors) problems.push(`YAML: ${e.message.split('\n')[0]}`);
    if (!doc.errors.length) data = doc.toJS({ maxAliasCount: -1 });
  } catch (e) {
    problems.push(`YAML: ${e.message.split('\n')[0]}`);
  }
  if (!problems.length && !validate(data)) {
    for (const e of validate.errors) {
      let detail = '';
      if (e.keyword === 'additionalProperties') detail = ` (${e.params.additionalProperty})`;
      else if (e.keyword === 'enum') detail = ` (${JSON.stringify(e.params.allowedValues)})`;
      problems.push(`${e.instancePath || '/'} ${e.message}${detail}`);
    }
  }
  if (problems.length) {
    invalid++;
    console.log(`${rel}: invalid: ${problems.join('; ')}`);
  } else {
    valid++;
    console.log(`${rel}: valid`);
  }
}
const v = (p) => require(`${p}/package.json`).version;
process.stderr.write(`ajv-validate: ajv ${v('ajv')}, ajv-formats ${v('ajv-formats')}, yaml ${v('yaml')} (YAML 1.2 core): ` +
  `${targets.length} record(s) of ${types.size} type(s): ${valid} valid, ${invalid} invalid\n`);
process.exit(invalid ? 1 : 0);
