#!/usr/bin/env bash
# Deploy AI Bootcamp to Cloud Run: one image (the API serving the built site), Cloud SQL for PostgreSQL 15 on a
# private IP only, secrets in Secret Manager, and the migrations run as a Cloud Run job before any traffic moves.
# Two database users: the owner (runs the migrations, owns the schema; its URL only the migration job can read) and
# the runtime role the service connects as (rows only, no DDL; the migration job grants it).
# Safe to re-run: a resource is created only when it is missing, and an existing secret is never replaced.
# The deploy flags match cloudbuild.yaml (tests/deploy checks both); change them together.
# Walkthrough: docs/cloud-run.md
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./deploy-cloud-run.sh [options]

Builds the image with Cloud Build, runs the database migrations as a Cloud Run job, deploys the
service and prints its URL. On the way it enables the APIs it needs and creates what is missing
(Artifact Registry repository, VPC network and private services access, service accounts,
secrets, database and its two users); what exists is left as it is.

The Cloud SQL instance gets a private IP and no public one; the service and the migration job reach
it through Direct VPC egress on --network/--subnet. The migration job connects as the owner
(secret database-owner-url) and grants the runtime user what the service needs; the service
connects as the runtime user (secret database-url) and can change rows, never the schema.

Options (environment variable and default in brackets):
  -p, --project ID          Google Cloud project [PROJECT_ID, else gcloud config]
  -r, --region REGION       region of Cloud Run, Artifact Registry and Cloud SQL [REGION, europe-west1]
  -s, --service NAME        Cloud Run service [SERVICE, aibootcamp-api]
      --repository NAME     Artifact Registry Docker repository [REPOSITORY, aibootcamp]
      --instance NAME       Cloud SQL instance in the same project and region [CLOUDSQL_INSTANCE, aibootcamp-db]
      --create-sql          create that instance (PostgreSQL 15, private IP only) when it is missing
      --sql-tier TIER       machine tier used by --create-sql [db-g1-small]
      --network NAME        VPC network of the instance's private IP and of Direct VPC egress [NETWORK, default];
                            created in auto mode when missing
      --subnet NAME         subnet in REGION for Direct VPC egress [SUBNET, the network's name]
      --database NAME       database [aibootcamp]
      --db-user NAME        owner: runs the migrations, owns the schema; created with a random password [aibootcamp]
      --db-runtime-user N   the service's user: rows only, no DDL; created with a random password [aibootcamp_app]
      --database-url URL    store this runtime DATABASE_URL (the service's) instead of creating the runtime user
      --owner-database-url URL
                            store this owner DATABASE_URL (the migration job's) instead of creating the owner
      --service-account N   the service's service account [aibootcamp-run]
      --migrate-service-account N
                            the migration job's service account [aibootcamp-migrate]
      --min-instances N     [1]
      --max-instances N     [8]; keep N x DB_POOL_MAX (5) under the instance's max_connections
      --public-url URL      origin used in mailed links (PUBLIC_APP_URL), e.g. https://bootcamp.example.com
      --tag TAG             image tag [git short SHA, else a UTC timestamp]
  -n, --dry-run             print every command instead of running it; needs neither gcloud nor network
  -h, --help                show this help

Examples:
  ./deploy-cloud-run.sh --project my-project --region europe-west1 --create-sql
  ./deploy-cloud-run.sh --dry-run --project my-project
EOF
}

die() {
  printf 'deploy-cloud-run.sh: %s\n' "$*" >&2
  exit 1
}

log() {
  printf '==> %s\n' "$*" >&2
}

# The root of the repository: Cloud Build uploads it and builds its Dockerfile.
script_dir=${BASH_SOURCE[0]%/*}
[[ $script_dir != "${BASH_SOURCE[0]}" ]] || script_dir=.
root=$(cd "$script_dir" && pwd)

project=${PROJECT_ID:-}
region=${REGION:-europe-west1}
service=${SERVICE:-aibootcamp-api}
repository=${REPOSITORY:-aibootcamp}
instance=${CLOUDSQL_INSTANCE:-aibootcamp-db}
create_sql=false
sql_tier=db-g1-small
network=${NETWORK:-default}
subnet=${SUBNET:-}
database=aibootcamp
db_user=aibootcamp
db_runtime_user=aibootcamp_app
database_url=''
owner_database_url=''
service_account=aibootcamp-run
migrate_service_account=aibootcamp-migrate
min_instances=1
max_instances=8
public_url=''
tag=''
dry_run=false

while [[ $# -gt 0 ]]; do
  case $1 in
    --*=*)
      # --name=value is read as --name value.
      set -- "${1%%=*}" "${1#*=}" "${@:2}"
      continue
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    -n | --dry-run)
      dry_run=true
      shift
      continue
      ;;
    --create-sql)
      create_sql=true
      shift
      continue
      ;;
  esac
  [[ $# -ge 2 && -n $2 ]] || die "unknown option or missing value: $1 (see --help)"
  case $1 in
    -p | --project) project=$2 ;;
    -r | --region) region=$2 ;;
    -s | --service) service=$2 ;;
    --repository) repository=$2 ;;
    --instance) instance=$2 ;;
    --sql-tier) sql_tier=$2 ;;
    --network) network=$2 ;;
    --subnet) subnet=$2 ;;
    --database) database=$2 ;;
    --db-user) db_user=$2 ;;
    --db-runtime-user) db_runtime_user=$2 ;;
    --database-url) database_url=$2 ;;
    --owner-database-url) owner_database_url=$2 ;;
    --service-account) service_account=$2 ;;
    --migrate-service-account) migrate_service_account=$2 ;;
    --min-instances) min_instances=$2 ;;
    --max-instances) max_instances=$2 ;;
    --public-url) public_url=$2 ;;
    --tag) tag=$2 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
  shift 2
done

# Checks that need no network come first, so a typo fails in a second instead of after the build.
[[ $service =~ ^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$ ]] ||
  die "service name '$service': up to 40 lower-case letters, digits and dashes"
for name in "$service_account" "$migrate_service_account"; do
  [[ $name =~ ^[a-z]([-a-z0-9]{4,28}[a-z0-9])$ ]] ||
    die "service account '$name': 6 to 30 lower-case letters, digits and dashes"
done
[[ $service_account != "$migrate_service_account" ]] ||
  die 'the service and the migration job need service accounts of their own (only the job may read the owner URL)'
subnet=${subnet:-$network}
for name in "$network" "$subnet"; do
  [[ $name =~ ^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
    die "network or subnet '$name': up to 63 lower-case letters, digits and dashes"
done
# A runtime URL given by hand names its user: that is the role the migration job must grant.
if [[ -n $database_url && $database_url =~ ^postgres(ql)?://([^:@/]+)[:@] ]]; then
  db_runtime_user=${BASH_REMATCH[2]}
fi
for name in "$db_user" "$db_runtime_user"; do
  [[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
    die "database user '$name': up to 63 lower-case letters, digits and underscores"
done
[[ $db_user != "$db_runtime_user" ]] ||
  die "--db-user and --db-runtime-user are both '$db_user': the service must not connect as the schema's owner"
[[ -z $database_url && -z $owner_database_url || -n $database_url && -n $owner_database_url ]] ||
  die '--database-url (the service, runtime user) and --owner-database-url (the migration job, owner) go together'
[[ $min_instances =~ ^(0|[1-9][0-9]*)$ && $max_instances =~ ^[1-9][0-9]*$ ]] ||
  die 'instance counts must be whole numbers (--max-instances at least 1)'
((min_instances <= max_instances)) ||
  die "--min-instances ($min_instances) is above --max-instances ($max_instances)"
[[ -z $public_url || $public_url =~ ^https?://[^/,]+$ ]] ||
  die "--public-url '$public_url': an origin such as https://example.com"

# A dry run with a known project touches nothing, so it needs no gcloud.
if [[ $dry_run == false || -z $project ]]; then
  command -v gcloud >/dev/null 2>&1 ||
    die 'gcloud not found: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)'
fi
if [[ -z $project ]]; then
  project=$(gcloud config get-value project 2>/dev/null || true)
fi
[[ -n $project && $project != '(unset)' ]] || die 'no project: pass --project ID or run: gcloud config set project ID'
if [[ $dry_run == false ]]; then
  account=$(gcloud auth list --filter=status:ACTIVE --format='value(account)' 2>/dev/null || true)
  [[ -n $account ]] || die 'not signed in: run gcloud auth login'
fi

# printf's own clock, so a dry run needs no date(1).
utc_stamp() {
  TZ=UTC printf '%(%Y%m%d-%H%M%S)T' -1
}

if [[ -z $tag ]]; then
  if sha=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
    tag=$sha
    # An image built from uncommitted files must not pass for that commit.
    if [[ -n $(GIT_OPTIONAL_LOCKS=0 git -C "$root" status --porcelain 2>/dev/null) ]]; then
      tag+="-dirty-$(utc_stamp)"
    fi
  else
    tag=$(utc_stamp)
  fi
fi
[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "image tag '$tag' is not a valid Docker tag"

image="${region}-docker.pkg.dev/${project}/${repository}/${service}:${tag}"
connection="${project}:${region}:${instance}"
sa_email="${service_account}@${project}.iam.gserviceaccount.com"
migrate_sa_email="${migrate_service_account}@${project}.iam.gserviceaccount.com"
# Private services access: a range of the network reserved for Google's side of the peering (Cloud SQL's IPs).
psa_range="google-managed-services-${network}"
job="${service}-migrate"
env_vars='ENVIRONMENT=production,MIGRATE_ON_START=false'
[[ -z $public_url ]] || env_vars+=",PUBLIC_APP_URL=${public_url}"
# gcloud must never stop to ask a question half-way through.
export CLOUDSDK_CORE_DISABLE_PROMPTS=1

# Prints arguments as a shell would read them back: plain words bare, anything else in single quotes.
quote_args() {
  local out='' arg sq="'" escaped="'\\''"
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then
      out+=" $arg"
    else
      out+=" '${arg//$sq/$escaped}'"
    fi
  done
  printf '%s' "${out# }"
}

# run CMD...: in a dry run, print it; otherwise echo it to stderr (as set -x would) and run it.
run() {
  if [[ $dry_run == true ]]; then
    printf '+ %s\n' "$(quote_args "$@")"
    return 0
  fi
  printf '+ %s\n' "$(quote_args "$@")" >&2
  "$@"
}

# exists CMD...: whether the describe command CMD finds its resource. A dry run asks nothing: it prints the
# check and answers "missing", so the commands that would create the resource are printed too.
exists() {
  if [[ $dry_run == true ]]; then
    printf '+ %s >/dev/null 2>&1 # when missing:\n' "$(quote_args "$@")"
    return 1
  fi
  "$@" >/dev/null 2>&1
}

# ensure LABEL DESCRIBE... :: CREATE...: runs CREATE only when DESCRIBE fails, so a re-run changes nothing.
ensure() {
  local label=$1
  local -a check=() create=()
  shift
  while [[ $# -gt 0 && $1 != '::' ]]; do
    check+=("$1")
    shift
  done
  [[ $# -gt 1 ]] || die "internal error: ensure $label needs '::' and a create command"
  shift
  create=("$@")
  if [[ $dry_run == true ]]; then
    printf '+ %s >/dev/null 2>&1 || %s\n' "$(quote_args "${check[@]}")" "$(quote_args "${create[@]}")"
    return 0
  fi
  if "${check[@]}" >/dev/null 2>&1; then
    log "$label exists; left as it is"
  else
    log "creating $label"
    run "${create[@]}"
  fi
}

# retry CMD...: IAM needs a few seconds to see a service account that was just created.
retry() {
  local attempt
  for attempt in 1 2 3 4; do
    if run "$@"; then
      return 0
    fi
    [[ $attempt == 4 ]] || sleep $((attempt * 5))
  done
  die "failed four times: $(quote_args "$@")"
}

# Exactly 32 random bytes, base64: the AES-256 key MFA_ENCRYPTION_KEY must be.
random_key_32() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 32 | tr -d '\n'
  else
    head -c 32 /dev/urandom | base64 | tr -d '\n'
  fi
}

random_secret() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 48 | tr -d '\n'
  else
    head -c 48 /dev/urandom | base64 | tr -d '\n'
  fi
}

# Hex only, so the password needs no escaping inside DATABASE_URL.
random_password() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex 24
  else
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'
  fi
}

# create_secret NAME VALUE: the value reaches gcloud on stdin (printf is a builtin, so it never shows in ps).
create_secret() {
  local -a create=(gcloud secrets create "$1" --project="$project" --replication-policy=automatic --data-file=-)
  if [[ $dry_run == true ]]; then
    printf '+ printf %%s %s | %s\n' "$(quote_args "$2")" "$(quote_args "${create[@]}")"
    return 0
  fi
  printf '+ printf %%s <hidden> | %s\n' "$(quote_args "${create[@]}")" >&2
  printf '%s' "$2" | "${create[@]}"
}

# set_db_password VERB USER PASSWORD: create the user or reset its password without echoing the password.
set_db_password() {
  local password=$3
  local -a cmd=(gcloud sql users "$1" "$2" --instance="$instance" --project="$project")
  if [[ $dry_run == true ]]; then
    printf '+ %s --password=%s\n' "$(quote_args "${cmd[@]}")" "$password"
    return 0
  fi
  printf '+ %s --password=<hidden>\n' "$(quote_args "${cmd[@]}")" >&2
  "${cmd[@]}" --password="$password"
}

database_ensured=false
ensure_database() {
  [[ $database_ensured == false ]] || return 0
  database_ensured=true
  ensure "database $database" \
    gcloud sql databases describe "$database" --instance="$instance" --project="$project" :: \
    gcloud sql databases create "$database" --instance="$instance" --project="$project"
}

# new_db_user USER SECRET: give USER a random password (creating the user when missing) and store its URL, through
# the Cloud SQL socket, as SECRET. The password lives only in the secret: never printed or written to disk.
new_db_user() {
  local user=$1 secret=$2 password
  ensure_database
  if [[ $dry_run == true ]]; then
    run openssl rand -hex 24
    password="<random password of $user>"
  else
    password=$(random_password)
  fi
  if exists gcloud sql users describe "$user" --instance="$instance" --project="$project"; then
    set_db_password set-password "$user" "$password"
  else
    set_db_password create "$user" "$password"
  fi
  # postgres.js needs a host in the URL; the app connects through the Cloud SQL socket named by ?host=.
  create_secret "$secret" "postgres://${user}:${password}@localhost/${database}?host=/cloudsql/${connection}"
}

if [[ $dry_run == true ]]; then
  printf '# dry run: nothing is created or changed; these are the commands a real run would use.\n'
fi
log "project $project, region $region, service $service, image $image"

log 'enabling the APIs (a no-op when they are on)'
run gcloud services enable run.googleapis.com sqladmin.googleapis.com artifactregistry.googleapis.com \
  secretmanager.googleapis.com cloudbuild.googleapis.com iam.googleapis.com compute.googleapis.com \
  servicenetworking.googleapis.com --project="$project"

log "Artifact Registry repository $repository"
ensure "Artifact Registry repository $repository" \
  gcloud artifacts repositories describe "$repository" --location="$region" --project="$project" :: \
  gcloud artifacts repositories create "$repository" --repository-format=docker --location="$region" \
  --project="$project" --description='AI Bootcamp images'

# The database lives on a private IP in this network; the service and the job reach it by Direct VPC egress.
log "VPC network $network and subnet $subnet ($region)"
ensure "VPC network $network" \
  gcloud compute networks describe "$network" --project="$project" :: \
  gcloud compute networks create "$network" --project="$project" --subnet-mode=auto
if [[ $dry_run == true ]]; then
  run gcloud compute networks subnets describe "$subnet" --region="$region" --project="$project" --format=none
elif ! gcloud compute networks subnets describe "$subnet" --region="$region" --project="$project" \
  --format=none 2>/dev/null; then
  die "subnet $subnet not found in $region: create it in network $network or pass --subnet (docs/cloud-run.md)"
fi

log "private services access on $network (the peering that gives Cloud SQL an address in it)"
ensure "allocated range $psa_range" \
  gcloud compute addresses describe "$psa_range" --global --project="$project" :: \
  gcloud compute addresses create "$psa_range" --global --project="$project" --purpose=VPC_PEERING \
  --prefix-length=16 --network="$network" --description='Cloud SQL private IPs (private services access)'
peerings=(gcloud services vpc-peerings list --network="$network" --service=servicenetworking.googleapis.com
  --project="$project" --format='value(peering)')
peering_connect=(gcloud services vpc-peerings connect --service=servicenetworking.googleapis.com
  --ranges="$psa_range" --network="$network" --project="$project")
if [[ $dry_run == true ]]; then
  printf '+ %s # when it prints nothing:\n' "$(quote_args "${peerings[@]}")"
  run "${peering_connect[@]}"
elif [[ -n $("${peerings[@]}" 2>/dev/null) ]]; then
  log "the peering with servicenetworking.googleapis.com exists; left as it is"
else
  run "${peering_connect[@]}"
fi

log "Cloud SQL instance $instance"
if [[ $create_sql == true ]]; then
  # Enterprise edition, because the shared-core tiers (db-f1-micro, db-g1-small) exist only there. No public IP:
  # nothing outside the network can even try a password; ENCRYPTED_ONLY refuses a connection in clear.
  ensure "Cloud SQL instance $instance" \
    gcloud sql instances describe "$instance" --project="$project" :: \
    gcloud sql instances create "$instance" --project="$project" --region="$region" --database-version=POSTGRES_15 \
    --edition=enterprise --tier="$sql_tier" --storage-type=SSD --storage-size=10 --storage-auto-increase \
    --availability-type=zonal --backup-start-time=03:00 --deletion-protection \
    --network="$network" --no-assign-ip --ssl-mode=ENCRYPTED_ONLY
elif [[ $dry_run == true ]]; then
  run gcloud sql instances describe "$instance" --project="$project" --format='value(settings.ipConfiguration.ipv4Enabled)'
elif ! public_ip=$(gcloud sql instances describe "$instance" --project="$project" \
  --format='value(settings.ipConfiguration.ipv4Enabled)' 2>/dev/null); then
  die "Cloud SQL instance $instance not found in $project: create it (docs/cloud-run.md) or pass --create-sql"
elif [[ ${public_ip,,} == true ]]; then
  log "WARNING: $instance has a public IP. Give it a private one and drop the public one (docs/cloud-run.md,"
  log "  'An instance created with a public IP'): gcloud sql instances patch $instance --network=$network --no-assign-ip"
fi

log "service accounts $sa_email (the service) and $migrate_sa_email (the migration job)"
ensure "service account $sa_email" \
  gcloud iam service-accounts describe "$sa_email" --project="$project" :: \
  gcloud iam service-accounts create "$service_account" --project="$project" \
  --display-name='AI Bootcamp on Cloud Run'
ensure "service account $migrate_sa_email" \
  gcloud iam service-accounts describe "$migrate_sa_email" --project="$project" :: \
  gcloud iam service-accounts create "$migrate_service_account" --project="$project" \
  --display-name='AI Bootcamp migrations (Cloud Run job)'
for email in "$sa_email" "$migrate_sa_email"; do
  retry gcloud projects add-iam-policy-binding "$project" --member="serviceAccount:$email" \
    --role=roles/cloudsql.client --condition=None --format=none
done

log 'secret jwt-secret-key (JWT_SECRET_KEY)'
if exists gcloud secrets describe jwt-secret-key --project="$project"; then
  log 'secret jwt-secret-key exists; kept, so signed-in users stay signed in'
elif [[ $dry_run == true ]]; then
  run openssl rand -base64 48
  create_secret jwt-secret-key '<random 48 bytes, base64>'
else
  create_secret jwt-secret-key "$(random_secret)"
fi

log 'secret mfa-encryption-key (MFA_ENCRYPTION_KEY)'
if exists gcloud secrets describe mfa-encryption-key --project="$project"; then
  log 'secret mfa-encryption-key exists; kept, so every authenticator app set up stays readable'
elif [[ $dry_run == true ]]; then
  run openssl rand -base64 32
  create_secret mfa-encryption-key '<random 32 bytes, base64>'
else
  create_secret mfa-encryption-key "$(random_key_32)"
fi

log "secret database-owner-url (the migration job's DATABASE_URL: $db_user, the schema's owner)"
if exists gcloud secrets describe database-owner-url --project="$project"; then
  log 'secret database-owner-url exists; kept as it is'
elif [[ -n $owner_database_url ]]; then
  create_secret database-owner-url "$owner_database_url"
elif exists gcloud secrets describe database-url --project="$project"; then
  # Before the split, database-url held the owner's URL and the service used it. Moving it is a one-time step.
  die "secret database-url exists but database-owner-url does not: this deployment predates the two database users; see docs/cloud-run.md, 'Upgrading to two database users'"
else
  new_db_user "$db_user" database-owner-url
fi

log "secret database-url (the service's DATABASE_URL: $db_runtime_user, rows only)"
if exists gcloud secrets describe database-url --project="$project"; then
  log 'secret database-url exists; kept as it is'
elif [[ -n $database_url ]]; then
  create_secret database-url "$database_url"
else
  # Cloud SQL makes it a cloudsqlsuperuser with CREATEDB and CREATEROLE; the migration job takes all three away.
  new_db_user "$db_runtime_user" database-url
fi

# Each account reads only its own secrets: the service never the owner's URL, the job never a key.
for secret in jwt-secret-key mfa-encryption-key database-url; do
  retry gcloud secrets add-iam-policy-binding "$secret" --project="$project" --member="serviceAccount:$sa_email" \
    --role=roles/secretmanager.secretAccessor --condition=None --format=none
done
retry gcloud secrets add-iam-policy-binding database-owner-url --project="$project" \
  --member="serviceAccount:$migrate_sa_email" --role=roles/secretmanager.secretAccessor --condition=None --format=none

log "building $image with Cloud Build"
run gcloud builds submit "$root" --project="$project" --tag="$image"

log "migrating the database with the Cloud Run job $job (same image)"
# As the owner, on the private IP; then it grants the runtime user (DATABASE_RUNTIME_USER) what the service needs.
run gcloud run jobs deploy "$job" --project="$project" --region="$region" --image="$image" \
  --command=node --args=api/dist/migrate-cli.js --set-cloudsql-instances="$connection" \
  --network="$network" --subnet="$subnet" --vpc-egress=private-ranges-only \
  --set-secrets=DATABASE_URL=database-owner-url:latest --set-env-vars="DATABASE_RUNTIME_USER=${db_runtime_user}" \
  --service-account="$migrate_sa_email" --tasks=1 --max-retries=0 --task-timeout=10m
run gcloud run jobs execute "$job" --project="$project" --region="$region" --wait

# The API refuses to start in production without PUBLIC_APP_URL (mailed links and OAuth redirects use it). A first
# deploy without --public-url gets the service's own run.app URL, which is known before the service exists:
# https://SERVICE-PROJECT_NUMBER.REGION.run.app. A later deploy keeps whatever is set (--update-env-vars), a custom
# domain included.
if [[ -z $public_url ]]; then
  service_json=''
  if exists gcloud run services describe "$service" --project="$project" --region="$region" --format=json; then
    service_json=$(gcloud run services describe "$service" --project="$project" --region="$region" --format=json)
  fi
  if [[ $service_json == *'"PUBLIC_APP_URL"'* ]]; then
    log 'PUBLIC_APP_URL is set on the service; kept'
  else
    if [[ $dry_run == true ]]; then
      run gcloud projects describe "$project" --format='value(projectNumber)'
      project_number='<project number>'
    else
      project_number=$(gcloud projects describe "$project" --format='value(projectNumber)')
    fi
    log "PUBLIC_APP_URL is unset: using https://${service}-${project_number}.${region}.run.app (pass --public-url for a custom domain)"
    env_vars+=",PUBLIC_APP_URL=https://${service}-${project_number}.${region}.run.app"
  fi
fi

log "deploying $service"
run gcloud run deploy "$service" --project="$project" --region="$region" --image="$image" --port=8080 \
  --service-account="$sa_email" --add-cloudsql-instances="$connection" \
  --network="$network" --subnet="$subnet" --vpc-egress=private-ranges-only \
  --update-secrets=JWT_SECRET_KEY=jwt-secret-key:latest,MFA_ENCRYPTION_KEY=mfa-encryption-key:latest,DATABASE_URL=database-url:latest \
  --update-env-vars="$env_vars" --min-instances="$min_instances" --max-instances="$max_instances" \
  --concurrency=80 --cpu=1 --memory=512Mi --cpu-boost --allow-unauthenticated

describe_url=(gcloud run services describe "$service" --project="$project" --region="$region"
  --format='value(status.url)')
if [[ $dry_run == true ]]; then
  run "${describe_url[@]}"
  printf '# then: curl -fsS <service URL>/health\n'
  exit 0
fi
url=$("${describe_url[@]}")
if command -v curl >/dev/null 2>&1 && curl -fsS --max-time 10 "$url/health" >/dev/null; then
  log "healthy: $url/health"
fi
printf 'Service URL: %s\n' "$url"
