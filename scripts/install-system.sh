#!/usr/bin/env bash
# Installs the system packages docgen needs on Debian 12: the one install path for
# developers, CI and the Dockerfile. Idempotent: a second run only checks.
set -euo pipefail

PACKAGES=(
  # WeasyPrint's native stack; libharfbuzz-subset0 makes CJK subsetting fast (FACTS.md: 10 s/page without it)
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig
  # free CJK faces: Noto CJK (宋/黑, rare name characters), LXGW WenKai (楷)
  fonts-noto-cjk fonts-lxgw-wenkai fonts-dejavu-core   # DejaVu: the Latin fallback fontconfig expects
  # DOCX round-trip and PDF-to-PNG checks used by the tests, and the benchmark baseline
  libreoffice-writer-nogui poppler-utils zbar-tools   # zbarimg: the tests decode the QR codes
  python3-uno   # bench/run: warm LibreOffice through unoserver, the baseline docgen is measured against
  # the services of a whole-region deployment, started by the tests on free ports (tests/services.py):
  # PostgreSQL (DOCGEN_DATABASE_URL) and Redis (DOCGEN_BROKER_URL, Celery)
  postgresql redis-server
  chromium   # the web page's tests drive Debian's browser through Playwright (no browser download)
  # a Python with venv, for the .venv that scripts/install.sh creates
  python3 python3-venv
)
FANDOL_DIR=/usr/local/share/fonts/fandol

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-system: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Fandol (GPL with font exception) is the only free face covering all of GB2312 in 仿宋 style; Debian
# ships it only inside texlive-lang-chinese, so take the .otf files out of that .deb without installing TeX.
if [ ! -f "$FANDOL_DIR/FandolFang-Regular.otf" ]; then
  echo "install-system: extracting Fandol fonts from texlive-lang-chinese"
  tmp=$(mktemp -d)
  ( cd "$tmp" && apt-get download texlive-lang-chinese >/dev/null 2>&1 \
      || { $SUDO apt-get update -qq && apt-get download texlive-lang-chinese; } )
  dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
  $SUDO mkdir -p "$FANDOL_DIR"
  find "$tmp/x" -name 'Fandol*.otf' -exec $SUDO cp {} "$FANDOL_DIR/" \;
  rm -rf "$tmp"
  $SUDO fc-cache -f "$FANDOL_DIR" >/dev/null
fi
echo "install-system: ok"
