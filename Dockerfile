# docgen: the same install path as developers and CI (scripts/install.sh).
FROM debian:bookworm-slim
WORKDIR /app
COPY . .
RUN scripts/install.sh && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin docgen \
 && mkdir -p /data && chown docgen:docgen /data
# Set at deployment (docker run -e …):
#   DOCGEN_PUBLIC_URL  the address staff and the public reach this service at, e.g. https://zc.example.gov.cn;
#                      QR codes on issued documents link to PUBLIC_URL/v1/verify/<id> (unset: 127.0.0.1:8000,
#                      which no other machine can open; `docgen serve` warns at start)
#   DOCGEN_SECRET_KEY  signs those links; unset: a random key generated once into /data/secret_key (mode 0600).
#                      Keep /data on a volume, or every restart makes a new key and old QR codes stop verifying.
#   DOCGEN_REQUIRE_API_KEY=true   units need a key (docker exec … .venv/bin/docgen keys create 单位名称)
#   DOCGEN_METRICS_TOKEN          protects /metrics
ENV DOCGEN_HOST=0.0.0.0 DOCGEN_PORT=8000 DOCGEN_DATA_DIR=/data HOME=/data
VOLUME /data
EXPOSE 8000
USER docgen
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD [".venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
CMD [".venv/bin/docgen", "serve"]
