"""Till side of sync (docs/sync-protocol.md). Qt-free.

ledger_file  the signed, hash-chained ledger file (export; head office reads it back)
client       signed HTTP requests to head office (httpx), typed errors
push / pull  the ledger as files, outbox records with member snapshots; changes by cursor
apply        one pulled answer applied in one till transaction (incl. remote_sync entries)
cycle        sync_once and register_till; backfill queues history older than registration
relay        the schedule (30 s cycle, back-off with jitter) run on a thread by the till app
state        the sync settings and SyncState (pending, last success, offline, cap)
"""
