#!/bin/sh
# Builds Codex with exactly the Dockerfile's go build flags and checks that the binary is
# static and serves as a non-root user (uid 65532 when run as root). No container
# registry or Docker daemon is needed. The first run rebuilds every package (-trimpath,
# CGO_ENABLED=0): several minutes.
set -eu
cd "$(dirname "$0")/.."
CODEX_PACKAGING_TEST=1 exec go test ./deploy -run 'TestContainerBinary|TestKeycloakRealm|TestSystemdUnit' -count=1 -v -timeout 45m
