import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

// `ssseg serve` as a user starts it, over a served folder that holds hostile links, asked over raw HTTP.
const cli = path.resolve(__dirname, '../../packages/cli/bin/ssseg.js');

interface Served {
  child: ChildProcess;
  /** The address it printed (with ?token= when it has one). */
  printed: string;
  port: number;
  stderr: () => string;
}

const started: ChildProcess[] = [];

async function serve(dir: string, ...args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'serve', dir, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const printed = /serving .* at (http:\S+)/.exec(stdout)?.[1];
    if (printed) return { child, printed, port: Number(new URL(printed).port), stderr: () => stderr };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`ssseg serve did not start:\n${stdout}${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

/** A GET to this machine's port, with the raw path and headers given (fetch would normalise both). */
function get(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const SECRET = 'secret-outside-the-served-folder';

function runFolder(dir: string, metrics = '{"event":"step","step":1,"epoch":0,"time":1,"loss":1}\n'): void {
  fs.mkdirSync(path.join(dir, 'gallery'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.yaml'), 'method: { type: supervised }\nmodel: { type: unet }\ndata: { type: mnist-seg, split: 1_64 }\ntrain: { maxSteps: 4, seed: 1 }\n');
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), metrics);
}

afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

describe('ssseg serve serves only what lies inside the served folder', () => {
  let served: Served;

  beforeAll(async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-serve-access-'));
    const root = path.join(base, 'served');
    const outside = path.join(base, 'outside');
    runFolder(path.join(outside, 'run'), `{"event":"step","step":7,"epoch":0,"time":1,"loss":1,"note":"${SECRET}"}\n`);
    fs.writeFileSync(path.join(outside, 'secret.png'), SECRET);

    // a run copied into the served folder with links out of it, and one that stays inside
    runFolder(path.join(root, 'run1'));
    fs.writeFileSync(path.join(root, 'run1', 'gallery', 'image-0.png'), PNG);
    fs.symlinkSync('/etc/passwd', path.join(root, 'run1', 'gallery', 'evil.png'));
    fs.symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'run1', 'gallery', 'secret.png'));
    fs.symlinkSync('image-0.png', path.join(root, 'run1', 'gallery', 'inside.png'));
    fs.symlinkSync(path.join(root, 'run1', 'gallery', 'image-0.png'), path.join(root, 'run1', 'gallery', 'absolute-inside.png'));
    // a run folder that is a link out, one whose metrics are, and one that links to another run inside
    fs.symlinkSync(path.join(outside, 'run'), path.join(root, 'linked-out'));
    runFolder(path.join(root, 'leaky'));
    fs.rmSync(path.join(root, 'leaky', 'metrics.jsonl'));
    fs.symlinkSync(path.join(outside, 'run', 'metrics.jsonl'), path.join(root, 'leaky', 'metrics.jsonl'));
    fs.symlinkSync('run1', path.join(root, 'alias'));
    served = await serve(root);
  }, 90_000);

  it('refuses a gallery file that links to /etc/passwd or anywhere outside, without its content', async () => {
    for (const name of ['evil.png', 'secret.png']) {
      const answer = await get(served.port, `/api/run/gallery-file?id=run1&name=${name}`);
      expect([403, 404]).toContain(answer.status);
      expect(answer.body).not.toMatch(/root:|secret-outside/);
    }
  });

  it('follows links that stay inside the served folder', async () => {
    for (const name of ['inside.png', 'absolute-inside.png']) {
      const answer = await get(served.port, `/api/run/gallery-file?id=run1&name=${name}`);
      expect(answer.status).toBe(200);
      expect(Buffer.from(answer.body, 'latin1')).toEqual(PNG);
    }
    expect((await get(served.port, '/api/run/metrics?id=alias')).status).toBe(200);
  });

  it('neither lists nor serves a run folder that is a link out, nor one whose files link out', async () => {
    const runs = JSON.parse((await get(served.port, '/api/runs')).body) as { runs: { id: string }[] };
    expect(runs.runs.map((r) => r.id)).toEqual(['run1']);
    for (const id of ['linked-out', 'leaky']) {
      for (const api of ['metrics', 'gallery']) {
        const answer = await get(served.port, `/api/run/${api}?id=${id}`);
        expect(answer.status).toBe(404);
        expect(answer.body).not.toContain(SECRET);
      }
    }
  });

  it('answers 400 to malformed percent escapes and bad query parameters, not 500', async () => {
    for (const raw of ['/%zz', '/static/%E0%A4%A', '/api/run/metrics?id=run1&from=%zz', '/api/run/metrics?id=run1&from=-1', '/api/run/metrics?id=run1&from=x', '/api/run/metrics', '/api/run/gallery-file?id=run1']) {
      const answer = await get(served.port, raw);
      expect({ raw, status: answer.status }).toEqual({ raw, status: 400 });
    }
    expect((await get(served.port, '/api/run/metrics?id=run1&from=0')).status).toBe(200);
  });

  it('refuses a Host header that is not one of this machine\'s names (DNS rebinding)', async () => {
    const foreign = await get(served.port, '/api/runs', { host: `attacker.example:${served.port}` });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/refused the Host 'attacker\.example:\d+'/);
    expect(foreign.body).not.toContain('run1');
    // the loopback names, on any port (an SSH tunnel from another local port)
    for (const host of [`localhost:${served.port}`, 'localhost:8080', `[::1]:${served.port}`, `127.0.0.1:${served.port}`]) {
      expect({ host, status: (await get(served.port, '/api/runs', { host })).status }).toEqual({ host, status: 200 });
    }
  });
});

describe('ssseg serve on an address other machines reach', () => {
  let root: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-serve-exposed-'));
    runFolder(path.join(root, 'run1'));
  });

  it('warns loudly when it serves other machines without a token', async () => {
    const served = await serve(root, '--host', '0.0.0.0');
    await new Promise((r) => setTimeout(r, 200));
    expect(served.stderr()).toMatch(/WARNING: --host 0\.0\.0\.0 .* with no authentication: anyone who reaches the port reads every run served\. Add --token/);
    expect((await get(served.port, '/api/runs')).status).toBe(200);
    served.child.kill('SIGTERM');
  }, 90_000);

  it('with --token, answers only requests that carry it, and lets the page keep it in a cookie', async () => {
    const served = await serve(root, '--host', '0.0.0.0', '--token');
    const token = new URL(served.printed).searchParams.get('token')!;
    expect(token).toMatch(/^[\w-]{32}$/);

    for (const raw of ['/', '/api/runs', '/api/run/metrics?id=run1', '/vendor/vega.min.js', `/api/runs?token=${token}x`]) {
      const answer = await get(served.port, raw);
      expect({ raw, status: answer.status }).toEqual({ raw, status: 401 });
      expect(answer.body).toMatch(/needs its token/);
    }
    const wrongCookie = await get(served.port, '/api/runs', { cookie: `ssseg-token-${served.port}=nope` });
    expect(wrongCookie.status).toBe(401);
    expect(served.stderr()).toMatch(/WARNING: --host 0\.0\.0\.0 .* each request must carry the token/);

    // the printed address: the page sets the cookie and drops the token from the address
    const first = await get(served.port, `/?token=${token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']).split(';')[0];
    expect(cookie).toBe(`ssseg-token-${served.port}=${token}`);
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect((await get(served.port, '/', { cookie })).body).toMatch(/<title>ssseg<\/title>/);
    expect(JSON.parse((await get(served.port, '/api/runs', { cookie: `other=1; ${cookie}` })).body).runs[0].id).toBe('run1');
    expect((await get(served.port, '/api/run/metrics?id=run1', { authorization: `Bearer ${token}` })).status).toBe(200);
    // the Host check still comes first
    expect((await get(served.port, '/api/runs', { cookie, host: 'attacker.example' })).status).toBe(403);
    served.child.kill('SIGTERM');
  }, 90_000);

  it('refuses a token given on the command line that is too short to guess hard', async () => {
    const child = spawn(process.execPath, [cli, 'serve', root, '--port', '0', '--token', 'short'], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--token must be at least 16/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
