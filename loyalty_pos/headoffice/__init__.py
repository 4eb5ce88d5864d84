"""Head office: its database (db.py, models.py, migrations/headoffice), ledger file import
(importer.py), the benchmark (bench.py) and the `loyalty-headoffice` command (cli.py).
Headless: never imports Qt, the till UI or devices."""
