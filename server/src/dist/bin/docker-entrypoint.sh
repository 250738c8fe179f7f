#!/bin/sh
# The container's entry point: every argument is a backupctl command run against the configuration
# file (default CMD: serve). CELLAR_CONFIG names another file than /etc/cellar/cellar.yaml.
set -eu

config=${CELLAR_CONFIG:-/etc/cellar/cellar.yaml}
if [ ! -f "$config" ]; then
    echo "cellar: no configuration file at $config: mount one there (docker run -v ./cellar.yaml:/etc/cellar/cellar.yaml:ro ...)" \
        "or set CELLAR_CONFIG; docker/cellar.yaml in the source is an example" >&2
    exit 1
fi
exec "$(dirname "$0")/backupctl" --config "$config" "$@"
