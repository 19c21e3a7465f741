# Codex as a container: a static binary (no cgo: SQLite is modernc's pure-Go build) on
# distroless's static base, run as its non-root user. Build: docker build -t codex .
# deploy/deploy_test.go builds the binary with exactly the flags of the RUN line below
# and checks it is static and serves as a non-root user (no registry is needed for that).

FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=container
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.buildVersion=${VERSION}" -o /out/codex . && \
    mkdir -p /out/instance

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/codex /usr/local/bin/codex
# The instance directory (embedded database, development key), owned by "nonroot".
COPY --from=build --chown=65532:65532 /out/instance /var/lib/codex
ENV CODEX_INSTANCE=/var/lib/codex \
    CODEX_LISTEN=:5010 \
    CODEX_LOG_FORMAT=json
VOLUME /var/lib/codex
EXPOSE 5010
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/codex"]
CMD ["serve"]
