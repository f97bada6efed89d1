#!/usr/bin/env node
// Type-checks the package in the working directory that has no tsconfig.json of its own (a plugin
// under plugins/): its src/ with the compiler options of the nearest tsconfig.json above it, as
// `tsc --noEmit -p .` would with a tsconfig.json that extends that one and includes src.
const path = require('path');
const ts = require('typescript');

const dir = process.cwd();
const shared = ts.findConfigFile(path.dirname(dir), ts.sys.fileExists);
if (!shared) {
  console.error(`no tsconfig.json above ${dir}`);
  process.exit(2);
}
const config = ts.parseJsonConfigFileContent({ extends: shared, include: ['src'] }, ts.sys, dir);
const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true }, projectReferences: config.projectReferences });
const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)];
if (diagnostics.length) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => ts.sys.newLine };
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  process.exit(1);
}
