import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The candidate's pages, built into dist/web for user-management to serve at `/`. In `vite` (dev)
// the APIs are proxied, so the app always calls its own origin.
export default defineConfig({
  root: here,
  plugins: [react()],
  // livekit-client is most of the bundle (~210 KB gzipped in all, under issue 12's 350 KB goal).
  build: { outDir: `${here}../../dist/web`, emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  server: {
    proxy: {
      '/v1/invites': 'http://127.0.0.1:3000',
      '/v1/tokens': 'http://127.0.0.1:3001',
    },
  },
});
