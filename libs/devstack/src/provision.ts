import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ComponentError } from './errors';
import { exec, which } from './exec';
import { BIN_DIR } from './paths';

export interface GoTool {
  component: string;
  /** Go package path of the main package. */
  pkg: string;
  version: string;
  /** Name `go install` gives the binary (the last path element of pkg). */
  installedName: string;
}

export const LIVEKIT_SERVER: GoTool = {
  component: 'livekit-server',
  pkg: 'github.com/livekit/livekit-server/cmd/server',
  version: 'v1.13.5',
  installedName: 'server',
};

export const VERSITYGW: GoTool = {
  component: 'versitygw',
  pkg: 'github.com/versity/versitygw/cmd/versitygw',
  version: 'v1.8.0',
  installedName: 'versitygw',
};

export type Logger = (message: string) => void;

/**
 * Builds a pinned Go tool from the Go module proxy into .parley/bin/<component>-<version>,
 * once: the versioned file name makes a version bump rebuild and an unchanged one a no-op.
 */
export async function ensureGoTool(tool: GoTool, log: Logger): Promise<string> {
  const target = join(BIN_DIR, `${tool.component}-${tool.version}`);
  if (existsSync(target)) return target;
  const go = which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  if (!go) {
    throw new ComponentError(
      tool.component,
      'the Go toolchain is needed to build it and was not found',
      'install Go 1.26 and put it on PATH',
    );
  }
  log(`building ${tool.component} ${tool.version} from the Go module proxy (first run only; takes a few minutes)`);
  const buildDir = join(BIN_DIR, `.build-${tool.component}-${process.pid}`);
  mkdirSync(buildDir, { recursive: true });
  try {
    await exec(go, ['install', `${tool.pkg}@${tool.version}`], {
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: buildDir, GOFLAGS: '-buildvcs=false' },
    });
    renameSync(join(buildDir, tool.installedName), target);
  } catch (err) {
    throw new ComponentError(
      tool.component,
      `go install failed: ${(err as Error).message}`,
      'check that the Go module proxy is reachable',
    );
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
  return target;
}

let aptUpdated = false;

/** Installs Debian packages whose binaries are missing (idempotent, fast when present). */
/**
 * Debian binaries the stack runs: ffmpeg for media, and the interviewer's offline voice (R-G4):
 * espeak-ng speaks, pocketsphinx (with its US English model) listens.
 */
export const STACK_APT_BINARIES: ReadonlyArray<{ binary: string; pkg: string }> = [
  { binary: 'ffmpeg', pkg: 'ffmpeg' },
  { binary: 'ffprobe', pkg: 'ffmpeg' },
  { binary: 'espeak-ng', pkg: 'espeak-ng' },
  { binary: 'pocketsphinx_continuous', pkg: 'pocketsphinx' },
  { binary: 'pocketsphinx_continuous', pkg: 'pocketsphinx-en-us' },
];

/** The web app's tests drive a real browser, and playwright-core downloads none: Debian's Chromium. */
export const BROWSER_APT_BINARIES: ReadonlyArray<{ binary: string; pkg: string }> = [
  { binary: 'chromium', pkg: 'chromium' },
];

export async function ensureAptBinaries(
  wanted: ReadonlyArray<{ binary: string; pkg: string }>,
  log: Logger,
): Promise<void> {
  const missing = wanted.filter((w) => !which(w.binary));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((m) => m.pkg))];
  if (!which('apt-get')) {
    throw new ComponentError(
      packages.join(', '),
      `missing ${missing.map((m) => m.binary).join(', ')} and apt-get is not available`,
      `install ${packages.join(' ')} with your package manager`,
    );
  }
  if (process.getuid?.() !== 0) {
    throw new ComponentError(
      packages.join(', '),
      `missing ${missing.map((m) => m.binary).join(', ')}`,
      `run: sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await exec('apt-get', ['update', '-qq'], { env });
    aptUpdated = true;
  }
  await exec('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
  const stillMissing = missing.filter((m) => !which(m.binary));
  if (stillMissing.length > 0) {
    throw new ComponentError(
      packages.join(', '),
      `installed, but ${stillMissing.map((m) => m.binary).join(', ')} still not found`,
    );
  }
}
