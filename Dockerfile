# One image for the three apps (api, worker, web); docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS base
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 ONNXRUNTIME_NODE_INSTALL=skip NX_DAEMON=false PRISMA_SCHEMA_ENGINE_BINARY=/bin/false

FROM base AS build
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/prisma-generate.mjs && npx next build apps/web

FROM base AS runtime
COPY --from=build /app /app
ENV NODE_ENV=production BLOB_DIR=/data/blobs
VOLUME /data
EXPOSE 3000 4000
CMD ["npx", "tsx", "apps/api/src/main.ts"]
