# Multi-stage build: compile in the Rust image, run in a slim Debian as a non-root user.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo .cargo
COPY src src
COPY migrations migrations
COPY api-spec api-spec
COPY demo demo
COPY bench bench
# Compiled in: the templates and the stylesheet; and the texts whose example secrets the
# service refuses (config::EXAMPLE_TEXTS).
COPY templates templates
COPY static static
COPY README.md docker-compose.yml ./
COPY tests/api/helpers.rs tests/api/helpers.rs
RUN cargo build --release --locked && strip target/release/planloket

FROM debian:bookworm-slim
# libssl3: the bundled libpq links the system OpenSSL; ca-certificates: SMTP over TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/planloket --create-home planloket
COPY --from=build /src/target/release/planloket /usr/local/bin/planloket
USER planloket
WORKDIR /var/lib/planloket
ENV PLANLOKET_BIND=0.0.0.0:8080 \
    PLANLOKET_DATA_DIR=/var/lib/planloket
EXPOSE 8080
# Ready: the database answers and its migrations are current (GET /api/v1/health/ready).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/planloket", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/planloket"]
CMD ["serve"]
