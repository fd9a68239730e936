#!/usr/bin/env bash
# Installs the Debian packages the project needs beyond Python (Chromium for browser tests).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# tests/test_deploy.py checks deploy/ with `nginx -t`, `systemd-analyze verify` and a self-signed
# certificate, and runs nginx itself on 127.0.0.1: only the programs are needed, not a service.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Please install these Debian packages (as root): ${need[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
