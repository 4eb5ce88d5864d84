#!/usr/bin/env bash
# Upgrade the head-office service to a new release, the safe way round:
#   stop -> back up (pg_dump) -> install -> alembic upgrade head -> switch -> start.
#
#   sudo installers/headoffice/upgrade.sh /opt/loyalty-headoffice/releases/NEW
#
# NEW is an unpacked release (source tree with migrations/ and installers/) in which
#   python3 -m venv venv && venv/bin/pip install -e '.[headoffice]'
# has been run (or this script runs it). /opt/loyalty-headoffice/current points at the running
# release; it is switched only after the schema upgrade worked. On failure the old release
# and the pre-upgrade dump are there to go back to (docs/installing.md, "Rolling back").
#
# The head-office alembic environment is migrations/headoffice;
# it reads the database URL from LOYALTY_HEADOFFICE_DB.
set -euo pipefail

NEW="$(cd "${1:?usage: upgrade.sh RELEASE_DIR}" && pwd)"
BASE="${LOYALTY_HEADOFFICE_BASE:-/opt/loyalty-headoffice}"
ENV_FILE="${LOYALTY_HEADOFFICE_ENV:-/etc/loyalty-headoffice/headoffice.env}"
SERVICE=loyalty-headoffice
RUN_AS=loyalty-headoffice

set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a

if [ ! -x "$NEW/venv/bin/python" ]; then
    python3 -m venv "$NEW/venv"
    "$NEW/venv/bin/pip" install -q -e "$NEW[headoffice]"
fi
echo "== new release: $("$NEW/venv/bin/python" -c 'import loyalty_pos; print(loyalty_pos.__version__)')"

echo "== stop $SERVICE"
systemctl stop "$SERVICE"

echo "== back up the database before the upgrade"
runuser -u "$RUN_AS" --preserve-environment -- "$NEW/installers/headoffice/pg-backup.sh" pre-upgrade

echo "== upgrade the schema (alembic upgrade head)"
runuser -u "$RUN_AS" --preserve-environment -- \
    "$NEW/venv/bin/alembic" -c "$NEW/migrations/headoffice/alembic.ini" upgrade head

echo "== switch $BASE/current to $NEW and start"
ln -sfn "$NEW" "$BASE/current"
systemctl start "$SERVICE"
systemctl --no-pager --lines=5 status "$SERVICE"
