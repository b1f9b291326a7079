import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// Parley's pages (candidate, meeting guest, staff), built into dist/web for user-management to
// serve at `/`. In `vite` (dev, port 5173) user-management's API is proxied so the app calls its own
// origin as in production; the media plane is called at the URL `GET /v1/web-config` names, which
// allows this origin by CORS (WEB_ORIGINS).
export default defineConfig({
  root: here,
  plugins: [react()],
  // The manifest lets bench/web.bench.ts weigh exactly what the candidate route loads.
  build: {
    outDir: `${here}../../dist/web`,
    emptyOutDir: true,
    sourcemap: true,
    manifest: true,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
