import type { Express } from 'express';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  /** The path the layer was registered with (router 2.3+). */
  rawPath?: string | RegExp | Array<string | RegExp>;
}

/**
 * Every route an Express 5 app answers, as `METHOD /path` with Express's `:name` parameters,
 * read from its router stack (nested routers included, their mount path prepended). Middleware
 * that is no route (the static web app, the 404 handler) is not listed.
 */
export const expressRoutes = (app: Express): string[] => {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all')
            found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        }
      } else if (layer.handle.stack) {
        if (typeof layer.rawPath !== 'string') {
          throw new Error(
            `a router mounted at ${String(layer.rawPath)}: only string paths are read`,
          );
        }
        walk(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${layer.rawPath}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found.sort();
};
