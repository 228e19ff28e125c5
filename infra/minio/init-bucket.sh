#!/bin/sh
# Run once by compose (minio-init) against a fresh or existing MinIO; every step is idempotent.
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
# Versioned: an overwritten or deleted object stays recoverable (backups, infra/README.md).
mc mb --ignore-existing local/stsec-documents
mc version enable local/stsec-documents
# Old versions go after 90 days; the documents' own versions are records in PostgreSQL.
mc ilm import local/stsec-documents < /stsec-documents-lifecycle.json
# The platform signs in as its own user, allowed only this bucket (not the root credentials).
mc admin policy create local stsec-documents /stsec-documents-policy.json
mc admin user add local "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
mc admin policy attach local stsec-documents --user "$S3_ACCESS_KEY" 2>/dev/null || true
echo "bucket stsec-documents ready"
