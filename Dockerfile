# syntax=docker/dockerfile:1
# Cellar's server image: backupctl serve as user cellar (uid 10001), PostgreSQL 15-18 server
# programs for verification restores. docs/operations.md, "Docker image"; docker-compose.yml is an
# example of its use.

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
# The cache mount keeps Maven's downloads between builds (BuildKit).
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package -pl server -am

FROM eclipse-temurin:21-jre
# curl for the health check only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 cellar \
    && useradd --uid 10001 --gid cellar --no-create-home --home-dir /var/lib/cellar --shell /usr/sbin/nologin cellar \
    && mkdir -p /var/lib/cellar /etc/cellar \
    && chown cellar:cellar /var/lib/cellar
COPY --from=build /src/server/target/cellar /opt/cellar
# The pgdist jars are unpacked on first use under /tmp (restore.postgres.PostgresInstallations).
ENV CELLAR_CONFIG=/etc/cellar/cellar.yaml \
    CELLAR_PG_DIST=/opt/cellar/pgdist \
    PATH=/opt/cellar/bin:$PATH
USER cellar
WORKDIR /var/lib/cellar
VOLUME ["/var/lib/cellar", "/etc/cellar"]
# The configuration must say server.listen: 0.0.0.0:8432 for the port to be reachable from outside.
EXPOSE 8432
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8432/health || exit 1
ENTRYPOINT ["/opt/cellar/bin/docker-entrypoint.sh"]
CMD ["serve"]
