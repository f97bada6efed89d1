// node run-memory.js estimate|train CONFIG OUT: prints one JSON line. `estimate`: the memory
// check's estimate of the run; `train`: trains it (without the check) and measures what it took:
// the process's peak resident memory (VmHWM) above its resident memory before the run was built.
const fs = require('fs');
const path = require('path');
const { initEngine } = require('@ssseg/engine');
const { loadRunConfig } = require('@ssseg/core');
const { Runner, estimateStepMemory, runDataLoader, runnerPlugin } = require('@ssseg/runner');
const { createCliHost } = require('@ssseg/cli');

const status = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const [mode, file, out] = process.argv.slice(2);

(async () => {
  const config = loadRunConfig(file);
  await initEngine({ backend: config.engine.backend, threads: config.engine.threads, verbose: false });
  const host = createCliHost({ plugins: config.plugins });
  host.load(runnerPlugin);
  if (mode === 'estimate') {
    const estimate = await estimateStepMemory(host, config, file, runDataLoader(host));
    process.stdout.write(`${JSON.stringify({ bytes: estimate.bytes, parts: estimate.parts })}\n`);
  } else {
    const before = status('VmRSS');
    await Runner.fromConfig(config, { out, host, quiet: true }).run();
    process.stdout.write(`${JSON.stringify({ bytes: status('VmHWM') - before })}\n`);
  }
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(2);
});
