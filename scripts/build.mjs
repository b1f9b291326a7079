// Compiles the TypeScript sources to dist/ with SWC: fast, keeps decorator metadata (Nest DI needs it)
// and rewrites the @app/* aliases from tsconfig.json into relative requires, so plain `node` runs dist/.
// Type checking is separate: `npm run typecheck` (tsc --noEmit).
import { transformFile } from '@swc/core';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const sourceDirs = ['apps', 'libs', 'agents', 'migrations', 'tools', 'bench'];
const webDir = join(root, 'apps/web');
const webOut = join(outDir, 'web');
const isCompiled = (file) =>
  !file.startsWith(`${webDir}/`) && file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.spec.ts');

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (isCompiled(entry.name)) yield path;
  }
}

const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
const swcOptions = (filename) => ({
  filename,
  sourceMaps: true,
  module: { type: 'commonjs', strictMode: true },
  jsc: {
    target: 'es2022',
    baseUrl: root,
    paths: tsconfig.compilerOptions.paths,
    keepClassNames: true,
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
  },
});

const started = Date.now();
// dist/web (the web app, built by Vite below) is kept: it is rebuilt only when its sources change.
for (const entry of await readdir(outDir).catch(() => [])) {
  if (entry !== 'web') await rm(join(outDir, entry), { recursive: true, force: true });
}
const files = [];
for (const dir of sourceDirs) for await (const file of walk(join(root, dir))) files.push(file);
await Promise.all(
  files.map(async (file) => {
    const out = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, swcOptions(file));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
    if (map) await writeFile(`${out}.map`, map);
  }),
);
console.log(`build: ${files.length} files compiled to dist/ in ${Date.now() - started} ms`);

// The web app: user-management serves dist/web at `/`. Its digest covers its sources, its config
// and the lockfile, so an unchanged app costs one hash instead of a Vite build.
const webStarted = Date.now();
const hash = createHash('sha256');
const webFiles = [];
for await (const file of walkAll(webDir)) webFiles.push(file);
for (const file of [...webFiles.sort(), join(root, 'package-lock.json')]) {
  hash.update(relative(root, file)).update(await readFile(file));
}
const digest = hash.digest('hex');
const digestFile = join(webOut, '.build-digest');
if ((await readFile(digestFile, 'utf8').catch(() => '')) === digest) {
  console.log(`build: web app unchanged (dist/web)`);
} else {
  const { build } = await import('vite');
  await build({ configFile: join(webDir, 'vite.config.mts'), logLevel: 'warn' });
  await writeFile(digestFile, digest);
  console.log(`build: web app built into dist/web in ${Date.now() - webStarted} ms`);
}

async function* walkAll(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkAll(path);
    else yield path;
  }
}
