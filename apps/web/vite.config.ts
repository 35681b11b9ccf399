import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// `pnpm dev` serves the app with hot reload and forwards the API and the socket to a running
// server, so the page and the server share an origin as they do in production. By default that
// is the server `pnpm dev` starts beside it, on the same PORT.
const server = process.env.CHATTER_SERVER_URL ?? `http://localhost:${process.env.PORT || 3000}`;

export default defineConfig({
  plugins: [preact()],
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': server,
      '/healthz': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
