# One image for Cloud Run and docker compose: the API (api/dist) serving the built Astro site (web/dist) from one
# origin. See docs/decisions/0001-deploy-one-image.md. The repository layout is kept under /app, because the API
# finds sql/, content/ and web/dist by their places next to api/.
#
# Every stage uses the same pinned Node image, so a rebuild months later gets the same runtime; bump them together.

# ---- build: every dependency, then the API bundle and the static site
FROM node:22.22.2-slim AS build
WORKDIR /app
# The manifests first, so a change to the sources alone reuses the cached npm ci layer.
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- deps: the API's production dependencies only. The site is static, so Astro, React and Vite stay behind,
# and so does everything the build needed (esbuild, TypeScript, the test tools).
FROM node:22.22.2-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY web/package.json web/
# api/node_modules holds any package npm could not hoist (a version clash with the site's dependencies); it is made
# even when empty so the COPY below never fails.
RUN npm ci --omit=dev --workspace=api --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p api/node_modules

# ---- runtime
FROM node:22.22.2-slim AS runtime
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/api/node_modules api/node_modules
COPY package.json ./
COPY api/package.json api/
COPY --from=build /app/api/dist api/dist
COPY --from=build /app/web/dist web/dist
COPY sql sql
COPY content content
# The files stay root-owned and read-only for the app. Only .data is writable: the embedded PostgreSQL (PGlite)
# keeps its files there when DATABASE_URL is unset, as in a quick `docker run` without a database.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 8080
# Cloud Run ignores HEALTHCHECK (its startup probe checks the port); docker compose and `docker ps` show it. /health
# never touches the database, so it reports on this process alone. No curl in a slim image, hence node's fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1: the API drains on SIGTERM, which is what Cloud Run and docker stop send.
CMD ["node", "api/dist/index.js"]
