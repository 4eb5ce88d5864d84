"""Head office's keys (docs/sync-protocol.md, "Names").

- The **master key**: 32 random bytes, hex in a key file (never in the database). Everything
  else is derived from it, so the database alone reveals no key.
- The **chain secret** = HMAC-SHA256(master, "loyalty-chain-secret"): signs ledger files and
  e-card QR codes; every till receives it at registration.
- A **till key** = HMAC-SHA256(master, "loyalty-till-key:{number}:{serial}"): signs the till's
  requests. The till row keeps only its serial and sha256; a new registration is a new serial,
  which revokes the old key.
- **Registration codes**: `XXXX-XXXX-XXXX` from an alphabet without look-alikes, printed once
  by `add-till`, stored as sha256, single use, valid for 7 days.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.chain import GENESIS_HASH
from ..core.errors import InvalidInput
from .db import default_sqlite_path
from .models import HOChainHead, HORegistrationCode, HOStore, HOTill

KEY_FILE_ENV = "LOYALTY_HEADOFFICE_KEY_FILE"
MASTER_KEY_BYTES = 32
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud, typed by hand
CODE_GROUPS, CODE_GROUP_LENGTH = 3, 4
CODE_VALID = timedelta(days=7)


def default_key_file() -> Path:
    """headoffice.key beside the default SQLite file."""
    return default_sqlite_path().with_name("headoffice.key")


def key_file_path(given: str | Path | None = None) -> Path:
    """--key-file, else $LOYALTY_HEADOFFICE_KEY_FILE, else the default."""
    if given:
        return Path(given)
    if os.environ.get(KEY_FILE_ENV):
        return Path(os.environ[KEY_FILE_ENV])
    return default_key_file()


def load_master_key(path: str | Path | None = None, *, create: bool = True) -> bytes:
    """The master key from its file; created (mode 0600, 32 random bytes in hex) when the file
    does not exist and `create` is true. A file that exists but holds no key is an error, never
    silently replaced: every till key and the chain secret depend on it."""
    path = key_file_path(path)
    if not path.exists():
        if not create:
            raise InvalidInput(f"the master key file {path} does not exist")
        return _create_master_key(path)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != MASTER_KEY_BYTES:
        raise InvalidInput(f"{path} does not hold a master key (64 hex digits)")
    return key


def master_key_for_service(session: Session, path: str | Path | None = None) -> bytes:
    """The master key the service runs with. Created only while no till holds a key: once
    tills are registered their keys (and the chain secret on every till) derive from the key
    in the file, and a missing file - a restore without it, a mistyped path - must stop the
    service instead of starting it with a new key that locks every till out."""
    path = key_file_path(path)
    if not path.exists():
        registered = session.scalar(select(func.count()).select_from(HOTill)
                                    .where(HOTill.key_serial > 0)) or 0
        if registered:
            raise InvalidInput(
                f"the master key file {path} does not exist, but {registered} till(s) hold "
                "keys derived from this head office's master key: restore the key file "
                "(docs/installing.md, \"The master key\") or give its path with --key-file; "
                "a new key would lock every till out")
    key = load_master_key(path)
    if path.stat().st_mode & 0o077:
        print(f"warning: the master key file {path} can be read by other users "
              "(chmod 600 it)", file=sys.stderr)
    return key


def _create_master_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(MASTER_KEY_BYTES)
    # O_EXCL: two services starting at once must not each write a different key
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        stream.write(key.hex() + "\n")
    return key


def chain_secret(master: bytes) -> bytes:
    return hmac.new(master, b"loyalty-chain-secret", hashlib.sha256).digest()


def till_key(master: bytes, number: int, serial: int) -> bytes:
    return hmac.new(master, f"loyalty-till-key:{number}:{serial}".encode(),
                    hashlib.sha256).digest()


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def new_registration_code() -> str:
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
              for _ in range(CODE_GROUPS))
    return "-".join(groups)


def normalise_code(code: str) -> str:
    """The code as add-till printed it: upper case, spaces dropped, dashes where they belong
    (a cashier may type it without dashes)."""
    plain = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(plain[i:i + CODE_GROUP_LENGTH]
                    for i in range(0, len(plain), CODE_GROUP_LENGTH))


def add_till(session: Session, store_code: str, number: int, now: datetime, *,
             store_name: str | None = None, name: str | None = None) -> tuple[HOTill, str]:
    """Create the store and till when missing (names updated when given) and a new
    registration code for the till. Returns the till and the code (shown once; only its sha256
    is stored). The till's earlier unused codes expire now."""
    store_code = store_code.strip()
    if not store_code or len(store_code) > 16:
        raise InvalidInput("the store code must be 1 to 16 characters")
    if number < 1:
        raise InvalidInput("the till number must be 1 or more")
    store = session.scalar(select(HOStore).where(HOStore.code == store_code))
    if store is None:
        store = HOStore(code=store_code, name=store_name or "", created_at=now)
        session.add(store)
        session.flush()
    elif store_name is not None:
        store.name = store_name
    till = session.scalar(select(HOTill).where(HOTill.number == number).with_for_update())
    if till is None:
        till = HOTill(number=number, store_id=store.id, origin_till_id=None,
                      origin_store_id=None, registered_at=now, name=name or "", key_serial=0)
        session.add(till)
        session.flush()
        session.add(HOChainHead(till_id=till.id, last_seq=0, last_hash=GENESIS_HASH,
                                updated_at=now))
    elif till.store_id != store.id:
        current = session.get(HOStore, till.store_id)
        raise InvalidInput(f"till {number} belongs to store {current.code if current else '?'}"
                           f", not {store_code}")
    if name is not None:
        till.name = name
    # a new code replaces the till's unused ones: a re-run means the last code was lost
    for old in session.scalars(select(HORegistrationCode).where(
            HORegistrationCode.till_id == till.id, HORegistrationCode.used_at.is_(None),
            HORegistrationCode.expires_at > now)):
        old.expires_at = now
    code = new_registration_code()
    session.add(HORegistrationCode(till_id=till.id, code_sha256=sha256_hex(code),
                                   created_at=now, expires_at=now + CODE_VALID))
    session.flush()
    return till, code
