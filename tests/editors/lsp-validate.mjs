#!/usr/bin/env node
// lsp-validate.mjs: validate records as VS Code's YAML extension does, headless.
//
//   node lsp-validate.mjs [--root DIR] [--parsed-schemas] [--yaml-version 1.1|1.2]
//                         [--list-schemas] [FILE...]
//
// Drives the language service of the npm package yaml-language-server (the
// server behind VS Code's YAML extension) without an editor: the schema
// associations are read from DIR/.vscode/settings.json ("yaml.schemas", as a
// user's workspace has them), the relative schema paths are resolved against
// DIR the way the server resolves them against the workspace folder, and the
// schema contents come through the service's schemaRequestService.  By
// default that service returns the schema files' text, as the real server
// does (the service parses .yaml schemas itself); with --parsed-schemas it
// returns them already parsed to JSON (YAML 1.2 core schema), which must give
// the same diagnostics.
//
// FILEs (default: every records/**/*.yaml under DIR) are validated one by one
// with the YAML version the workspace asks for ("yaml.yamlVersion" in
// settings.json, or --yaml-version), else the server's default (1.2).  Each
// diagnostic is printed as
//
//   FILE:LINE:COL: SEVERITY: MESSAGE
//
// (FILE relative to DIR, LINE and COL 1-based), and a record that no
// "yaml.schemas" entry covers is reported as an error too, since an editor
// would then check nothing.  --list-schemas also prints, before a file's
// diagnostics, "FILE: schema: SCHEMA" for the schema the service chose (the
// one VS Code shows as a code lens; relative to DIR when under it).  A
// summary goes to stderr.
//
// The server reports YAML syntax problems as errors but schema violations as
// warnings (VS Code's yellow squiggles), so the exit status is 1 when any
// diagnostic is an error or a warning (a clean record has none), 2 on bad
// usage, 0 otherwise.

import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { getLanguageService } = require('yaml-language-server');
const { TextDocument } = require('vscode-languageserver-textdocument');
const YAML = require('yaml');
// The same helpers the server's settings handler uses for "yaml.schemas" keys.
const { isRelativePath, relativeToAbsolutePath } = require(
  'yaml-language-server/out/server/src/languageservice/utils/paths.js');
// vscode-uri as the server itself loads it (its dependency, not ours)
const { URI } = createRequire(require.resolve('yaml-language-server'))('vscode-uri');
const { SettingsState } = require('yaml-language-server/out/server/src/yamlSettings.js');

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

function usage(msg) {
  if (msg) process.stderr.write(`lsp-validate: ${msg}\n`);
  process.stderr.write('usage: node lsp-validate.mjs [--root DIR] [--parsed-schemas] [--yaml-version 1.1|1.2] [--list-schemas] [FILE...]\n');
  process.exit(2);
}

let root = process.cwd();
let parsedSchemas = false;
let yamlVersion;
let listSchemas = false;
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--root') { if (i + 1 >= argv.length) usage('--root needs a value'); root = argv[++i]; }
  else if (a === '--parsed-schemas') parsedSchemas = true;
  else if (a === '--list-schemas') listSchemas = true;
  else if (a === '--yaml-version') { if (i + 1 >= argv.length) usage('--yaml-version needs a value'); yamlVersion = argv[++i]; }
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else files.push(a);
}
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

// --- the workspace settings, as VS Code hands them to the server
const settingsFile = path.join(root, '.vscode', 'settings.json');
let settings;
try {
  // VS Code reads settings.json as JSONC; the project's file is plain JSON.
  settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
} catch (e) {
  process.stderr.write(`lsp-validate: ${settingsFile}: ${e.message}\n`);
  process.exit(2);
}
const yamlSchemas = settings['yaml.schemas'];
if (!yamlSchemas || typeof yamlSchemas !== 'object' || Object.keys(yamlSchemas).length === 0) {
  process.stderr.write(`lsp-validate: ${settingsFile}: no "yaml.schemas" mapping\n`);
  process.exit(2);
}

yamlVersion = yamlVersion ?? settings['yaml.yamlVersion'];
if (yamlVersion !== undefined && yamlVersion !== '1.1' && yamlVersion !== '1.2') usage(`YAML version ${yamlVersion}: 1.1 or 1.2`);

const rootUri = URI.file(root);
const workspaceFolders = [{ uri: rootUri.toString(), name: path.basename(root) }];
const schemas = [];
for (const [key, glob] of Object.entries(yamlSchemas)) {
  let uri = key;
  if (isRelativePath(uri)) uri = relativeToAbsolutePath(workspaceFolders, rootUri, uri);
  schemas.push({ uri, fileMatch: Array.isArray(glob) ? glob : [glob], priority: 3 /* Settings */ });
}

// --- the schema request service: file: URIs only (no network here)
let schemaRequests = 0;
const schemaRequestService = async (uri) => {
  schemaRequests++;
  const u = URI.parse(uri);
  if (u.scheme !== 'file') throw new Error(`lsp-validate: refusing to fetch ${uri}`);
  const text = await fs.readFile(u.fsPath, 'utf8');
  if (!parsedSchemas || !/\.ya?ml$/.test(u.fsPath)) return text;
  return JSON.stringify(YAML.parse(text, { version: '1.2', schema: 'core' }));
};
const workspaceContext = {
  resolveRelativePath: (relativePath, resource) => new URL(relativePath, resource).toString(),
};

const yamlSettings = new SettingsState();
yamlSettings.workspaceRoot = rootUri;
yamlSettings.workspaceFolders = workspaceFolders;
const ls = getLanguageService({ schemaRequestService, workspaceContext, yamlSettings });
// What VS Code's YAML extension configures by default (yamlVersion unset
// unless the workspace sets it: the parser's own default, 1.2, applies).
ls.configure({
  yamlVersion,
  validate: true,
  hover: true,
  completion: true,
  format: true,
  isKubernetes: false,
  customTags: settings['yaml.customTags'] ?? [],
  schemas,
});

// --- validate
const targets = files.length ? files.map((f) => path.resolve(f)) : await walk(path.join(root, 'records'), []);
if (targets.length === 0) {
  process.stderr.write('lsp-validate: no records to validate\n');
  process.exit(2);
}
let errors = 0, warnings = 0, withSchema = 0, clean = 0;
for (const file of targets) {
  const rel = path.relative(root, file) || file;
  let text;
  try { text = await fs.readFile(file, 'utf8'); } catch (e) {
    console.log(`${rel}:1:1: error: ${e.message}`); errors++; continue;
  }
  const doc = TextDocument.create(pathToFileURL(file).toString(), 'yaml', 1, text);
  // Which schema did the service pick for this file?  (The editor shows it
  // as a code lens at the top of the file.)
  const lenses = (await ls.getCodeLens(doc)) || [];
  const schemaUris = lenses.map((l) => l.command?.arguments?.[0]).filter(Boolean);
  if (schemaUris.length === 0) {
    console.log(`${rel}:1:1: error: no schema from .vscode/settings.json "yaml.schemas" applies to this file`);
    errors++;
  } else {
    withSchema++;
    if (listSchemas) {
      for (const s of schemaUris) {
        let shown = s;
        try {
          const p = URI.parse(s).fsPath;
          if (URI.parse(s).scheme === 'file' && !path.relative(root, p).startsWith('..')) shown = path.relative(root, p);
        } catch { /* keep the URI */ }
        console.log(`${rel}: schema: ${shown}`);
      }
    }
  }
  const diags = await ls.doValidation(doc, false);
  diags.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  for (const d of diags) {
    const sev = SEVERITY[d.severity] || 'error';
    if (sev === 'error') errors++;
    else if (sev === 'warning') warnings++;
    const msg = String(d.message).replace(/\s*\n\s*/g, ' ');
    console.log(`${rel}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${sev}: ${msg}`);
  }
  if (diags.length === 0 && schemaUris.length) clean++;
}
const pkg = require('yaml-language-server/package.json');
const { defaultOptions } = require('yaml-language-server/out/server/src/languageservice/parser/yamlParser07.js');
process.stderr.write(`lsp-validate: yaml-language-server ${pkg.version}, YAML ${yamlVersion ?? defaultOptions.yamlVersion}` +
  `${parsedSchemas ? ', schemas pre-parsed' : ''}: ${targets.length} file(s), ${withSchema} with a schema, ` +
  `${clean} clean, ${errors} error(s), ${warnings} warning(s), ${schemaRequests} schema request(s)\n`);
process.exit(errors || warnings ? 1 : 0);
