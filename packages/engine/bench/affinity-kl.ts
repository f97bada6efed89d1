// IPixMatch's affinity-KL term alone on the native backend's fused kernel: wall and process CPU ms
// of value + gradient for B images of [M, C], per repeat. CPU time stays meaningful on a shared machine.
//   npx tsup && SSSEG_NATIVE_THREADS=1 node dist/bench/affinity-kl.js [--m 4096] [--c 21] [--b 8] [--repeats 3]
import { fusedAffinityKl, initEngine, tf } from '../src/index';

const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main(): Promise<void> {
  await initEngine({ backend: 'native', verbose: false });
  const M = option('m', 4096), C = option('c', 21), B = option('b', 8), repeats = option('repeats', 3);
  const teacher = tf.unstack(tf.softmax(tf.randomNormal([B, M, C], 0, 2, 'float32', 1))) as tf.Tensor2D[];
  const student = tf.softmax(tf.randomNormal([B, M, C], 0, 2, 'float32', 2));
  for (let r = 0; r < repeats; r++) {
    const cpu0 = process.cpuUsage(), t0 = performance.now();
    tf.tidy(() => {
      const term = (q: tf.Tensor) => tf.addN((tf.unstack(q) as tf.Tensor2D[]).map((qi, b) => fusedAffinityKl(teacher[b], qi, 1e-8)!));
      tf.grad(term)(student).dataSync();
    });
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(`affinity KL, B=${B} M=${M} C=${C}: wall ${(performance.now() - t0).toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
