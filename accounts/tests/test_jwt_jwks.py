"""JWT authentication against an external issuer's JWKS, served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from rest_framework.test import APIClient

from accounts.jwt import reset_key_caches, verify_token
from accounts.models import UserProfile

ISSUER = "https://clerk.issuer.test"
AUDIENCE = "argus-api"
KID = "test-key-1"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _rsa_key()
OTHER_KEY = _rsa_key()


class JWKSServer:
    """Serves the public half of SIGNING_KEY as a JWKS and counts how often it is fetched."""

    def __init__(self) -> None:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
        jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
        body = json.dumps({"keys": [jwk]}).encode()
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/.well-known/jwks.json":
                    self.send_error(404)
                    return
                server.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def jwks_server():
    server = JWKSServer()
    yield server
    server.close()


@pytest.fixture
def issuer(settings, jwks_server):
    settings.ARGUS_JWT = {
        **settings.ARGUS_JWT,
        "JWKS_URL": jwks_server.url,
        "ISSUER": ISSUER,
        "AUDIENCE": AUDIENCE,
        "LEEWAY_SECONDS": 0,
    }
    reset_key_caches()
    jwks_server.fetches = 0
    yield jwks_server
    reset_key_caches()


def mint(key: rsa.RSAPrivateKey = SIGNING_KEY, kid: str = KID, **overrides: object) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "user_2abc123def456",
        "email": "jane@example.com",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def get_me(token: str):
    return APIClient(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/users/me")


def assert_refused(response, detail_part: str) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["status_code"] == 401
    assert detail_part.lower() in body["detail"].lower(), body
    assert set(body) <= {"detail", "status_code", "code"}
    assert "X-RateLimit-Remaining" in response


@pytest.mark.django_db
def test_a_token_from_the_issuer_is_accepted_and_the_jwks_is_fetched_once(issuer):
    response = get_me(mint())
    assert response.status_code == 200, response.content
    assert response.json()["user_id"] == "user_2abc123def456"
    assert response.json()["email"] == "jane@example.com"
    assert UserProfile.objects.filter(user_id="user_2abc123def456").count() == 1
    # More requests, and other tokens signed by the same key: the key set is not fetched again.
    for _ in range(3):
        assert get_me(mint()).status_code == 200
    assert get_me(mint(sub="user_other", email="o@example.com")).status_code == 200
    assert issuer.fetches == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"exp": int(time.time()) - 60, "iat": int(time.time()) - 660, "nbf": int(time.time()) - 660}, "expired"),
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"nbf": int(time.time()) + 300}, "not yet valid"),
        ({"exp": None}, "exp"),
        ({"sub": None}, "sub"),
    ],
    ids=["expired", "wrong-audience", "wrong-issuer", "not-yet-valid", "no-exp", "no-sub"],
)
def test_tokens_with_bad_claims_are_refused_in_the_error_shape(issuer, claims, detail):
    assert_refused(get_me(mint(**claims)), detail)
    assert not UserProfile.objects.exists()


@pytest.mark.django_db
def test_a_token_signed_by_another_key_is_refused(issuer):
    # Claiming the issuer's key id but signed with a different key: the signature does not verify.
    assert_refused(get_me(mint(key=OTHER_KEY)), "signature")
    # A key id the issuer does not publish.
    assert_refused(get_me(mint(key=OTHER_KEY, kid="unknown-kid")), "signing key")


@pytest.mark.django_db
def test_algorithm_confusion_and_garbage_are_refused(issuer):
    now = int(time.time())
    claims = {"sub": "user_x", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600}
    public_pem = SIGNING_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # HS256 "signed" with the public key as the HMAC secret (built by hand: PyJWT refuses to), and unsigned.
    signing_input = _b64(json.dumps({"alg": "HS256", "kid": KID})) + "." + _b64(json.dumps(claims))
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    hs256 = signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": KID})
    for token in (hs256, unsigned, "not.a.jwt", "garbage"):
        response = get_me(token)
        assert response.status_code == 401, token
        assert response.json()["status_code"] == 401
    malformed = APIClient(headers={"Authorization": "Bearer two parts"}).get("/api/v1/users/me")
    assert malformed.status_code == 401
    assert malformed.json()["status_code"] == 401


@pytest.mark.django_db
def test_an_unreachable_jwks_is_a_401_not_a_500(settings, issuer):
    settings.ARGUS_JWT = {**settings.ARGUS_JWT, "JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json"}
    assert_refused(get_me(mint()), "signing key")


@pytest.mark.django_db
def test_a_remembered_token_still_expires_and_follows_the_settings(settings, issuer):
    token = mint(exp=int(time.time()) + 2)
    assert get_me(token).status_code == 200
    assert verify_token(token).user_id == "user_2abc123def456"
    # Remembered, yet verified anew under other issuer settings: this audience no longer matches.
    settings.ARGUS_JWT = {**settings.ARGUS_JWT, "AUDIENCE": "another-audience"}
    assert_refused(get_me(token), "audience")
    settings.ARGUS_JWT = {**settings.ARGUS_JWT, "AUDIENCE": AUDIENCE}
    assert get_me(token).status_code == 200
    time.sleep(2.1)
    assert_refused(get_me(token), "expired")
