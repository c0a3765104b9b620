export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A polite signal (SIGTERM unless told), then SIGKILL if it has not gone after the grace period. */
export async function stopProcess(pid: number, graceMs = 30_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!processAlive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  while (processAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}
