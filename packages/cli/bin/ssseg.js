#!/usr/bin/env node
// The `ssseg` command as npm links it. npm links a workspace's bin only if its target exists at
// install time, before any build, so the target is this committed launcher rather than dist/bin.js.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const built = path.join(__dirname, '..', 'dist', 'bin.js');
if (!fs.existsSync(built)) {
  process.stderr.write(`ssseg: the CLI is not built yet (no ${path.relative(process.cwd(), built) || built}): run \`npm run build\` at the repository root\n`);
  process.exit(1);
}
require(built);
