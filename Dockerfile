# One image for every service; docker-compose.yml picks the service with the start argument.
FROM node:20-bookworm-slim
WORKDIR /app
ENV LINKAGE_ENV=production
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
