import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { initEngine, tf } from '@ssseg/engine';
import { Rng, loadTensorFile, saveTensorFile } from '@ssseg/core';
import { OnnxPredictor } from '@ssseg/models';
import { runCli } from './cli-harness';
import { runCliProcess } from '../testing/kill-points';

// A Mean Teacher run and a FixMatch run trained through the CLI, then predict, eval and export on their checkpoints.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-weights-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const data = { type: 'mnist-seg', size: 16, valSize: 2, cacheDir: path.join(dir, 'cache'), split: '1_4' };
const images = path.join(dir, 'images');
const SIDE = 64;

function writeConfig(name: string, method: string): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, [
    `method: ${method}`,
    'model: { type: unet, baseWidth: 4, depth: 1 }',
    `data: ${JSON.stringify(data)}`,
    'train: { epochs: 1, batchSize: 2, unlabelledBatchSize: 2, seed: 3 }',
  ].join('\n'));
  return file;
}

/** Trains in its own process, as a user does (and faster than in jest's). */
async function train(config: string, out: string): Promise<void> {
  const run = await runCliProcess(['--backend', 'cpu', 'train', '--config', config, '--out', out, '--max-steps', '2']);
  expect(run.stderr).not.toMatch(/Error/);
  expect(run.code).toBe(0);
}

async function predict(args: string[], out: string): Promise<{ line: string; masks: Buffer }> {
  const run = await runCli(['predict', ...args, '--input', images, '--out', out]);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  return { line: run.out.split('\n')[0], masks: fs.readFileSync(path.join(out, 'x.png')) };
}

/** A copy of a checkpoint without the record of which weights its run evaluated (as older versions wrote it). */
function withoutRecord(file: string, copy: string): void {
  const { tensors, meta } = loadTensorFile(file);
  const { evaluated: _evaluated, ...older } = meta;
  saveTensorFile(copy, tensors, older);
  tf.dispose([...tensors.values()]);
}

const meanTeacher = path.join(dir, 'mt');
const fixmatch = path.join(dir, 'fm');
let mtConfig: string, fmConfig: string;

beforeAll(async () => {
  await initEngine({ backend: 'cpu', verbose: false });
  // a fast-moving EMA (decay 0.5) still leaves the teacher apart from the student after two steps
  mtConfig = writeConfig('mt', '{ type: mean-teacher, teacher: { type: ema, decay: 0.5 } }');
  fmConfig = writeConfig('fm', '{ type: fixmatch }');
  await Promise.all([train(mtConfig, meanTeacher), train(fmConfig, fixmatch)]);
  fs.mkdirSync(images);
  const rng = Rng.fromSeed(5);
  const pixels = Buffer.from(Array.from({ length: SIDE * SIDE * 3 }, () => Math.floor(rng.uniform(0, 256))));
  await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).png().toFile(path.join(images, 'x.png'));
}, 240_000);

describe('which weights eval, predict and export take', () => {
  it("the checkpoint records the group the run's evaluation scored", () => {
    for (const [run, expected] of [[meanTeacher, 'teacher'], [fixmatch, 'model']] as const) {
      const { tensors, meta } = loadTensorFile(path.join(run, 'last.ckpt'));
      tf.dispose([...tensors.values()]);
      expect(meta.evaluated).toBe(expected);
    }
  });

  it("predict defaults to a Mean Teacher run's EMA teacher, as its evaluation did, and says so", async () => {
    const before = tf.memory().numTensors;
    const checkpoint = path.join(meanTeacher, 'last.ckpt');
    const byDefault = await predict(['--config', mtConfig, '--checkpoint', checkpoint], path.join(dir, 'p-default'));
    const teacher = await predict(['--config', mtConfig, '--checkpoint', checkpoint, '--teacher'], path.join(dir, 'p-teacher'));
    const student = await predict(['--config', mtConfig, '--checkpoint', checkpoint, '--student'], path.join(dir, 'p-student'));
    expect(byDefault.line).toBe("weights: the EMA teacher's (the run's evaluation scored them)");
    expect(teacher.line).toBe("weights: the EMA teacher's (--teacher)");
    expect(student.line).toBe("weights: the student's (--student)");
    expect(byDefault.masks.equals(teacher.masks)).toBe(true);
    expect(byDefault.masks.equals(student.masks)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("eval scores the same weights, its JSON naming them; --student scores the student's", async () => {
    const checkpoint = path.join(meanTeacher, 'last.ckpt');
    const byDefault = await runCli(['eval', '--config', mtConfig, '--checkpoint', checkpoint, '--json']);
    expect(byDefault.code).toBe(0);
    expect(JSON.parse(byDefault.out)).toMatchObject({ weights: 'teacher', weightsReason: "the run's evaluation scored them" });
    const table = await runCli(['eval', '--config', mtConfig, '--checkpoint', checkpoint, '--student']);
    expect(table.out.split('\n')[0]).toBe("weights: the student's (--student)");
  });

  it('a FixMatch checkpoint (no teacher group) gives the student, and --teacher is refused naming the file', async () => {
    const checkpoint = path.join(fixmatch, 'last.ckpt');
    const byDefault = await predict(['--config', fmConfig, '--checkpoint', checkpoint], path.join(dir, 'f-default'));
    expect(byDefault.line).toBe("weights: the student's (the run's evaluation scored them)");
    const refused = await runCli(['predict', '--config', fmConfig, '--checkpoint', checkpoint, '--teacher', '--input', images, '--out', path.join(dir, 'f-t')]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${checkpoint}: --teacher: the checkpoint has no teacher weights ('teacher/...')`);
    expect(refused.err).not.toMatch(/\n\s+at /);
  });

  it('a checkpoint without the record defaults from the config, saying why', async () => {
    const older = path.join(dir, 'older.ckpt');
    withoutRecord(path.join(meanTeacher, 'last.ckpt'), older);
    const byConfig = await predict(['--config', mtConfig, '--checkpoint', older], path.join(dir, 'o-default'));
    expect(byConfig.line).toBe("weights: the EMA teacher's (the checkpoint does not record which weights its run evaluated; the config's method.evaluate is 'teacher')");
    const teacher = await predict(['--config', mtConfig, '--checkpoint', older, '--teacher'], path.join(dir, 'o-teacher'));
    expect(byConfig.masks.equals(teacher.masks)).toBe(true);
    const studentConfig = path.join(dir, 'mt-student.yaml');
    fs.writeFileSync(studentConfig, fs.readFileSync(mtConfig, 'utf8').replace('type: mean-teacher,', 'type: mean-teacher, evaluate: student,'));
    const byStudentConfig = await predict(['--config', studentConfig, '--checkpoint', older], path.join(dir, 'o-student'));
    expect(byStudentConfig.line).toBe("weights: the student's (the checkpoint does not record which weights its run evaluated; the config's method evaluates the student)");
    const both = await runCli(['predict', '--config', mtConfig, '--checkpoint', older, '--teacher', '--student', '--input', images, '--out', path.join(dir, 'o-both')]);
    expect(both.err).toMatch(/give --student or --teacher, not both/);
  });

  it("export without --size fits the run's 64x64 images, says why, and onnxruntime runs it on one", async () => {
    const before = tf.memory().numTensors;
    const model = path.join(dir, 'mt.onnx');
    const exported = await runCli(['export', '--config', mtConfig, '--checkpoint', path.join(meanTeacher, 'last.ckpt'), '--out', model]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.out).toContain("input 'image' [1, 64, 64, 3]");
    expect(exported.out).toContain("size 64x64: the size of the run's validation images, which the evaluation scores whole");
    expect(exported.out).toContain("weights: the EMA teacher's (the run's evaluation scored them)");
    const session = await OnnxPredictor.create(model);
    try {
      const { shape } = await session.logits(new Float32Array(SIDE * SIDE * 3).fill(128));
      expect(shape).toEqual([1, SIDE, SIDE, 11]);
    } finally {
      await session.release();
    }
    const asked = await runCli(['export', '--config', mtConfig, '--checkpoint', path.join(meanTeacher, 'last.ckpt'), '--size', '32x48', '--out', model]);
    expect(asked.out).toContain("input 'image' [1, 32, 48, 3]");
    expect(asked.out).toContain('size 32x48: --size');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a network the method trained beside the student (CPS evaluating its second)', () => {
  const cps = path.join(dir, 'cps');
  let cpsConfig: string;
  beforeAll(async () => {
    cpsConfig = writeConfig('cps', '{ type: cps, evaluate: second }');
    await train(cpsConfig, cps);
  }, 240_000);

  it("is recorded as the weights the run evaluated, and predict and eval take them by default, as --part second does", async () => {
    const before = tf.memory().numTensors;
    const checkpoint = path.join(cps, 'last.ckpt');
    const { tensors, meta } = loadTensorFile(checkpoint);
    tf.dispose([...tensors.values()]);
    expect(meta.evaluated).toBe('part/second');
    const byDefault = await predict(['--config', cpsConfig, '--checkpoint', checkpoint], path.join(dir, 'c-default'));
    const second = await predict(['--config', cpsConfig, '--checkpoint', checkpoint, '--part', 'second'], path.join(dir, 'c-second'));
    const student = await predict(['--config', cpsConfig, '--checkpoint', checkpoint, '--student'], path.join(dir, 'c-student'));
    expect(byDefault.line).toBe("weights: the method's 'second' (the run's evaluation scored them)");
    expect(second.line).toBe("weights: the method's 'second' (--part second)");
    expect(byDefault.masks.equals(second.masks)).toBe(true);
    expect(byDefault.masks.equals(student.masks)).toBe(false);
    const evaluated = await runCli(['eval', '--config', cpsConfig, '--checkpoint', checkpoint, '--json']);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.out)).toMatchObject({ weights: 'part/second', weightsReason: "the run's evaluation scored them" });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a part the checkpoint does not hold, naming the file and the parts it has, and --part with --student', async () => {
    const checkpoint = path.join(cps, 'last.ckpt');
    const missing = await runCli(['predict', '--config', cpsConfig, '--checkpoint', checkpoint, '--part', 'third', '--input', images, '--out', path.join(dir, 'c-third')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`${checkpoint}: --part third: the checkpoint has no weights of a part 'third' ('part/third/...'; it has parts 'second')`);
    expect(missing.err).not.toMatch(/\n\s+at /);
    const both = await runCli(['predict', '--config', cpsConfig, '--checkpoint', checkpoint, '--part', 'second', '--student', '--input', images, '--out', path.join(dir, 'c-both')]);
    expect(both.err).toMatch(/give --part or --student, not both/);
  });
});
