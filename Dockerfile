# Gregor: a Kafka-compatible broker. Build: docker build -t gregor .
# Run: docker run -p 9092:9092 -v gregor-data:/var/lib/gregor gregor

FROM node:20-bookworm-slim AS build
WORKDIR /app
# zstd-napi compiles its native binding with node-gyp.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    KAFKA_LOG_DIRS=/var/lib/gregor \
    KAFKA_LISTENERS=PLAINTEXT://:9092 \
    KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://localhost:9092
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
RUN mkdir -p /var/lib/gregor && chown node:node /var/lib/gregor
USER node
VOLUME ["/var/lib/gregor"]
EXPOSE 9092
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 \
  CMD ["node", "dist/bin/gregor.js", "healthcheck", "--bootstrap-server", "localhost:9092"]
# SIGTERM (docker stop) drains requests and writes the clean-shutdown marker before exiting 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/bin/gregor.js", "server", "--config", "config/server.properties"]
