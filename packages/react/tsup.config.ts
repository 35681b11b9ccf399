import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Apps bring their own React and SDK: bundling either would give an app two copies.
  external: ['react', '@chatter/client'],
});
