#!/usr/bin/env node
// Checks the workspace's package graph: every import of a workspace package in src/ is declared
// in that package's package.json, no edge points to the same or a higher layer, there is no
// cycle, and the graph in docs/ARCHITECTURE.md is the one package.json files declare. It also
// checks that every declared dependency is used (see dependencyUseProblems).
// Usage: node scripts/check-package-graph.js [ROOT]   (exit 1 with one line per problem)
const fs = require('fs');
const path = require('path');

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
const DOC = 'docs/ARCHITECTURE.md';

function workspacePackages() {
  const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of rootPkg.workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = path.join(root, pattern.slice(0, -2));
      if (!fs.existsSync(parent)) continue;
      for (const d of fs.readdirSync(parent).sort()) dirs.push(path.join(pattern.slice(0, -2), d));
    } else {
      dirs.push(pattern);
    }
  }
  return dirs
    .filter((dir) => fs.existsSync(path.join(root, dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
      const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies }));
      return { dir, name: pkg.name, declared, pkg };
    });
}

function sourceFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|js|cjs|mjs)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** [{ spec, line }] of every static import, export-from, require() and import() in a file. */
function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const found = [];
  const re = /(?:\bfrom\s*|\brequire(?:\.resolve(?:\.paths)?)?\(\s*|\bimport\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  for (let m; (m = re.exec(text)); ) found.push({ spec: m[1], line: text.slice(0, m.index).split('\n').length });
  return found;
}

const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

const isTestFile = (file) => /\.test\.[cm]?[jt]s$/.test(file) || file.split(path.sep).includes('testing');

function packageJsonOf(name) {
  const file = path.join(root, 'node_modules', name, 'package.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

/**
 * Declared dependencies that nothing uses, and runtime dependencies only tests use. A dependency
 * is used by an import, require, import() or require.resolve of it in src/ or bin/. Three uses
 * need no import: an ssseg plugin package (found by discovery once installed), `@types/X` where X
 * is used, and a dependency the package.json lists under "ssseg": { "unimportedDependencies":
 * { NAME: "why" } } (files served or copied from it, say).
 */
function dependencyUseProblems(p) {
  const uses = new Map();
  const files = [...sourceFiles(path.join(root, p.dir, 'src')), ...sourceFiles(path.join(root, p.dir, 'bin'))];
  for (const file of files) {
    for (const { spec } of importsOf(file)) {
      const name = packageOf(spec);
      if (!uses.has(name)) uses.set(name, new Set());
      uses.get(name).add(isTestFile(file) ? 'test' : 'runtime');
    }
  }
  const exempt = p.pkg.ssseg?.unimportedDependencies ?? {};
  const usedBy = (name) => {
    if (exempt[name]) return new Set(['runtime']);
    if (name.startsWith('@types/')) {
      const typed = name.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2');
      return uses.get(typed) ?? uses.get(`node:${typed}`) ?? (typed === 'node' ? new Set(['runtime']) : undefined);
    }
    const found = uses.get(name);
    if (found) return found;
    const pkg = packages.find((q) => q.name === name)?.pkg ?? packageJsonOf(name);
    return pkg?.ssseg?.plugin ? new Set(['runtime']) : undefined;
  };
  const problems = [];
  const where = `${p.dir}/package.json`;
  for (const name of Object.keys({ ...p.pkg.dependencies, ...p.pkg.peerDependencies })) {
    const used = usedBy(name);
    if (!used) problems.push(`${where}: declares ${name}, which no file in src/ or bin/ uses; remove it`);
    else if (!used.has('runtime')) problems.push(`${where}: ${name} is used only by tests; move it to devDependencies`);
  }
  for (const name of Object.keys(p.pkg.devDependencies ?? {})) {
    if (!usedBy(name)) problems.push(`${where}: declares ${name} (devDependencies), which no file in src/ or bin/ uses; remove it`);
  }
  return problems;
}

/** { layer, name, deps } rows of the graph block in the doc. */
function documentedGraph() {
  const text = fs.readFileSync(path.join(root, DOC), 'utf8');
  const block = /<!-- package-graph -->\s*```text\n([\s\S]*?)```/.exec(text);
  if (!block) throw new Error(`${DOC}: no package graph block (a \`\`\`text block after <!-- package-graph -->)`);
  return block[1].split('\n').filter((l) => l.trim()).map((line) => {
    const m = /^\s*(\d+)\s+(\S+)\s*(?:->\s*(.*))?$/.exec(line);
    if (!m) throw new Error(`${DOC}: cannot read graph line '${line}' (expected 'LAYER NAME -> DEP DEP ...')`);
    return { layer: Number(m[1]), name: m[2], deps: (m[3] ?? '').split(/\s+/).filter(Boolean) };
  });
}

function findCycle(edges) {
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    if (!state.has(node)) {
      const cycle = visit(node);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

let packages;

function check() {
  const problems = [];
  packages = workspacePackages();
  const names = new Set(packages.map((p) => p.name));
  const doc = documentedGraph();
  const layer = new Map(doc.map((row) => [row.name, row.layer]));
  const edges = new Map(packages.map((p) => [p.name, new Set()]));

  for (const p of packages) {
    for (const dep of p.declared) if (names.has(dep)) edges.get(p.name).add(dep);
    for (const file of sourceFiles(path.join(root, p.dir, 'src'))) {
      for (const { spec, line } of importsOf(file)) {
        const target = packageOf(spec);
        if (!names.has(target) || target === p.name) continue;
        if (!p.declared.has(target)) {
          problems.push(`${path.relative(root, file)}:${line}: imports ${target}, which ${p.dir}/package.json does not declare`);
        }
        edges.get(p.name).add(target);
      }
    }
  }

  for (const p of packages) {
    const row = doc.find((r) => r.name === p.name);
    const declared = [...p.declared].filter((d) => names.has(d)).sort();
    if (!row) {
      problems.push(`${DOC}: ${p.name} (${p.dir}) is missing from the package graph; add '${'LAYER'} ${p.name} -> ${declared.join(' ')}'`);
      continue;
    }
    const documented = [...row.deps].sort();
    if (documented.join(' ') !== declared.join(' ')) {
      problems.push(`${DOC}: the graph says ${p.name} -> ${documented.join(' ') || '(nothing)'}, but ${p.dir}/package.json declares ${declared.join(' ') || '(nothing)'}`);
    }
    for (const dep of edges.get(p.name)) {
      if (layer.has(dep) && layer.get(dep) >= row.layer) {
        problems.push(`${p.name} (layer ${row.layer}) depends on ${dep} (layer ${layer.get(dep)}): dependencies must point to a lower layer`);
      }
    }
  }
  for (const p of packages) problems.push(...dependencyUseProblems(p));
  for (const row of doc) if (!names.has(row.name)) problems.push(`${DOC}: the graph names ${row.name}, which is no workspace package`);

  const cycle = findCycle(edges);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(' -> ')}`);
  return problems;
}

let problems;
try {
  problems = check();
} catch (err) {
  problems = [err.message];
}
if (problems.length) {
  for (const p of problems) console.error(`package graph: ${p}`);
  process.exit(1);
}
console.log(`package graph: ${workspacePackages().length} packages, no cycle, no upward edge, every import declared, every dependency used, ${DOC} matches`);
