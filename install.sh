#!/usr/bin/env bash
# Kho Số — install everything on a fresh Debian machine and start the embedded default.
#   ./install.sh             install, prepare data, start web server + worker with a demo account
#   ./install.sh --no-start  install only (used by ./test.sh)
set -euo pipefail
cd "$(dirname "$0")"

DEBIAN_PACKAGES=(tesseract-ocr tesseract-ocr-vie ghostscript qpdf pngquant unpaper poppler-utils
  chromium fonts-dejavu-core fonts-liberation fonts-liberation2 python3-venv libicu-dev pkg-config softhsm2
  time gcc libc6-dev)  # time: bench/ingest.py reads each command's peak memory from GNU time; gcc: khoso/ocr/_exec/line_images.c

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== Cài gói Debian / installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# Django 6 needs Python >= 3.12: Debian 13 ships it; older machines may have it under pyenv.
PYTHON=""
for candidate in python3.13 python3.12 python3 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    PYTHON=$(command -v "$candidate"); break
  fi
done
[ -n "$PYTHON" ] || { echo "Cần Python ≥ 3.12 / Python >= 3.12 is required" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "== Tạo môi trường ảo / creating the virtual environment with $PYTHON"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
# Bytecode of Kho Số's own modules: an editable install compiles none, and where PYTHONDONTWRITEBYTECODE
# is set (containers, some CI) every command compiles ≈ 540 modules again, ≈ 0.6 CPU-s per `khoso …`.
# Python checks each file's timestamp, so an edited module is compiled afresh, never stale.
.venv/bin/python -m compileall -q src/khoso
.venv/bin/python -m khoso.ocr._exec.line_images || echo "(tesseract's line images keep their PNG round trip)"
# The E-ARK validator pins an lxml older than pyHanko accepts: it gets a virtual environment of its
# own, which the package tests call as a separate program.
if [ ! -x .venv-eark/bin/python ]; then
  "$PYTHON" -m venv .venv-eark
fi
.venv-eark/bin/python -m pip install -q "eark-validator==1.1.3"

[ "${1:-}" = "--no-start" ] && exit 0
export OMP_THREAD_LIMIT=1
.venv/bin/khoso up
echo "Mở trình duyệt / open http://127.0.0.1:8000/ — tài khoản / account: demo / khoso-demo-2025"
