# One image for every service; docker-compose.yml picks the service with the start argument.
FROM node:20-bookworm-slim
WORKDIR /app
ENV LINKAGE_ENV=production
# The gateway renders the bulletin's PDF with Chromium (REPORT_CHROMIUM_PATH), which needs a CJK
# font to draw Chinese; poppler and the rest are for development only.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Dependencies' install scripts are not needed (see .npmrc).
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY config ./config
COPY schema ./schema
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY platform ./platform
COPY auth ./auth
COPY audit ./audit
COPY scripts ./scripts
USER node
ENTRYPOINT ["node", "--import", "tsx", "scripts/start.ts"]
CMD ["gateway"]
