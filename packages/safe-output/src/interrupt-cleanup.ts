// Work in progress (temporary directories, lock files) is registered here and
// removed if the process is interrupted (SIGINT, SIGTERM, SIGHUP) or exits
// without cleaning up, so Ctrl-C never leaves a half-written output behind.
// Handlers are installed only while something is registered; after cleaning up
// the signal is raised again so the exit status still says "killed by SIGINT",
// unless the host program has signal handlers of its own.
import { rmSync } from 'node:fs';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const registered = new Map<number, () => void>();
let nextId = 1;
let installed = false;

function runAll(): void {
  for (const cleanup of [...registered.values()].reverse()) {
    try {
      cleanup();
    } catch {
      // Best effort: an interrupted process must still exit.
    }
  }
  registered.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  runAll();
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  process.removeListener('exit', onExit);
}

/** Runs `cleanup` (synchronously) if the process is interrupted or exits before the returned function is called. */
export function onInterrupt(cleanup: () => void): () => void {
  const id = nextId++;
  registered.set(id, cleanup);
  install();
  return () => {
    registered.delete(id);
    if (registered.size === 0) uninstall();
  };
}

/** Removes `path` (file or directory tree) if the process is interrupted before the returned function is called. */
export function removeOnInterrupt(path: string): () => void {
  return onInterrupt(() => rmSync(path, { recursive: true, force: true }));
}
