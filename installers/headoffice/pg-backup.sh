#!/usr/bin/env bash
# Back up the head-office PostgreSQL database with pg_dump, check the dump, keep N days.
#
#   pg-backup.sh [LABEL]        LABEL: nightly (default), pre-upgrade, manual ...
#
# Connection: libpq's variables (PGHOST, PGDATABASE, PGUSER, PGPASSFILE ...), e.g. from
# /etc/loyalty-headoffice/headoffice.env. Settings: BACKUP_DIR (default
# /var/backups/loyalty-headoffice), BACKUP_KEEP_DAYS (default 14; only "nightly" dumps are
# pruned, others stay until removed by hand), PG_BIN (folder of pg_dump, if not on PATH).
#
# A dump is written under a temporary name, listed with pg_restore (a dump that cannot be read
# back is no backup), then renamed: a dump with the final name is complete.
# Restore one (into an empty database): pg_restore --clean --if-exists --no-owner -d DB FILE
set -euo pipefail

LABEL="${1:-nightly}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/loyalty-headoffice}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
PG_DUMP="${PG_BIN:+$PG_BIN/}pg_dump"
PG_RESTORE="${PG_BIN:+$PG_BIN/}pg_restore"
DATABASE="${PGDATABASE:-loyalty_headoffice}"

case "$LABEL" in *[!a-z0-9-]*|"") echo "label must be lowercase letters, digits, -" >&2; exit 2 ;; esac
mkdir -p "$BACKUP_DIR"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
FILE="$BACKUP_DIR/headoffice-$DATABASE-$STAMP-$LABEL.dump"
trap 'rm -f "$FILE.partial"' EXIT

# custom format: compressed, restorable table by table; no owner/ACL statements so that it
# restores into a database owned by another role as well
"$PG_DUMP" --format=custom --compress=6 --no-owner --no-acl --file="$FILE.partial" "$DATABASE"
"$PG_RESTORE" --list "$FILE.partial" > /dev/null
sync "$FILE.partial" 2>/dev/null || sync
mv "$FILE.partial" "$FILE"
echo "backed up $DATABASE to $FILE ($(du -h "$FILE" | cut -f1))"

if [ "$LABEL" = nightly ]; then
    find "$BACKUP_DIR" -maxdepth 1 -name "headoffice-$DATABASE-*-nightly.dump" \
        -mtime +"$KEEP_DAYS" -print -delete | sed 's/^/removed old backup /'
fi
