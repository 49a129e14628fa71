import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where scripts/pcsc/start.sh puts the relay to vpcd. */
export const STACK_DIR = process.env['CAREID_PCSC_DIR'] ?? '/run/careid-pcsc';
export const VPCD_SOCKET = join(STACK_DIR, 'vpcd.sock');
const SCRIPTS = join(import.meta.dirname, '..', '..', 'scripts', 'pcsc');

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the PC/SC stack cannot run here, or `undefined` when it can. */
export function stackUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'the PC/SC stack tests need Linux';
  if (process.getuid?.() !== 0) return 'the PC/SC stack needs root (unshare -n, /run/pcscd)';
  for (const c of [
    'pcscd',
    'unshare',
    'ip',
    'yubico-piv-tool',
    'pkcs15-tool',
    'pkcs11-tool',
    'openssl',
  ]) {
    if (!has(c))
      return `'${c}' is not installed (scripts/setup-system.sh installs the Debian packages)`;
  }
  if (!existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so'))
    return 'vsmartcard-vpcd is not installed';
  return undefined;
}

/**
 * Starts the namespaced pcscd + vpcd relay (idempotent). Tests never stop it: killing
 * pcscd while pcsclite's native threads are still cancelling their status calls can
 * deadlock the worker on exit. `scripts/test.sh` stops it when the whole run ends.
 */
export function startStack(): void {
  execFileSync('bash', [join(SCRIPTS, 'start.sh')], { stdio: 'pipe', timeout: 30_000 });
}

const LOCK = `${STACK_DIR}.lock`;

/**
 * Takes the lock on the one vpcd slot the stack relays, so the test files that drive a
 * card through pcscd (vitest runs files in parallel) take turns. Waits up to `timeoutMs`;
 * a lock left by a dead process is taken over.
 */
export async function acquireStackLock(timeoutMs = 240_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch {
      const holder = Number(readFileSafe(join(LOCK, 'pid')));
      if (holder > 0 && !alive(holder)) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > until) throw new Error(`the PC/SC stack is busy (lock ${LOCK})`);
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Releases the lock taken by {@link acquireStackLock}. */
export function releaseStackLock(): void {
  if (readFileSafe(join(LOCK, 'pid')) === String(process.pid)) {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
