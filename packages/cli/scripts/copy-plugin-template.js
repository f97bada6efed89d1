#!/usr/bin/env node
// Copies what `ssseg plugin new` writes into dist/plugin-template/, from the workspace's real files:
// example/ is the example plugin (plugins/entropy-min: package.json, README.md, src/), which the
// workspace builds and tests like every plugin; tsup.config.ts is the plugins' shared build config,
// the workspace's preset (tsup.preset.ts) written out with its call, since the preset is not there;
// tsconfig.json holds the compiler options plugins/tsconfig.json gives, with its `extends` chain
// written out, since a plugin outside the workspace has neither; toolchain.json gives the version
// ranges of the build and test tools the workspace uses.
const fs = require('fs');
const path = require('path');

const cli = path.resolve(__dirname, '..');
const root = path.resolve(cli, '../..');
const out = path.join(cli, 'dist/plugin-template');
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** compilerOptions of a tsconfig and of every config it extends (relative paths), nearest last. */
function compilerOptions(file) {
  const config = readJson(file);
  const base = config.extends ? compilerOptions(path.resolve(path.dirname(file), config.extends)) : {};
  return { ...base, ...config.compilerOptions };
}

fs.rmSync(out, { recursive: true, force: true });
const example = path.join(root, 'plugins/entropy-min');
for (const entry of ['package.json', 'README.md', 'src']) {
  fs.cpSync(path.join(example, entry), path.join(out, 'example', entry), { recursive: true });
}
const preset = fs.readFileSync(path.join(root, 'tsup.preset.ts'), 'utf8');
fs.writeFileSync(path.join(out, 'tsup.config.ts'), `${preset}\nexport default packageBuild();\n`);
const tsconfig = { compilerOptions: compilerOptions(path.join(root, 'plugins/tsconfig.json')), include: ['src'] };
fs.writeFileSync(path.join(out, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n');
const ranges = { ...readJson(path.join(root, 'package.json')).devDependencies, ...readJson(path.join(root, 'packages/core/package.json')).dependencies };
const toolchain = Object.fromEntries(
  ['@types/jest', '@types/node', 'jest', 'reflect-metadata', 'ts-jest', 'tsup', 'typescript'].map((name) => [name, ranges[name]]),
);
fs.writeFileSync(path.join(out, 'toolchain.json'), JSON.stringify(toolchain, null, 2) + '\n');
