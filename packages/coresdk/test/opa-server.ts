// A real OPA server (v1.22.2, built by tests/differential/setup.sh --opa-only into
// target/bench/bin/opa) on a loopback port. Without the binary the tests that need it are
// skipped, unless CORESDK_REQUIRE_OPA is set (scripts/test.sh sets it): then they fail.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const OPA = resolve(__dirname, '../../../target/bench/bin/opa');
export const HAVE_OPA = existsSync(OPA) || process.env.CORESDK_REQUIRE_OPA !== undefined;

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Starts `opa run --server`; resolves with its URL and a stop function. */
export async function startOpa(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(OPA, ['run', '--server', '--addr', `127.0.0.1:${port}`, '--log-level', 'error'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('OPA did not start');
      await new Promise((done) => setTimeout(done, 50));
    }
  }
  return { url, stop: () => child.kill() };
}

/** Loads (or replaces) a module in the running server. */
export async function putPolicy(url: string, name: string, source: string): Promise<void> {
  const res = await fetch(`${url}/v1/policies/${name}`, { method: 'PUT', body: source });
  if (!res.ok) throw new Error(`PUT policy: ${res.status} ${await res.text()}`);
}
