# The Chatter server with the demo web app, as one image for every node of a cluster.
#
#   docker build -t chatter .
#   docker run -p 3000:3000 -v chatter-data:/data chatter
#
# deploy/compose.yaml runs three of them behind nginx on Redis and a MongoDB replica set.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its addon when its prebuilt binary cannot be downloaded.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /repo
ENV TURBO_TELEMETRY_DISABLED=1
# The pnpm that package.json names, installed with npm as .ci/run does, so CI and the image
# build with the same one.
COPY package.json ./
RUN npm install --global "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")"
# The lockfile alone decides what is downloaded, so this layer survives source changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm exec turbo run build --filter=@chatter/server... --filter=@chatter/web... --output-logs=errors-only
# The server with its production dependencies only, @chatter/protocol included as a copy.
# --legacy: pnpm 10's deploy otherwise needs inject-workspace-packages, which would copy our own
# packages into each other's node_modules for development too.
RUN pnpm --filter=@chatter/server deploy --prod --legacy /out

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  PORT=3000 \
  CHATTER_DATA_DIR=/data \
  CHATTER_WEB_DIR=/app/web
WORKDIR /app
# Owned by root: the server cannot rewrite its own code. Only /data is the node user's.
COPY --from=build /out/package.json ./
COPY --from=build /out/node_modules ./node_modules
COPY --from=build /out/dist ./dist
COPY --from=build /repo/apps/web/dist ./web
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# Liveness, not readiness: a store outage makes every node unready at once, and restarting them
# all for it (as Swarm does with an unhealthy task) would not bring the store back. Slim images
# have no curl; node has fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
