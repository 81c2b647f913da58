# One image for every service; the start argument picks the service (docker-compose.yml's
# `command`, the Kubernetes Deployments' `args`).
#
# Node: the code runs on Node 20–24 (the development machines and the tests use 20); the image uses
# 24, the Active LTS. Debian 13 (trixie), the stable release, for Chromium's security updates.
ARG NODE_IMAGE=node:24-trixie-slim

# --- build: TypeScript to JavaScript (dist/), then the production dependencies alone -------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Dependencies' install scripts are not needed (see .npmrc).
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY platform ./platform
COPY auth ./auth
COPY audit ./audit
COPY schema ./schema
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --ignore-scripts && npm cache clean --force

# --- runtime: node, the JavaScript, and the files the services read at run time -------------------
FROM ${NODE_IMAGE}
WORKDIR /app
ENV LINKAGE_ENV=production NODE_ENV=production
# The gateway renders the bulletin's PDF with Chromium (REPORT_CHROMIUM_PATH), which needs a CJK
# font to draw Chinese; poppler and the rest are for development only. tini is the container's
# first process: it passes signals on to node and reaps the processes Chromium leaves behind, which
# node, as process 1, would not.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei tini && rm -rf /var/lib/apt/lists/*
# Owned by root and read-only to the service's user: a compromised process cannot rewrite its code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at run time relative to the project root (config/index.ts PROJECT_ROOT: the folder above
# dist/): the subgraphs' SDL and the composed supergraph, the auditors' workbench, the bulletin report.
COPY --from=build /app/schema/*.graphql ./schema/
COPY --from=build /app/schema/shared/*.graphql ./schema/shared/
COPY --from=build /app/gateway/audit-ui ./gateway/audit-ui
COPY --from=build /app/gateway/reports-ui ./gateway/reports-ui
# uid 1000 (the image's `node`). It must be able to read its secrets: mount them readable by uid or
# gid 1000 (files 0400 owned by 1000, or 0440 with group 1000; in Kubernetes the pod's
# `fsGroup: 1000` with the Secret volume's `defaultMode` 0440). README: "Production shape".
USER node
# Ready (/ready: it can serve, its stores reached; platform/readiness.ts; the gateway: /health, as its
# /ready is 503 whenever any institution is down), on the port of whichever service this container
# runs (one image, four services: scripts/healthcheck.ts finds which).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
ENTRYPOINT ["tini", "--", "node", "dist/scripts/start.js"]
CMD ["gateway"]
