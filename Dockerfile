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
ENTRYPOINT ["/usr/local/bin/planloket"]
CMD ["serve"]
