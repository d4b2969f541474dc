#!/usr/bin/env bash
# Make sure the system libraries WeasyPrint loads (Pango, HarfBuzz subsetting) and a font
# are installed, for the coordination PDF report and its tests. Debian packages only.
set -euo pipefail
if ldconfig -p | grep -q 'libpangoft2-1.0.so.0' && ldconfig -p | grep -q 'libharfbuzz-subset.so.0' \
  && fc-list 2>/dev/null | grep -qi dejavu; then
  exit 0
fi
echo "WeasyPrint's libraries missing: installing Debian's pango, harfbuzz and DejaVu fonts" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core >/dev/null
