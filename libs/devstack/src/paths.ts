import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Works from TypeScript sources and from dist/ alike: walk up to the package.json named parley.
function findProjectRoot(from: string): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'parley') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the parley project root above ${from}`);
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
/** Everything the local stack builds, stores and logs lives here (git-ignored). */
export const STATE_DIR = join(PROJECT_ROOT, '.parley');
export const BIN_DIR = join(STATE_DIR, 'bin');
export const LOG_DIR = join(STATE_DIR, 'logs');
export const RUN_DIR = join(STATE_DIR, 'run');
export const DATA_DIR = join(STATE_DIR, 'data');
export const DIST_DIR = join(PROJECT_ROOT, 'dist');
