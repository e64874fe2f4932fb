#!/usr/bin/env bash
# Install the Debian packages the project needs (WeasyPrint's Pango; the report fonts, Noto Sans for Latin
# text and Noto Sans CJK for Chinese; PDF tools; curl and jq for docs/api.md's walk-through; Chromium for the
# browser tests; redis-server, which the Redis outage test starts and kills itself), if missing.
set -euo pipefail

packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk poppler-utils gettext curl jq chromium redis-server)
missing=()
for package in "${packages[@]}"; do
  if [ "$package" = python3-venv ] && python3 -c 'import ensurepip, venv' 2>/dev/null; then
    continue  # this Python already makes virtual environments
  fi
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
