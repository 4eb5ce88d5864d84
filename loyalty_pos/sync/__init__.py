"""Till side of sync: the ledger file (ledger_file.py); the outbox relay and the push/pull
client come with the rest of the sync work. Qt-free."""
