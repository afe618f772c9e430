#!/usr/bin/env bash
# Installs the system packages the test suite starts for real (see docs/DESIGN.md):
# an OCI registry, PostgreSQL, git, headless Chromium, podman + runc, busybox for tiny images.
# Idempotent: does nothing when everything is present.
set -euo pipefail

packages=(docker-registry postgresql git chromium podman runc busybox-static uidmap wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # services must not start on install: our fixtures start their own on free ports
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
