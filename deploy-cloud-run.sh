#!/usr/bin/env bash
# Deploy AI Bootcamp to Cloud Run: one image (the API serving the built site), Cloud SQL for PostgreSQL 15,
# secrets in Secret Manager, and the migrations run as a Cloud Run job before any traffic moves.
# Safe to re-run: a resource is created only when it is missing, and an existing secret is never replaced.
# The deploy flags match cloudbuild.yaml (tests/deploy checks both); change them together.
# Walkthrough: docs/cloud-run.md
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./deploy-cloud-run.sh [options]

Builds the image with Cloud Build, runs the database migrations as a Cloud Run job, deploys the
service and prints its URL. On the way it enables the APIs it needs and creates what is missing
(Artifact Registry repository, runtime service account, secrets, database and user); what exists
is left as it is.

Options (environment variable and default in brackets):
  -p, --project ID          Google Cloud project [PROJECT_ID, else gcloud config]
  -r, --region REGION       region of Cloud Run, Artifact Registry and Cloud SQL [REGION, europe-west1]
  -s, --service NAME        Cloud Run service [SERVICE, aibootcamp-api]
      --repository NAME     Artifact Registry Docker repository [REPOSITORY, aibootcamp]
      --instance NAME       Cloud SQL instance in the same project and region [CLOUDSQL_INSTANCE, aibootcamp-db]
      --create-sql          create that instance (PostgreSQL 15) when it is missing
      --sql-tier TIER       machine tier used by --create-sql [db-g1-small]
      --database NAME       database [aibootcamp]
      --db-user NAME        database user, created with a random password [aibootcamp]
      --database-url URL    store this DATABASE_URL instead of creating the user
      --service-account N   runtime service account name [aibootcamp-run]
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
database=aibootcamp
db_user=aibootcamp
database_url=''
service_account=aibootcamp-run
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
    --database) database=$2 ;;
    --db-user) db_user=$2 ;;
    --database-url) database_url=$2 ;;
    --service-account) service_account=$2 ;;
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
[[ $service_account =~ ^[a-z]([-a-z0-9]{4,28}[a-z0-9])$ ]] ||
  die "service account '$service_account': 6 to 30 lower-case letters, digits and dashes"
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

# set_db_password VERB PASSWORD: create the user or reset its password without echoing the password.
set_db_password() {
  local -a cmd=(gcloud sql users "$1" "$db_user" --instance="$instance" --project="$project")
  if [[ $dry_run == true ]]; then
    printf '+ %s --password=%s\n' "$(quote_args "${cmd[@]}")" "$2"
    return 0
  fi
  printf '+ %s --password=<hidden>\n' "$(quote_args "${cmd[@]}")" >&2
  "${cmd[@]}" --password="$2"
}

if [[ $dry_run == true ]]; then
  printf '# dry run: nothing is created or changed; these are the commands a real run would use.\n'
fi
log "project $project, region $region, service $service, image $image"

log 'enabling the APIs (a no-op when they are on)'
run gcloud services enable run.googleapis.com sqladmin.googleapis.com artifactregistry.googleapis.com \
  secretmanager.googleapis.com cloudbuild.googleapis.com iam.googleapis.com --project="$project"

log "Artifact Registry repository $repository"
ensure "Artifact Registry repository $repository" \
  gcloud artifacts repositories describe "$repository" --location="$region" --project="$project" :: \
  gcloud artifacts repositories create "$repository" --repository-format=docker --location="$region" \
  --project="$project" --description='AI Bootcamp images'

log "Cloud SQL instance $instance"
if [[ $create_sql == true ]]; then
  # Enterprise edition, because the shared-core tiers (db-f1-micro, db-g1-small) exist only there.
  ensure "Cloud SQL instance $instance" \
    gcloud sql instances describe "$instance" --project="$project" :: \
    gcloud sql instances create "$instance" --project="$project" --region="$region" --database-version=POSTGRES_15 \
    --edition=enterprise --tier="$sql_tier" --storage-type=SSD --storage-size=10 --storage-auto-increase \
    --availability-type=zonal --backup-start-time=03:00 --deletion-protection
elif [[ $dry_run == true ]]; then
  run gcloud sql instances describe "$instance" --project="$project" --format=none
elif ! gcloud sql instances describe "$instance" --project="$project" --format=none 2>/dev/null; then
  die "Cloud SQL instance $instance not found in $project: create it (docs/cloud-run.md) or pass --create-sql"
fi

log "runtime service account $sa_email"
ensure "service account $sa_email" \
  gcloud iam service-accounts describe "$sa_email" --project="$project" :: \
  gcloud iam service-accounts create "$service_account" --project="$project" \
  --display-name='AI Bootcamp on Cloud Run'
retry gcloud projects add-iam-policy-binding "$project" --member="serviceAccount:$sa_email" \
  --role=roles/cloudsql.client --condition=None --format=none

log 'secret jwt-secret-key (JWT_SECRET_KEY)'
if exists gcloud secrets describe jwt-secret-key --project="$project"; then
  log 'secret jwt-secret-key exists; kept, so signed-in users stay signed in'
elif [[ $dry_run == true ]]; then
  run openssl rand -base64 48
  create_secret jwt-secret-key '<random 48 bytes, base64>'
else
  create_secret jwt-secret-key "$(random_secret)"
fi

log 'secret database-url (DATABASE_URL)'
if exists gcloud secrets describe database-url --project="$project"; then
  log 'secret database-url exists; kept as it is'
elif [[ -n $database_url ]]; then
  create_secret database-url "$database_url"
else
  ensure "database $database" \
    gcloud sql databases describe "$database" --instance="$instance" --project="$project" :: \
    gcloud sql databases create "$database" --instance="$instance" --project="$project"
  # The password lives only in the secret: it is made here and never printed or written to disk.
  if [[ $dry_run == true ]]; then
    run openssl rand -hex 24
    password='<random password>'
  else
    password=$(random_password)
  fi
  if exists gcloud sql users describe "$db_user" --instance="$instance" --project="$project"; then
    set_db_password set-password "$password"
  else
    set_db_password create "$password"
  fi
  # postgres.js needs a host in the URL; the app connects through the Cloud SQL socket named by ?host=.
  create_secret database-url "postgres://${db_user}:${password}@localhost/${database}?host=/cloudsql/${connection}"
  unset password
fi

for secret in jwt-secret-key database-url; do
  retry gcloud secrets add-iam-policy-binding "$secret" --project="$project" --member="serviceAccount:$sa_email" \
    --role=roles/secretmanager.secretAccessor --condition=None --format=none
done

log "building $image with Cloud Build"
run gcloud builds submit "$root" --project="$project" --tag="$image"

log "migrating the database with the Cloud Run job $job (same image)"
run gcloud run jobs deploy "$job" --project="$project" --region="$region" --image="$image" \
  --command=node --args=api/dist/migrate-cli.js --set-cloudsql-instances="$connection" \
  --set-secrets=DATABASE_URL=database-url:latest,JWT_SECRET_KEY=jwt-secret-key:latest --service-account="$sa_email" \
  --tasks=1 --max-retries=0 --task-timeout=10m
run gcloud run jobs execute "$job" --project="$project" --region="$region" --wait

log "deploying $service"
run gcloud run deploy "$service" --project="$project" --region="$region" --image="$image" --port=8080 \
  --service-account="$sa_email" --add-cloudsql-instances="$connection" \
  --update-secrets=JWT_SECRET_KEY=jwt-secret-key:latest,DATABASE_URL=database-url:latest \
  --update-env-vars="$env_vars" --min-instances="$min_instances" --max-instances="$max_instances" \
  --concurrency=80 --cpu=1 --memory=512Mi --cpu-boost --allow-unauthenticated

describe_url=(gcloud run services describe "$service" --project="$project" --region="$region"
  --format='value(status.url)')
if [[ $dry_run == true ]]; then
  run "${describe_url[@]}"
  printf '# when the service has no PUBLIC_APP_URL yet (a first deploy without --public-url):\n'
  run gcloud run services update "$service" --project="$project" --region="$region" \
    --update-env-vars='PUBLIC_APP_URL=<service URL>'
  printf '# then: curl -fsS <service URL>/health\n'
  exit 0
fi
url=$("${describe_url[@]}")
# Mailed links (verify email, reset password) need the public origin; without one they would point at localhost.
# Set it once, on the first deploy; later deploys keep whatever is there (--update-env-vars), a custom domain included.
if [[ -z $public_url ]]; then
  service_json=$(gcloud run services describe "$service" --project="$project" --region="$region" --format=json)
  if [[ $service_json != *'"PUBLIC_APP_URL"'* ]]; then
    log "PUBLIC_APP_URL is unset: mailed links will use $url (pass --public-url for a custom domain)"
    run gcloud run services update "$service" --project="$project" --region="$region" \
      --update-env-vars="PUBLIC_APP_URL=$url"
  fi
fi
if command -v curl >/dev/null 2>&1 && curl -fsS --max-time 10 "$url/health" >/dev/null; then
  log "healthy: $url/health"
fi
printf 'Service URL: %s\n' "$url"
