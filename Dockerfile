# syntax=docker/dockerfile:1
# One image for every depinscore service (docker-compose.yml): the `depinscore` binary as the
# entrypoint, its subcommand as the container's command.
#
#   docker build -t depinscore .                           # without Chromium: PDF reports answer 406
#   docker build -t depinscore --build-arg WITH_CHROMIUM=true .

# The toolchain must satisfy every locked dependency's rust-version (polars pulls in sysinfo
# 0.39, which needs Rust 1.95); Debian bookworm to match the runtime stage's glibc.
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
COPY . .
# The registry and target directory are build caches, so a rebuild after an edit is
# incremental; the binary is copied out of the cache mount.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p depinscore \
    && cp target/release/depinscore /usr/local/bin/depinscore

FROM debian:bookworm-slim AS runtime
# curl serves the compose health checks. Chromium (optional, about 300 MB) lets the API and
# `depinscore report` print PDF reports; everything else works without it.
ARG WITH_CHROMIUM=false
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && if [ "$WITH_CHROMIUM" = "true" ]; then \
         apt-get install -y --no-install-recommends chromium fonts-liberation; \
       fi \
    && rm -rf /var/lib/apt/lists/*
# A fixed non-root user. The directories exist in the image so that named volumes mounted on
# them start out owned by it: data/ (the default SQLite store), reports/out (report.out_dir),
# truth/ (the reference node's ground truth).
RUN groupadd --system --gid 10001 depinscore \
    && useradd --system --uid 10001 --gid depinscore --home-dir /var/lib/depinscore \
         --shell /usr/sbin/nologin depinscore \
    && mkdir -p /var/lib/depinscore/data /var/lib/depinscore/reports/out /var/lib/depinscore/truth \
    && chown -R depinscore:depinscore /var/lib/depinscore
COPY --from=build /usr/local/bin/depinscore /usr/local/bin/depinscore
# The template holds every default; DEPINSCORE__SECTION__KEY variables override any key.
COPY crates/depinscore/settings-template.toml /etc/depinscore/settings.toml
ENV DEPINSCORE_CONFIG=/etc/depinscore/settings.toml
WORKDIR /var/lib/depinscore
USER 10001:10001
# API, JSON-RPC and off-chain HTTP of the reference node, indexer metrics, Yellowstone gRPC.
EXPOSE 8080 8899 9100 10000
ENTRYPOINT ["depinscore"]
CMD ["--help"]
