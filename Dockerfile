# Rolecall runs its TypeScript sources directly on Node 24 (type stripping; node:sqlite is built
# in), so there is no build stage: one stage installs production dependencies, the other runs.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev also leaves out the `node` dev dependency (Node 24 for older machines): the image has it.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    ROLECALL_CONFIG=/app/rolecall.yml \
    ROLECALL_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json manifest.yml rolecall.example.yml ./
COPY bin ./bin
COPY src ./src
# The SQLite store lives in /data, the only place the unprivileged user may write.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/rolecall.js", "start"]
