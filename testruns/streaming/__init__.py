"""Server-Sent Events for runs: `GET /api/v1/stream/runs/{run_id}` and `POST /api/v1/stream/test`.

Raw ASGI applications routed in front of Django (see `routing.py` and `argus/asgi.py`): a stream is a
long-lived response that must watch the client, the channel layer and the clock at once, which a
Django view cannot do without holding a worker thread per connection.
"""
