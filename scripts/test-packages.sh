#!/usr/bin/env bash
# The Debian packages the test suite needs; installs the missing ones when run as root,
# otherwise names them and exits 2. Used by `.ci/run` and by `npm test` (scripts/test.mjs).
#   redis-server, redis-tools        the test Redis and the clusters (redis-cli --cluster create)
#   libreoffice-writer-nogui         notice PDF preview (test/notice/notice-pdf.test.ts)
#   libreoffice-calc-nogui           Excel export rendered to PDF (test/reports/xlsx-export.test.ts)
#   poppler-utils                    pdftotext / pdftoppm for those tests
#   fontconfig, fonts-noto-cjk, fonts-arphic-ukai, fonts-arphic-gkai00mp   the CJK stand-in fonts
#   chromium                         dashboard browser tests (playwright-core never downloads one)
set -euo pipefail
PKGS="redis-server redis-tools libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fontconfig fonts-noto-cjk fonts-arphic-ukai fonts-arphic-gkai00mp chromium"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[rectify] installing the Debian packages the tests need:$missing" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
  else
    echo "[rectify] the tests need these Debian packages:$missing" >&2
    echo "          install them with: sudo apt-get install -y$missing" >&2
    exit 2
  fi
fi
for bin in redis-server redis-cli soffice pdftotext pdftoppm /usr/bin/chromium; do
  command -v "$bin" >/dev/null 2>&1 || { echo "[rectify] $bin is required (see scripts/test-packages.sh)" >&2; exit 2; }
done
