# docgen: the same install path as developers and CI (scripts/install.sh).
FROM debian:bookworm-slim
WORKDIR /app
COPY . .
RUN scripts/install.sh && rm -rf /var/lib/apt/lists/*
ENV DOCGEN_HOST=0.0.0.0 DOCGEN_PORT=8000 DOCGEN_DATA_DIR=/data
VOLUME /data
EXPOSE 8000
CMD [".venv/bin/docgen", "serve"]
