"""JWT verification, one code path for both issuers.

An external issuer (Clerk) publishes its keys at a JWKS URL; PyJWT's PyJWKClient fetches and caches
them. Without one, Argus is its own issuer: it keeps an RSA key pair in the data directory, serves the
public half as a JWKS, and `manage.py argus_token` mints tokens. Either way a token is checked by
`verify_token` with the same algorithm, issuer, audience, expiry and not-before rules.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

ALGORITHM = "RS256"


class TokenInvalid(Exception):
    pass


@dataclass(frozen=True)
class VerifiedToken:
    user_id: str
    email: str | None
    claims: dict[str, Any]


def _config() -> dict[str, Any]:
    return settings.ARGUS_JWT


# --- Local issuer ---------------------------------------------------------------------------------
_key_lock = threading.Lock()


@lru_cache(maxsize=4)
def _local_private_key(path: str) -> rsa.RSAPrivateKey:
    key_path = Path(path)
    with _key_lock:
        if not key_path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            key_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = key_path.with_suffix(".tmp")
            tmp.write_bytes(pem)
            tmp.chmod(0o600)
            tmp.replace(key_path)
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def local_private_key() -> rsa.RSAPrivateKey:
    return _local_private_key(_config()["LOCAL_KEY_PATH"])


def _kid(public_key: rsa.RSAPublicKey) -> str:
    numbers = public_key.public_numbers()
    return uuid.uuid5(uuid.NAMESPACE_OID, f"{numbers.n}:{numbers.e}").hex[:16]


def local_jwks() -> dict[str, Any]:
    public_key = local_private_key().public_key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public_key))
    jwk.update({"kid": _kid(public_key), "use": "sig", "alg": ALGORITHM})
    return {"keys": [jwk]}


def mint_local_token(*, email: str, user_id: str | None = None, ttl_seconds: int = 3600) -> str:
    """A token from the local issuer. `sub` defaults to a stable id derived from the email."""
    config = _config()
    key = local_private_key()
    now = int(time.time())
    claims = {
        "sub": user_id or "user_" + uuid.uuid5(uuid.NAMESPACE_URL, email.strip().lower()).hex[:24],
        "iss": config["ISSUER"],
        "aud": config["AUDIENCE"],
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        config["EMAIL_CLAIM"]: email,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": _kid(key.public_key())})


# --- Key resolution and verification --------------------------------------------------------------
@lru_cache(maxsize=8)
def _jwks_client(url: str, lifespan: int) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=lifespan, timeout=5)


def _signing_key(token: str) -> Any:
    config = _config()
    try:
        if config["JWKS_URL"]:
            return _jwks_client(config["JWKS_URL"], config["JWKS_CACHE_SECONDS"]).get_signing_key_from_jwt(token).key
        header = jwt.get_unverified_header(token)
        key_set = jwt.PyJWKSet.from_dict(local_jwks())
        for jwk in key_set.keys:
            if jwk.key_id == header.get("kid"):
                return jwk.key
    except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
        raise TokenInvalid(f"Unable to find a signing key for this token: {exc}") from exc
    raise TokenInvalid("Unable to find a signing key for this token")


# --- Verified-token cache ---------------------------------------------------------------------------
# A client sends the same token with every request until it expires; checking its RS256 signature and
# claims each time is most of the cost of a JWT request. A verified token is remembered (by its SHA-256,
# so the process holds no usable tokens) until it expires, and at most JWKS_CACHE_SECONDS, the time a
# key removed from the issuer's JWKS may go unnoticed anyway. The entry also records the issuer
# settings it was verified under, so changing them never serves an answer from the old ones.
VERIFIED_CACHE_SIZE = 4096
_verified: OrderedDict[bytes, tuple[float, tuple[Any, ...], VerifiedToken]] = OrderedDict()
_verified_lock = threading.Lock()


def _settings_fingerprint(config: dict[str, Any]) -> tuple[Any, ...]:
    return (
        config["JWKS_URL"],
        config["ISSUER"],
        config["AUDIENCE"],
        config["EMAIL_CLAIM"],
        config["LEEWAY_SECONDS"],
        config["LOCAL_KEY_PATH"],
    )


def reset_key_caches() -> None:
    """Forget fetched JWKS clients, the loaded local key and verified tokens (tests, key rotation)."""
    _local_private_key.cache_clear()
    _jwks_client.cache_clear()
    with _verified_lock:
        _verified.clear()


def verify_token(token: str) -> VerifiedToken:
    config = _config()
    digest = hashlib.sha256(token.encode()).digest()
    fingerprint = _settings_fingerprint(config)
    now = time.time()
    with _verified_lock:
        entry = _verified.get(digest)
        if entry is not None:
            valid_until, verified_under, verified = entry
            if valid_until > now and verified_under == fingerprint:
                _verified.move_to_end(digest)
                return verified
            del _verified[digest]
    verified = _verify_signature_and_claims(token, config)
    valid_until = min(float(verified.claims["exp"]), now + config["JWKS_CACHE_SECONDS"])
    with _verified_lock:
        _verified[digest] = (valid_until, fingerprint, verified)
        if len(_verified) > VERIFIED_CACHE_SIZE:
            _verified.popitem(last=False)
    return verified


def _verify_signature_and_claims(token: str, config: dict[str, Any]) -> VerifiedToken:
    try:
        claims = jwt.decode(
            token,
            _signing_key(token),
            algorithms=[ALGORITHM],
            audience=config["AUDIENCE"] or None,
            issuer=config["ISSUER"] or None,
            leeway=config["LEEWAY_SECONDS"],
            options={"require": ["exp", "sub"], "verify_aud": bool(config["AUDIENCE"])},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenInvalid("Token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenInvalid(f"Invalid token: {exc}") from exc
    email = claims.get(config["EMAIL_CLAIM"])
    return VerifiedToken(user_id=str(claims["sub"]), email=str(email) if email else None, claims=claims)
