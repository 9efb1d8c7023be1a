# benchcmp in a small image: build with the Rust toolchain, run on distroless (glibc, CA
# certificates, no shell). The query pack is built into the binary; mount your config,
# pack and snapshots at /work.
#   docker build -t benchcmp .
#   docker run --rm -v "$PWD:/work" benchcmp --baseline weekly --candidate rest-run
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY queries queries
COPY examples examples
COPY scripts scripts
RUN cargo build --release --locked --bin benchcmp

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/benchcmp /usr/local/bin/benchcmp
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/benchcmp"]
