#!/bin/bash
# Deploys a tagged release of the shop: fetch it, check it, unpack it, run its own
# installer from the release folder, tidy up.
set -euo pipefail
APP_DIR=/srv/shop
VERSION="${1:?usage: deploy-release.sh VERSION}"
BASE="https://github.com/example/shop/releases/download/v${VERSION}"

cd "$APP_DIR/releases"
curl -fsSLO "$BASE/shop-${VERSION}.tar.gz"
curl -fsSLO "$BASE/SHA256SUMS"
sha256sum --ignore-missing -c SHA256SUMS
tar -xzf "shop-${VERSION}.tar.gz"
cd "shop-${VERSION}"
chmod +x install.sh bin/*
./install.sh --prefix "$APP_DIR/current"
cd ..
rm -f "shop-${VERSION}.tar.gz" SHA256SUMS

# The compose plugin, installed like its documentation says.
curl -fsSL "https://github.com/docker/compose/releases/download/v2.27.0/docker-compose-linux-x86_64" \
  -o /usr/local/lib/docker/cli-plugins/docker-compose
chmod +x /usr/local/lib/docker/cli-plugins/docker-compose
docker compose version

echo "Deployed ${VERSION}. To roll back: curl -fsSL https://deploy.example.com/rollback.sh | bash -s -- PREVIOUS"
