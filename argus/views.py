from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from accounts.jwt import local_jwks
from argus.errors import error_body


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The public keys of Argus's own issuer; absent when an external issuer is configured."""
    if settings.ARGUS_JWT["JWKS_URL"]:
        return JsonResponse(error_body(404, "Argus is not the token issuer here", code="not_found"), status=404)
    response = JsonResponse(local_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
