import pytest

from accounts.jwt import local_jwks, mint_local_token, verify_token


def test_local_issuer_token_round_trips_through_the_same_verification():
    token = mint_local_token(email="dev@example.com", ttl_seconds=60)
    verified = verify_token(token)
    assert verified.email == "dev@example.com"
    assert verified.user_id.startswith("user_")
    assert local_jwks()["keys"][0]["kty"] == "RSA"


@pytest.mark.django_db
def test_unknown_api_url_is_a_json_404(api):
    response = api.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found", "status_code": 404, "code": "not_found"}
