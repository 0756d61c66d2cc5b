#!/bin/sh
# install-deps.sh: the Debian packages aif builds and tests with (run as root).
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential pkg-config ca-certificates xxd \
  libcurl4-openssl-dev libjansson-dev libsodium-dev libsqlite3-dev \
  libpcre2-dev libutf8proc-dev libxxhash-dev libopenblas-dev >/dev/null
