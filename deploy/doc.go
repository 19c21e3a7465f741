// Package deploy holds Codex's packaging besides the Dockerfile and compose.yaml at the
// repository root: the systemd unit (codex.service) and Keycloak's realm for the compose
// stack (keycloak/realm.json). Its test builds the binary with the Dockerfile's flags and
// checks that it is static and serves as a non-root user.
package deploy
