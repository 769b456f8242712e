#!/usr/bin/env node
/**
 * `npm run security`: Doyensec's Electronegativity over the project. Fails when any
 * finding of MEDIUM or HIGH severity remains. Suppress a finding only with an inline
 * `// eng-disable CHECK_NAME` on the line, and the reason in a comment right above it.
 * Built output (out/, release/) is skipped: it is our sources, minified.
 *   node scripts/electronegativity.mjs [--output report.sarif]
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronegativity = require('@doyensec/electronegativity');
const run = electronegativity.default ?? electronegativity;
const { version: electronVersion } = require(join(root, 'node_modules', 'electron', 'package.json'));

const outputIndex = process.argv.indexOf('--output');
const output = outputIndex > 0 ? process.argv[outputIndex + 1] : undefined;
const SKIPPED = /^(out|release|dist|docs|coverage|\.tmp)[\\/]/;
const FAILING = new Set(['MEDIUM', 'HIGH']);

const result = await run({
  input: root,
  isRelative: true,
  electronVersion,
  parserPlugins: ['optionalChaining'],
  ...(output ? { output, isSarif: output.endsWith('.sarif') } : {}),
});

const name = (level) => (typeof level === 'string' ? level : level?.name ?? String(level)).toUpperCase();
const skipped = (file = '') => SKIPPED.test(isAbsolute(file) ? relative(root, file) : file);
const issues = result.issues.filter((i) => !skipped(i.file));
for (const issue of issues) {
  const severity = name(issue.severity);
  console.log(`${FAILING.has(severity) ? '✗' : '·'} ${severity.padEnd(13)} ${issue.id}  ${issue.file}:${issue.location?.line ?? '?'}  ${issue.description}`);
}
for (const error of (result.errors ?? []).filter((e) => !skipped(e.file))) console.log(`! could not parse ${error.file ?? ''}: ${error.message ?? error.error ?? JSON.stringify(error)}`);

const failing = issues.filter((i) => FAILING.has(name(i.severity)));
console.log(
  `\nElectronegativity (Electron ${electronVersion}): ${issues.length} finding(s), ${failing.length} of MEDIUM or HIGH severity` +
    ` over ${result.globalChecks} global and ${result.atomicChecks} atomic checks.`,
);
if (failing.length > 0) {
  console.log('Fix them, or suppress one with `// eng-disable CHECK_NAME` on its line and the reason in a comment above.');
  process.exit(1);
}
