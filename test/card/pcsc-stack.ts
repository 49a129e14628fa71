import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** Starts the namespaced pcscd + vpcd relay; returns whether this call started it. */
export function startStack(): boolean {
  const already = existsSync(join(STACK_DIR, 'ns.pid')) && existsSync(VPCD_SOCKET);
  execFileSync('bash', [join(SCRIPTS, 'start.sh')], { stdio: 'pipe', timeout: 30_000 });
  return !already;
}

/** Stops the stack started by {@link startStack}. */
export function stopStack(): void {
  execFileSync('bash', [join(SCRIPTS, 'stop.sh')], { stdio: 'pipe', timeout: 30_000 });
}
