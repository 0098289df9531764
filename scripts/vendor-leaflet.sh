#!/bin/sh
# Re-vendor Leaflet and Leaflet.markercluster from the npm registry at pinned versions into
# insyn/core/static/vendor/leaflet/ (see VERSION.md there). Needs npm; the app never needs it.
set -eu
LEAFLET=${1:-1.9.4}
CLUSTER=${2:-1.5.3}
DEST=$(cd "$(dirname "$0")/.." && pwd)/insyn/core/static/vendor/leaflet
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack --silent "leaflet@$LEAFLET" "leaflet.markercluster@$CLUSTER" >/dev/null
mkdir l c
tar xzf "leaflet-$LEAFLET.tgz" -C l
tar xzf "leaflet.markercluster-$CLUSTER.tgz" -C c
mkdir -p "$DEST/images" "$DEST/markercluster"
cp l/package/dist/leaflet.js l/package/dist/leaflet.css "$DEST/"
cp l/package/dist/images/* "$DEST/images/"
cp l/package/LICENSE "$DEST/LICENSE"
cp c/package/dist/leaflet.markercluster.js c/package/dist/MarkerCluster.css \
  c/package/dist/MarkerCluster.Default.css "$DEST/markercluster/"
cp c/package/MIT-LICENCE.txt "$DEST/markercluster/LICENSE"
sed -i '/^\/\/# sourceMappingURL=/d' "$DEST/leaflet.js" "$DEST/markercluster/leaflet.markercluster.js"
echo "Leaflet $LEAFLET and markercluster $CLUSTER in $DEST (update VERSION.md)"
