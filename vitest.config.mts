import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The @app/* aliases come from tsconfig.json, the single source for the compiler, the build and tests.
const root = fileURLToPath(new URL('.', import.meta.url));
const { compilerOptions } = JSON.parse(readFileSync(new URL('./tsconfig.json', import.meta.url), 'utf8'));
const alias = Object.fromEntries(
  Object.entries(compilerOptions.paths as Record<string, string[]>).map(([name, [target]]) => [
    name,
    `${root}${target}`,
  ]),
);

export default defineConfig({
  // SWC, not esbuild: Nest's dependency injection needs emitted decorator metadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{apps,libs,agents}/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e-spec.ts'],
          globalSetup: ['test/global-setup.ts'],
          // The files share one LiveKit server, database and Redis DB; run them one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
