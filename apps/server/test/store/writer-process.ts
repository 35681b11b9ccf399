import type { ChildProcessWithoutNullStreams } from 'node:child_process';

// For the tests in which several processes write to one store.

/** Collects a child's output; `ready` once it printed "ready", `done` when it exits with 0. */
export function watch(child: ChildProcessWithoutNullStreams) {
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`writer exited with ${code ?? signal}:\n${stderr}`));
    });
  });
  // A writer that dies before it is ready must fail the test, not leave it waiting.
  return { ready: Promise.race([ready, done.then(() => {})]), done };
}
