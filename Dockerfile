# sql-repair-env: OpenEnv-style text-to-SQL repair environment (Hugging Face Space / docker).
FROM node:20-slim AS build
ENV ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
# better-sqlite3 12 builds from source on Node 20 when no prebuilt binary can be fetched; npm ci's postinstall
# compiles native/sqlite-deadline.c (quick SQLite queries on the main thread under a CPU budget) with the same tools.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
COPY scripts/build-sqlite-deadline.mjs ./scripts/
COPY native ./native
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY public ./public
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip PORT=8000 HOST=0.0.0.0 DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /data && chown node:node /data
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/build ./build
COPY --from=build --chown=node:node /app/public ./public
COPY --chown=node:node package.json README.md openenv.yaml ./
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD curl -fsS http://localhost:8000/health || exit 1
CMD ["node", "dist/main.js"]
