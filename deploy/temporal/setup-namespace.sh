#!/bin/sh
# Creates Kuji's namespace and the custom search attributes its workflows set (CampaignId,
# CampaignPhase, SenderAccount, NeedsAttention). Idempotent: an existing namespace is kept and
# the server skips search attributes that already exist, so it runs on every `docker compose up`.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
namespace=${KUJI_NAMESPACE:-default}
retention=${KUJI_NAMESPACE_RETENTION:-720h}
max_attempts=${KUJI_SETUP_MAX_ATTEMPTS:-60}

# The frontend port opens before the cluster serves requests, and a new namespace takes a few
# seconds to reach every service's cache, so each step is retried until it succeeds.
retry() {
  description=$1
  shift
  attempt=1
  until "$@"; do
    if [ "${attempt}" -ge "${max_attempts}" ]; then
      echo "temporal-namespace: gave up waiting for ${description} after ${attempt} attempts" >&2
      return 1
    fi
    echo "temporal-namespace: waiting for ${description} (attempt ${attempt}/${max_attempts})"
    attempt=$((attempt + 1))
    sleep 2
  done
}

namespace_exists() {
  temporal operator namespace describe --address "${TEMPORAL_ADDRESS}" --namespace "${namespace}" \
    >/dev/null 2>&1
}

create_namespace_unless_present() {
  namespace_exists ||
    temporal operator namespace create --address "${TEMPORAL_ADDRESS}" \
      --namespace "${namespace}" --retention "${retention}" ||
    namespace_exists
}

create_search_attributes() {
  temporal operator search-attribute create --address "${TEMPORAL_ADDRESS}" \
    --namespace "${namespace}" \
    --name CampaignId --type Keyword \
    --name CampaignPhase --type Keyword \
    --name SenderAccount --type Keyword \
    --name NeedsAttention --type Bool
}

retry 'the Temporal cluster to be healthy' \
  temporal operator cluster health --address "${TEMPORAL_ADDRESS}"
retry "namespace ${namespace}" create_namespace_unless_present
retry "the search attributes in ${namespace}" create_search_attributes
echo "temporal-namespace: namespace ${namespace} and Kuji's search attributes are ready"
