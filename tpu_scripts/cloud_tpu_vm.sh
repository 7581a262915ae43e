#!/usr/bin/env bash
# Run a jaxzoo experiment on every host of a Cloud TPU VM slice (v4-32, v5e-16, ...).
#
#   tpu_scripts/cloud_tpu_vm.sh TPU_NAME ZONE EXPERIMENT [--config.key=value ...]
#
# Copies this checkout to each host, installs jaxzoo with JAX's TPU wheels, and starts the same command on
# all hosts; `jaxzoo run --distributed` calls jax.distributed.initialize(), which on Cloud TPU finds its
# peers itself, and `fit` then shards each batch over the ("data",) mesh of every chip of every host.
# Data must be readable on each host: set JAXZOO_DATA_DIR below to a folder copied there (or use a
# tensorflow-datasets data_dir on a bucket).
set -euo pipefail
TPU=${1:?TPU name}; ZONE=${2:?zone}; EXPERIMENT=${3:?experiment name}; shift 3
REPO=$(cd "$(dirname "$0")/.." && pwd)
gcloud compute tpus tpu-vm scp --recurse --zone "$ZONE" --worker=all "$REPO" "$TPU":~/jaxzoo
gcloud compute tpus tpu-vm ssh "$TPU" --zone "$ZONE" --worker=all --command "
  cd ~/jaxzoo && python3 -m venv .venv && .venv/bin/pip install -q -e . 'jax[tpu]>=0.10,<0.11' &&
  JAXZOO_DATA_DIR=\${JAXZOO_DATA_DIR:-\$HOME/data} .venv/bin/jaxzoo run $EXPERIMENT --distributed $*"
