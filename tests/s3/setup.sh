#!/usr/bin/env bash
# Builds MinIO (an S3-compatible object store that verifies AWS Signature Version 4) from
# the Go module proxy into target/bench/bin/minio, for the tests of bundles fetched from
# S3-compatible stores (crates/coresdk-engine/tests/bundle_s3.rs). MinIO tags no semver
# releases, so the pin is a module pseudo-version (checked against the Go checksum
# database by `go install`); kept when already built at that version.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
BIN=$PWD/target/bench/bin
STAMP=$BIN/minio.version
mkdir -p "$BIN"
command -v go >/dev/null || { echo "go is required (MinIO comes from the Go module proxy)" >&2; exit 1; }
if [ -x "$BIN/minio" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$MINIO_VERSION" ]; then
  echo "minio $MINIO_VERSION already built"
  exit 0
fi
echo "building minio $MINIO_VERSION"
GOBIN="$BIN" go install -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"
echo "$MINIO_VERSION" > "$STAMP"
echo "minio $MINIO_VERSION built"
