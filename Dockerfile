# One image for every depinscore service.
FROM rust:1.89-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p depinscore && cp target/release/depinscore /depinscore

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /depinscore /usr/local/bin/depinscore
COPY crates/depinscore/settings-template.toml /etc/depinscore/settings.toml
ENV DEPINSCORE_CONFIG=/etc/depinscore/settings.toml
ENTRYPOINT ["depinscore"]
