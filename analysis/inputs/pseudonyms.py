"""Keyed pseudonyms for donor ids (HMAC-SHA256) and the key they are made with.

The same donor keeps the same pseudonym from run to run while the original id
cannot be recovered without the key. The key comes from WORKBOOK_PSEUDONYM_KEY
or a key file outside the project; simulated visits use a fixed public key.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import config
from analysis.errors import InputNote, PseudonymKeyError
from analysis.inputs.identifiers import drop_identifiers
from analysis.inputs.values import encode_values

KEY_ENV = "WORKBOOK_PSEUDONYM_KEY"
KEY_FILE_ENV = "WORKBOOK_KEY_FILE"
KEY_BYTES = 32
MIN_KEY_BYTES = 16
PSEUDONYM_HEX = 16  # 64 bits; see `pseudonymise` for the collision odds


# ------------------------------------------------------------------ pseudonyms


def pseudonymise(ids: pd.Series, key: bytes, length: int = PSEUDONYM_HEX) -> pd.Series:
    """A keyed pseudonym for each id: HMAC-SHA256(key, id) as `length` hex characters.

    The id is hashed as its text, NFC-normalised and stripped of surrounding
    spaces, with whole numbers written without ".0", so 1234, 1234.0, "1234"
    and " 1234 " get one pseudonym. Empty ids stay NA. The result is a
    string[pyarrow] Series with the same index and name.

    Collisions: 16 hex characters are 64 bits. Among n distinct donors the
    chance that any two share a pseudonym is about n² / 2⁶⁵: 3·10⁻⁸ for a
    million donors, 3·10⁻⁶ for ten million. Pass a larger `length` (up to 64)
    if that is not small enough.

    Each distinct id is hashed once and mapped back to the rows through
    factorize codes, so the cost follows the number of donors, not of visits.
    """
    codes, pseudonyms = _pseudonym_codes(ids, key, length)
    if len(pseudonyms) == 0:
        return pd.Series(pd.NA, index=ids.index, name=ids.name, dtype="string[pyarrow]")
    taken = pa.array(pseudonyms, type=pa.string()).take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=ids.index, name=ids.name)


def pseudonym_categorical(ids: pd.Series, key: bytes, length: int = PSEUDONYM_HEX) -> pd.Series:
    """`pseudonymise` as a categorical: each pseudonym held once, categories in order of
    first appearance (so the same rows give the same frame whatever the file format).

    Ten million visits of 2.6 million donors take 40 MB of codes and the
    pseudonyms once, where a column of strings would take a string a row.
    """
    codes, pseudonyms = _pseudonym_codes(ids, key, length)
    if _in_order_of_appearance(codes):  # ids read from a CSV already are: nothing to renumber
        order, seen = codes, np.arange(int(codes.max()) + 1 if codes.size else 0)
    else:
        given = codes >= 0
        order = np.full(len(codes), -1, dtype=np.int32 if len(pseudonyms) < 2**31 else np.int64)
        first_seen, seen = pd.factorize(codes[given] if not given.all() else codes)
        order[given] = first_seen
    categories = pd.Index(np.asarray(pseudonyms, dtype=object)[seen], dtype=object)
    try:
        values = pd.Categorical.from_codes(order, categories=categories, validate=False)
    except ValueError:  # two ids with one 64-bit pseudonym (odds ~n²/2⁶⁵): they become one
        merged, distinct = pd.factorize(categories.to_numpy())
        values = pd.Categorical.from_codes(np.append(merged, -1)[order],
                                           categories=pd.Index(distinct, dtype=object))
    return pd.Series(values, index=ids.index, name=ids.name)


def _in_order_of_appearance(codes: np.ndarray) -> bool:
    """Codes with no gap (-1) numbering their values 0, 1, 2... as each first appears."""
    if codes.size == 0 or codes.min() < 0:
        return False
    seen = np.maximum.accumulate(codes)
    return bool(seen[0] == 0 and not (np.diff(seen) > 1).any())


def _pseudonym_codes(ids: pd.Series, key: bytes, length: int) -> tuple[np.ndarray, list[str]]:
    """Codes of the rows (-1: no id) into the pseudonyms of the distinct ids of `ids`.

    Ids written differently that `_id_text` makes one (spaces, '.0') share one
    pseudonym; ids that are already tidy text, as the loader leaves them, are
    hashed as they are and not merged again.
    """
    if not isinstance(key, bytes | bytearray) or not key:
        raise ValueError("the pseudonym key must be non-empty bytes")
    if not 8 <= length <= 64:
        raise ValueError(f"length must be between 8 and 64 hex characters, got {length}")
    codes, uniques = encode_values(ids)  # the loader's own column encoding
    if len(uniques) == 0:
        return np.full(len(ids), -1, dtype=np.intp), []
    texts, as_given = _id_texts(uniques)
    digests = _hmac_hex(bytes(key), texts, length)
    if as_given:
        return np.asarray(codes), digests
    pseudo_codes, pseudonyms = pd.factorize(np.array(digests, dtype=object))
    # ids that differ only in spaces or '.0' share one pseudonym: map both codes onto it
    codes = np.where(codes >= 0, pseudo_codes.take(codes, mode="clip"), -1)
    return codes, pseudonyms.astype(object).tolist()


# text that _id_text leaves as it is: printable ASCII, no space at either end
_TIDY_ID = r"^[!-~](?:[ -~]*[!-~])?$"


def _id_texts(uniques: list) -> tuple[list, bool]:
    """`_id_text` of each distinct id, and whether every one is the id itself.

    Many ids (a donor file) are checked at once by Arrow; only the others are
    looked at one by one.
    """
    if len(uniques) >= 512:
        try:
            text = pa.array(uniques, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
            text = None
        if text is not None:
            tidy = pc.match_substring_regex(text, _TIDY_ID).to_numpy(zero_copy_only=False)
            texts = list(uniques)
            for k in np.flatnonzero(~tidy):
                texts[k] = _id_text(uniques[k])
            return texts, bool(tidy.all())
    texts = [_id_text(v) for v in uniques]
    return texts, all(type(v) is str and t == v for v, t in zip(uniques, texts, strict=True))


def _id_text(value: object) -> str | None:
    if type(value) is str:
        text = value.strip()
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        return text or None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    elif isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The key padded to SHA-256's block and xor-ed with RFC 2104's inner and outer pads:
    HMAC(key, m) = SHA256(outer + SHA256(inner + m)). The large-file engine hashes with them in SQL."""
    block = 64
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _hmac_hex(key: bytes, texts: Iterable[str | None], length: int) -> list[str | None]:
    """HMAC-SHA256 (RFC 2104) of many messages under one key.

    Same result as `hmac.new(key, msg, "sha256")`; the padded key's inner and
    outer states are hashed once and copied for each message, which is about
    twice as fast as building an HMAC object per id.
    """
    inner_pad, outer_pad = hmac_pads(key)
    inner, outer = hashlib.sha256(inner_pad), hashlib.sha256(outer_pad)
    inner_copy, outer_copy = inner.copy, outer.copy  # bound once: this loop runs per donor
    out: list[str | None] = []
    append = out.append
    for text in texts:
        if text is None:
            append(None)
            continue
        i = inner_copy()
        i.update(text.encode("utf-8"))
        o = outer_copy()
        o.update(i.digest())
        append(o.hexdigest()[:length])
    return out


# ----------------------------------------------------------------------- the key


def default_key_file() -> Path:
    return Path.home() / ".config" / "giotmau-workbook" / "pseudonym.key"


def key_file() -> Path:
    """Where the key file is: $WORKBOOK_KEY_FILE, else ~/.config/giotmau-workbook/pseudonym.key."""
    named = os.environ.get(KEY_FILE_ENV, "").strip()
    return Path(named).expanduser().absolute() if named else default_key_file()


def load_key() -> bytes:
    """The key of the pseudonyms.

    From $WORKBOOK_PSEUDONYM_KEY (hex digits are read as bytes, anything else
    as UTF-8 text), else from the key file (`key_file()`), which is created on
    first use with 32 random bytes (written as 64 hex digits, mode 0600). The
    same key gives the same pseudonyms: keep the file (or its contents, which
    work as $WORKBOOK_PSEUDONYM_KEY) as long as results must stay comparable,
    and never inside the repository or a reports folder.
    """
    text = os.environ.get(KEY_ENV)
    if text is not None:
        if not text.strip():
            raise PseudonymKeyError(f"${KEY_ENV} is set but empty: unset it or give a key")
        return _checked_strength(_key_from_text(text), f"${KEY_ENV}")
    path = key_file()
    _check_location(path)
    try:
        if not path.exists():
            _create_key_file(path)
        return _read_key_file(path)
    except OSError as exc:
        raise PseudonymKeyError(
            f"the pseudonym key file {path} cannot be read or created ({exc.strerror}): "
            f"fix that, or point ${KEY_FILE_ENV} at another file, or set ${KEY_ENV}") from None


def _key_from_text(text: str) -> bytes:
    text = text.strip()
    if len(text) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", text):
        return bytes.fromhex(text)
    return text.encode("utf-8")


def _checked_strength(key: bytes, where: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        warnings.warn(f"the pseudonym key from {where} is short ({len(key)} bytes): "
                      f"use {KEY_BYTES} random bytes, e.g. python -c "
                      "'import secrets; print(secrets.token_hex(32))'", stacklevel=3)
    return key


def _check_location(path: Path) -> None:
    """Refuse a key file in the repository or in a reports folder (both get shared)."""
    candidates = {path, path.resolve()}
    root, reports = config.ROOT.resolve(), config.REPORTS.resolve()
    for p in candidates:
        if p.is_relative_to(root) or p.is_relative_to(config.ROOT):
            raise PseudonymKeyError(
                f"the pseudonym key file {path} is inside the project ({config.ROOT}), where "
                "it could be committed or shared: keep it outside, e.g. the default "
                f"{default_key_file()}, or set ${KEY_FILE_ENV} / ${KEY_ENV}")
        if p.is_relative_to(reports) or any(part.casefold() == "reports" for part in p.parent.parts):
            raise PseudonymKeyError(
                f"the pseudonym key file {path} is inside a reports folder, which is handed "
                f"to readers: keep it outside, e.g. the default {default_key_file()}, or set "
                f"${KEY_FILE_ENV} / ${KEY_ENV}")


def _create_key_file(path: Path) -> None:
    """Write a new random key; if another process wins the race, its key is kept."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = (secrets.token_bytes(KEY_BYTES).hex() + "\n").encode("ascii")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pseudonym-", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # atomic, and fails if the file exists
        except FileExistsError:
            return
        except OSError:  # a file system without hard links
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return
            with os.fdopen(fd, "wb") as f:
                f.write(data)
    finally:
        Path(tmp).unlink(missing_ok=True)
    warnings.warn(f"created a new pseudonym key file at {path}: keep it (and back it up) to keep "
                  "pseudonyms comparable between runs", InputNote, stacklevel=2)


def _read_key_file(path: Path) -> bytes:
    if not path.is_file():
        raise PseudonymKeyError(f"the pseudonym key file {path} is not a file")
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        warnings.warn(f"the pseudonym key file {path} can be read by other users: "
                      f"chmod 600 {path}", stacklevel=3)
    raw = path.read_bytes()
    try:
        key = _key_from_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        key = raw
    if not key:
        raise PseudonymKeyError(f"the pseudonym key file {path} is empty: delete it to have "
                                "a new one made (pseudonyms will change) or restore it")
    return _checked_strength(key, str(path))


# ------------------------------------------------------------------ visits


# Simulated donors are no one: their pseudonyms need no secret, and no key file is made.
SIMULATED_KEY = b"simulated-donors-public-key"


def protect_visits(frame: pd.DataFrame, key: bytes | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Drop direct identifiers, then pseudonymise donor_id with `key` (default `load_key()`).

    Returns the protected frame and the names of the columns dropped.
    """
    out, dropped = drop_identifiers(frame)
    if "donor_id" in out:
        out["donor_id"] = pseudonym_categorical(out["donor_id"],
                                                key if key is not None else load_key())
    return out, dropped
