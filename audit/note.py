"""Checkpoints in the C2SP tlog-checkpoint form, signed as C2SP signed notes.

A checkpoint body is three lines::

    <origin>
    <tree size, decimal>
    <root hash, standard base64>

A signed note is the body, a blank line, then one signature line per key::

    — <key name> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>

where the key id is the first four bytes of
``SHA-256(key name || 0x0A || 0x01 || public key)`` and the signature covers the
body including its final newline. The verifier key a regulator is given is the
text ``<name>+<hex key id>+<base64(0x01 || public key)>``, the form Go's
``golang.org/x/mod/sumdb/note`` and the transparency-dev tools read, so a
checkpoint can also be checked with those tools.

Pure functions, no Django (``audit.signing`` loads the key from settings).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALGORITHM_ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "  # em dash, space


class NoteError(ValueError):
    """A malformed note, an unknown key or a signature that does not verify.

    Not on ``core.errors``: this module stays free of Django, and the error is
    reported as a problem of the log or a misconfigured key, never shown as a
    refusal."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(),
                 *self.extensions]
        return "\n".join(lines) + "\n"


def _check_name(name: str) -> None:
    if not name or any(char.isspace() or char == "+" for char in name):
        raise NoteError("a key name must be non-empty, without spaces or '+'")


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALGORITHM_ED25519]) + public_key).digest()[:4]


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    def encode(self) -> str:
        raw = bytes([ALGORITHM_ED25519]) + public_bytes(self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(raw).decode()}"


def verifier_for(name: str, key: Ed25519PrivateKey | Ed25519PublicKey) -> Verifier:
    _check_name(name)
    raw = public_bytes(key)
    return Verifier(name=name, key_id=key_id(name, raw), public_key=Ed25519PublicKey.from_public_bytes(raw))


def parse_verifier(text: str) -> Verifier:
    """Read ``<name>+<hex id>+<base64(0x01 || key)>`` and check the id matches the key."""
    try:
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        identifier = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error) as error:
        raise NoteError("malformed verifier key") from error
    _check_name(name)
    if len(raw) != 33 or raw[0] != ALGORITHM_ED25519 or len(identifier) != 4:
        raise NoteError("verifier key is not an Ed25519 note key")
    if key_id(name, raw[1:]) != identifier:
        raise NoteError("verifier key id does not match its key")
    return Verifier(name=name, key_id=identifier, public_key=Ed25519PublicKey.from_public_bytes(raw[1:]))


def sign(body: str, *, name: str, key: Ed25519PrivateKey) -> str:
    """Return the signed note: body, blank line, one signature line."""
    _check_body(body)
    _check_name(name)
    signature = key.sign(body.encode())
    blob = base64.b64encode(key_id(name, public_bytes(key)) + signature).decode()
    return f"{body}\n{SIGNATURE_PREFIX}{name} {blob}\n"


def _check_body(body: str) -> None:
    if not body.endswith("\n") or "\n\n" in body:
        raise NoteError("a note text ends with one newline and has no blank line")
    if any(ord(char) < 0x20 and char != "\n" for char in body):
        raise NoteError("a note text holds no control characters")


def open_note(note: str, verifier: Verifier) -> str:
    """Return the body of ``note`` if ``verifier`` signed it; raise NoteError otherwise."""
    if len(note) > 1_000_000:
        raise NoteError("note too large")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note")
    body, signatures = note[: split + 1], note[split + 2:]
    _check_body(body)
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("malformed signature line")
        try:
            name, blob = line[len(SIGNATURE_PREFIX):].split(" ")
            raw = base64.b64decode(blob, validate=True)
        except (ValueError, binascii.Error) as error:
            raise NoteError("malformed signature line") from error
        if len(raw) < 5:
            raise NoteError("malformed signature line")
        if name != verifier.name or raw[:4] != verifier.key_id:
            continue  # another key's signature (a witness, say): not ours to judge
        try:
            verifier.public_key.verify(raw[4:], body.encode())
        except InvalidSignature as error:
            raise NoteError("signature does not verify") from error
        return body
    raise NoteError(f"no signature by {verifier.name}+{verifier.key_id.hex()}")


def parse_checkpoint(body: str) -> Checkpoint:
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash")
    origin, size_text, root_text, *rest = lines[:-1]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise NoteError("malformed tree size")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error as error:
        raise NoteError("malformed root hash") from error
    if len(root) != 32:
        raise NoteError("root hash is not 32 bytes")
    return Checkpoint(origin=origin, size=int(size_text), root=root, extensions=tuple(rest))


def open_checkpoint(note: str, verifier: Verifier, *, origin: str | None = None) -> Checkpoint:
    checkpoint = parse_checkpoint(open_note(note, verifier))
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint is for origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


def private_key_from_seed(encoded: str) -> Ed25519PrivateKey:
    """An Ed25519 key from a base64 (standard or URL-safe) 32-byte seed."""
    text = encoded.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        seed = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except binascii.Error as error:
        raise NoteError("the signing key is not base64") from error
    if len(seed) != 32:
        raise NoteError("the signing key must be a 32-byte Ed25519 seed")
    return Ed25519PrivateKey.from_private_bytes(seed)
