# docgen: the same install path as developers and CI (scripts/install-system.sh, then pip).
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY scripts/install-system.sh scripts/install-system.sh
RUN ./scripts/install-system.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pip install --no-cache-dir -e .
ENV DOCGEN_HOST=0.0.0.0 DOCGEN_PORT=8000 DOCGEN_DATA_DIR=/data
VOLUME /data
EXPOSE 8000
CMD ["docgen", "serve"]
