# The dashboard as a container: gunicorn app:server as a non-root user (docs/deployment.md, "Container").
#   docker build -t decarb-dashboard .
#   docker run -p 127.0.0.1:8000:8000 -e DECARB_ENV=production -e DECARB_SECRET_KEY=... \
#       -e DECARB_TRUST_PROXY=<the proxy's address> -v decarb-data:/srv/decarb decarb-dashboard
# Run it behind the reverse proxy of docs/deployment.md, as on a server.
FROM python:3.12-slim-bookworm

# Pango and DejaVu fonts (with ŵ and ŷ), which WeasyPrint needs to write the report pack's PDF.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The service's own user, with no login shell and no home of its own to write in but the data directory.
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin decarb \
    && mkdir -p /srv/decarb && chown decarb:decarb /srv/decarb

WORKDIR /app
COPY pyproject.toml README.md ./
COPY decarb_dashboard ./decarb_dashboard
COPY uploads_schema ./uploads_schema
COPY sample_data ./sample_data
COPY app.py gunicorn.conf.py ./
RUN pip install --no-cache-dir ".[serve]"

ENV PYTHONUNBUFFERED=1 \
    DECARB_DATA_DIR=/srv/decarb \
    DECARB_BIND=0.0.0.0:8000
VOLUME ["/srv/decarb"]
EXPOSE 8000
USER decarb:decarb
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "app:server"]
