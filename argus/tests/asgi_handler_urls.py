"""A view reporting the thread and database connection that served it (test_asgi_handler)."""

import threading

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path


def where(request: HttpRequest) -> JsonResponse:
    connection.ensure_connection()
    return JsonResponse({"thread": threading.get_ident(), "connection": id(connection.connection)})


urlpatterns = [path("where", where)]
