import { HealthResponseSchema, ReadyResponseSchema } from '@chatter/protocol';
import type { HttpRoute } from './http-routes.js';

/**
 * The routes outside `/api` that `app.ts` registers for operators. They are in the document
 * too, so it lists every route the server answers (the web app's static files are not routes).
 *
 * @example
 * PROBE_ROUTES.getHealth.path; // '/healthz'
 */
export const PROBE_ROUTES = {
  getHealth: {
    method: 'get',
    path: '/healthz',
    auth: false,
    tag: 'operations',
    summary: 'Liveness: the process answers',
    request: {},
    success: { status: 200, description: 'Alive', schema: HealthResponseSchema },
    errors: [],
    otherResponses: {
      503: { description: 'Shutting down (`status: "unavailable"`)', schema: HealthResponseSchema },
    },
  },
  getReadiness: {
    method: 'get',
    path: '/readyz',
    auth: false,
    tag: 'operations',
    summary: 'Readiness: whether to send this server traffic',
    request: {},
    success: { status: 200, description: 'Ready', schema: ReadyResponseSchema },
    errors: ['UNAVAILABLE'],
  },
  getMetrics: {
    method: 'get',
    path: '/metrics',
    auth: false,
    tag: 'operations',
    summary: 'Prometheus metrics',
    description: 'No token: keep it from the public at the load balancer.',
    request: {},
    success: { status: 200, description: 'The metrics', mediaType: 'text/plain' },
    errors: [],
  },
} as const satisfies Record<string, HttpRoute>;
