// Static checks of the deployment files: nothing here needs Docker, gcloud or a network, so they run in every CI job.
// They read the files as their tools would (YAML, Dockerfile instructions, the script's dry run) and check the facts
// the deployment relies on: pinned images, a non-root runtime, migrations before traffic, the Cloud Run flags.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { KNOWN_DEVELOPMENT_JWT_KEYS } from '../../api/src/env';

const root = resolve(import.meta.dirname, '../..');
const script = join(root, 'deploy-cloud-run.sh');

const read = (file: string) => readFileSync(join(root, file), 'utf8');

// ---------------------------------------------------------------------------------------------------------------
// helpers

/** A PATH holding every command of the current PATH except `missing`, so the script runs as on a machine without it. */
function makePathWithout(missing: string, dir: string): string {
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    if (!entry || !existsSync(entry) || !statSync(entry).isDirectory()) continue;
    for (const name of readdirSync(entry)) {
      const link = join(dir, name);
      if (name === missing || existsSync(link)) continue;
      symlinkSync(join(entry, name), link);
    }
  }
  return dir;
}

type Run = { status: number | null; stdout: string; stderr: string };

/** Splits a printed command into its words (the script prints plain words bare and the rest in single quotes). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

/** `--name=value` flags of a command as a map (a bare `--flag` maps to ''). */
function flagsOf(args: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of args) {
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    flags.set(eq === -1 ? arg : arg.slice(0, eq), eq === -1 ? '' : arg.slice(eq + 1));
  }
  return flags;
}

/** The lines of a dry run that start with `+ <prefix>`, without the `+ `. */
function commands(output: string, prefix: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(`+ ${prefix}`))
    .map((line) => line.slice(2));
}

function onlyCommand(output: string, prefix: string): string {
  const found = commands(output, prefix);
  expect(found, `exactly one "${prefix}" in the dry run`).toHaveLength(1);
  return found[0] ?? '';
}

/** Index of the first dry-run line that starts with `+ <prefix>`; fails when there is none. */
function lineIndex(output: string, prefix: string): number {
  const index = output.split('\n').findIndex((line) => line.startsWith(`+ ${prefix}`));
  expect(index, `"${prefix}" in the dry run`).toBeGreaterThanOrEqual(0);
  return index;
}

type Instruction = { keyword: string; args: string };

/** Dockerfile instructions with comments dropped and continuation lines joined. */
function dockerInstructions(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return logical
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Cloud Build replaces `$NAME` and `${NAME}`; the built-ins come from the build, the `_` ones from `substitutions`. */
function substitute(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    return name in vars ? (vars[name] ?? '') : whole;
  });
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Compose accepts `environment` as a map or as a list of NAME=value. */
function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const text = String(entry);
        const eq = text.indexOf('=');
        return [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env ?? {}).map(([name, value]) => [name, String(value)]));
}

/** Host and container port of each published port (`[ip:]host:container`). */
function publishedPorts(service: ComposeService): { host: string; container: string }[] {
  return asList(service.ports).map((port) => {
    const parts = port.split(':');
    return { host: parts.at(-2) ?? '', container: parts.at(-1) ?? '' };
  });
}

type ComposeService = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, unknown> | unknown[];
  ports?: unknown[];
  volumes?: unknown[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
};

type CloudBuildStep = { id?: string; name: string; entrypoint?: string; args?: string[] };

// ---------------------------------------------------------------------------------------------------------------
// deploy-cloud-run.sh

describe('deploy-cloud-run.sh', () => {
  let scratch = '';
  let pathWithoutGcloud = '';

  const runScript = (args: string[], env: Record<string, string> = {}): Run => {
    const result = spawnSync('bash', [script, ...args], {
      cwd: root,
      encoding: 'utf8',
      // Only what is given here: no PROJECT_ID or REGION leaking in from the machine running the tests.
      env: { PATH: pathWithoutGcloud, HOME: scratch, ...env },
      timeout: 20_000,
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  const dryRun = (extra: string[] = []) =>
    runScript(['--dry-run', '--project', 'demo-proj', '--region', 'europe-west1', '--tag', 'abc1234', ...extra]);

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'deploy-test-'));
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    pathWithoutGcloud = makePathWithout('gcloud', bin);
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('shellcheck deploy-cloud-run.sh reports nothing', () => {
    const result = spawnSync('shellcheck', ['--shell=bash', script], { encoding: 'utf8' });
    expect(
      result.error,
      'shellcheck is not installed; install it (apt-get install -y shellcheck) — this check must not be skipped',
    ).toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('deploy-cloud-run.sh is an executable bash script with set -euo pipefail', () => {
    const text = read('deploy-cloud-run.sh');
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toMatch(/^set -euo pipefail$/m);
    expect(statSync(script).mode & 0o111, 'chmod +x deploy-cloud-run.sh').not.toBe(0);
  });

  test('the test PATH really has no gcloud', () => {
    const result = spawnSync('bash', ['-c', 'command -v gcloud'], { env: { PATH: pathWithoutGcloud } });
    expect(result.status).not.toBe(0);
  });

  test('deploy-cloud-run.sh --help exits 0 and prints the usage', () => {
    const { status, stdout } = runScript(['--help']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: /);
    for (const option of ['--project', '--region', '--service', '--repository', '--instance', '--dry-run']) {
      expect(stdout).toContain(option);
    }
  });

  test('deploy-cloud-run.sh with an unknown option exits 1 and points at --help', () => {
    const { status, stderr } = runScript(['--dry-run', '--project', 'demo-proj', '--no-such-option']);
    expect(status).toBe(1);
    expect(stderr).toContain('--help');
  });

  test('deploy-cloud-run.sh without gcloud and without a project exits 1 naming gcloud', () => {
    const { status, stdout, stderr } = runScript(['--dry-run']);
    expect(status).toBe(1);
    expect(stderr).toContain('gcloud not found');
    expect(stdout).not.toContain('+ gcloud');
  });

  test('deploy-cloud-run.sh refuses more minimum than maximum instances', () => {
    const { status, stderr } = dryRun(['--min-instances', '5', '--max-instances', '2']);
    expect(status).toBe(1);
    expect(stderr).toContain('--max-instances');
  });

  test('deploy-cloud-run.sh --dry-run exits 0 without gcloud on PATH', () => {
    const { status, stdout, stderr } = dryRun();
    expect(stderr).not.toContain('not found');
    expect(status).toBe(0);
    expect(stdout).toContain('+ gcloud ');
  });

  test('deploy-cloud-run.sh --dry-run prints the deploy command', () => {
    const deploy = words(onlyCommand(dryRun().stdout, 'gcloud run deploy '));
    expect(deploy.slice(0, 4)).toEqual(['gcloud', 'run', 'deploy', 'aibootcamp-api']);
    const flags = flagsOf(deploy);
    expect(flags.get('--project')).toBe('demo-proj');
    expect(flags.get('--region')).toBe('europe-west1');
    expect(flags.get('--image')).toBe('europe-west1-docker.pkg.dev/demo-proj/aibootcamp/aibootcamp-api:abc1234');
    expect(flags.get('--min-instances')).toBe('1');
    expect(flags.get('--concurrency')).toBe('80');
    expect(flags.get('--port')).toBe('8080');
    expect(flags.get('--add-cloudsql-instances')).toBe('demo-proj:europe-west1:aibootcamp-db');
    // The runtime user's URL (database-url), never the owner's (database-owner-url).
    expect(flags.get('--update-secrets')?.split(',').sort()).toEqual([
      'DATABASE_URL=database-url:latest',
      'JWT_SECRET_KEY=jwt-secret-key:latest',
      'MFA_ENCRYPTION_KEY=mfa-encryption-key:latest',
    ]);
    expect(flags.get('--update-env-vars')?.split(',')).toContain('ENVIRONMENT=production');
    expect(flags.get('--update-env-vars')?.split(',')).toContain('MIGRATE_ON_START=false');
    // Production refuses to start without PUBLIC_APP_URL: a first deploy gets the service's own run.app URL.
    expect(flags.get('--update-env-vars')?.split(',')).toContain(
      'PUBLIC_APP_URL=https://aibootcamp-api-<project number>.europe-west1.run.app',
    );
    expect(flags.get('--service-account')).toBe('aibootcamp-run@demo-proj.iam.gserviceaccount.com');
  });

  test('deploy-cloud-run.sh --dry-run creates the Artifact Registry repository only when it is missing', () => {
    const line = onlyCommand(dryRun().stdout, 'gcloud artifacts repositories ');
    const [check = '', create = ''] = line.split(' >/dev/null 2>&1 || ');
    expect(check).toMatch(/^gcloud artifacts repositories describe aibootcamp /);
    expect(flagsOf(words(check)).get('--location')).toBe('europe-west1');
    expect(create).toMatch(/^gcloud artifacts repositories create aibootcamp /);
    expect(flagsOf(words(create)).get('--repository-format')).toBe('docker');
  });

  test('deploy-cloud-run.sh --dry-run creates each secret only when it is missing and never prints one', () => {
    const { stdout } = dryRun();
    for (const secret of ['jwt-secret-key', 'mfa-encryption-key', 'database-url', 'database-owner-url']) {
      const check = lineIndex(stdout, `gcloud secrets describe ${secret} `);
      const create = stdout.split('\n').findIndex((line) => line.includes(`gcloud secrets create ${secret} `));
      expect(create, `gcloud secrets create ${secret}`).toBeGreaterThan(check);
      expect(stdout.split('\n')[check]).toContain('# when missing');
      const binding = onlyCommand(stdout, `gcloud secrets add-iam-policy-binding ${secret} `);
      expect(flagsOf(words(binding)).get('--role')).toBe('roles/secretmanager.secretAccessor');
    }
    expect(stdout).toContain("'<random 48 bytes, base64>' | gcloud secrets create jwt-secret-key");
    expect(stdout).toContain("'<random 32 bytes, base64>' | gcloud secrets create mfa-encryption-key");
    expect(stdout).toContain(
      "'postgres://aibootcamp:<random password of aibootcamp>@localhost/aibootcamp?host=/cloudsql/demo-proj:europe-west1:aibootcamp-db' | gcloud secrets create database-owner-url ",
    );
    expect(stdout).toContain(
      "'postgres://aibootcamp_app:<random password of aibootcamp_app>@localhost/aibootcamp?host=/cloudsql/demo-proj:europe-west1:aibootcamp-db' | gcloud secrets create database-url ",
    );
    expect(stdout).toMatch(/^\+ gcloud sql users create aibootcamp .*--password=<random password of aibootcamp>$/m);
    expect(stdout).toMatch(
      /^\+ gcloud sql users create aibootcamp_app .*--password=<random password of aibootcamp_app>$/m,
    );
  });

  test('deploy-cloud-run.sh: each service account reads only its own secrets (the owner URL only the job)', () => {
    const { stdout } = dryRun();
    const readers = Object.fromEntries(
      commands(stdout, 'gcloud secrets add-iam-policy-binding ').map((line) => {
        const command = words(line);
        return [command[3], flagsOf(command).get('--member')];
      }),
    );
    const runtime = 'serviceAccount:aibootcamp-run@demo-proj.iam.gserviceaccount.com';
    const migrate = 'serviceAccount:aibootcamp-migrate@demo-proj.iam.gserviceaccount.com';
    expect(readers).toEqual({
      'jwt-secret-key': runtime,
      'mfa-encryption-key': runtime,
      'database-url': runtime,
      'database-owner-url': migrate,
    });
    // Both connect through the Cloud SQL connector, so both are Cloud SQL clients, and nothing more project-wide.
    const projectRoles = commands(stdout, 'gcloud projects add-iam-policy-binding ').map((line) => {
      const flags = flagsOf(words(line));
      return `${flags.get('--member')} ${flags.get('--role')}`;
    });
    expect(projectRoles.sort()).toEqual([`${migrate} roles/cloudsql.client`, `${runtime} roles/cloudsql.client`]);
  });

  test('deploy-cloud-run.sh --create-sql makes an instance with a private IP only, on a network it peers first', () => {
    const { stdout, status } = dryRun(['--create-sql']);
    expect(status).toBe(0);
    const create = words(onlyCommand(stdout, 'gcloud sql instances ').split(' >/dev/null 2>&1 || ')[1] ?? '');
    const flags = flagsOf(create);
    expect(flags.has('--no-assign-ip'), '--no-assign-ip').toBe(true);
    expect(flags.get('--network')).toBe('default');
    expect(flags.get('--ssl-mode')).toBe('ENCRYPTED_ONLY');
    // Nothing anywhere hands the instance a public address or opens it to a network.
    const script = read('deploy-cloud-run.sh');
    for (const text of [stdout, script]) {
      expect(text).not.toMatch(/--assign-ip\b/);
      expect(text).not.toMatch(/--authorized-networks|--enable-public-ip|ipv4Enabled=true/i);
    }
    // Private services access: a range reserved for Google's side, then the peering, then the instance.
    const range = lineIndex(stdout, 'gcloud compute addresses describe google-managed-services-default ');
    const rangeLine = stdout.split('\n')[range] ?? '';
    const allocate = flagsOf(words(rangeLine.split(' >/dev/null 2>&1 || ')[1] ?? ''));
    expect(allocate.get('--purpose')).toBe('VPC_PEERING');
    expect(allocate.get('--network')).toBe('default');
    expect(allocate.has('--global')).toBe(true);
    const connect = flagsOf(words(onlyCommand(stdout, 'gcloud services vpc-peerings connect ')));
    expect(connect.get('--service')).toBe('servicenetworking.googleapis.com');
    expect(connect.get('--ranges')).toBe('google-managed-services-default');
    expect(connect.get('--network')).toBe('default');
    const order = [
      'gcloud services enable ',
      'gcloud compute networks describe default ',
      'gcloud compute addresses describe ',
      'gcloud services vpc-peerings connect ',
      'gcloud sql instances describe ',
    ].map((prefix) => lineIndex(stdout, prefix));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const apis = words(onlyCommand(stdout, 'gcloud services enable '));
    expect(apis).toEqual(expect.arrayContaining(['compute.googleapis.com', 'servicenetworking.googleapis.com']));
  });

  test('deploy-cloud-run.sh gives the service and the migration job Direct VPC egress to private ranges', () => {
    const { stdout } = dryRun(['--network', 'bootcamp-vpc', '--subnet', 'bootcamp-eu']);
    for (const command of ['gcloud run deploy ', 'gcloud run jobs deploy ']) {
      const flags = flagsOf(words(onlyCommand(stdout, command)));
      expect(flags.get('--network'), command).toBe('bootcamp-vpc');
      expect(flags.get('--subnet'), command).toBe('bootcamp-eu');
      expect(flags.get('--vpc-egress'), command).toBe('private-ranges-only');
      // No Serverless VPC Access connector besides: Direct VPC egress is the one path.
      expect(flags.has('--vpc-connector'), command).toBe(false);
    }
    // Without --subnet, the auto-mode subnet named after the network.
    const byDefault = flagsOf(words(onlyCommand(dryRun(['--network', 'bootcamp-vpc']).stdout, 'gcloud run deploy ')));
    expect(byDefault.get('--subnet')).toBe('bootcamp-vpc');
  });

  test('deploy-cloud-run.sh refuses one user or one service account for both the owner and the service', () => {
    const sameUser = dryRun(['--db-user', 'app', '--db-runtime-user', 'app']);
    expect(sameUser.status).toBe(1);
    expect(sameUser.stderr).toContain('must not connect as the schema');
    const sameAccount = dryRun(['--migrate-service-account', 'aibootcamp-run']);
    expect(sameAccount.status).toBe(1);
    expect(sameAccount.stderr).toContain('service accounts of their own');
    const oneUrl = dryRun(['--database-url', 'postgres://app:pw@localhost/aibootcamp']);
    expect(oneUrl.status).toBe(1);
    expect(oneUrl.stderr).toContain('--owner-database-url');
    const badUser = dryRun(['--db-runtime-user', 'App-User']);
    expect(badUser.status).toBe(1);
    expect(badUser.stderr).toContain("database user 'App-User'");
  });

  test('deploy-cloud-run.sh with both URLs given stores them and grants the runtime URL’s user', () => {
    const { status, stdout } = dryRun([
      '--database-url=postgres://svc_user:pw1@localhost/aibootcamp?host=/cloudsql/x',
      '--owner-database-url=postgres://owner_user:pw2@localhost/aibootcamp?host=/cloudsql/x',
    ]);
    expect(status).toBe(0);
    expect(stdout).not.toContain('gcloud sql users ');
    expect(stdout).toContain(
      "'postgres://owner_user:pw2@localhost/aibootcamp?host=/cloudsql/x' | gcloud secrets create database-owner-url ",
    );
    const job = flagsOf(words(onlyCommand(stdout, 'gcloud run jobs deploy ')));
    expect(job.get('--set-env-vars')).toBe('DATABASE_RUNTIME_USER=svc_user');
  });

  test('deploy-cloud-run.sh --dry-run builds, then migrates with a Cloud Run job, then deploys', () => {
    const { stdout } = dryRun();
    const image = 'europe-west1-docker.pkg.dev/demo-proj/aibootcamp/aibootcamp-api:abc1234';

    const build = flagsOf(words(onlyCommand(stdout, 'gcloud builds submit ')));
    expect(build.get('--tag')).toBe(image);

    const jobDeploy = words(onlyCommand(stdout, 'gcloud run jobs deploy '));
    expect(jobDeploy[4]).toBe('aibootcamp-api-migrate');
    const job = flagsOf(jobDeploy);
    expect(job.get('--image')).toBe(image);
    expect(job.get('--command')).toBe('node');
    expect(job.get('--args')).toBe('api/dist/migrate-cli.js');
    expect(job.get('--set-cloudsql-instances')).toBe('demo-proj:europe-west1:aibootcamp-db');
    // As the owner, with its own account; then it grants the runtime user. It signs no tokens: no key of any kind.
    expect(job.get('--set-secrets')).toBe('DATABASE_URL=database-owner-url:latest');
    expect(job.get('--set-env-vars')).toBe('DATABASE_RUNTIME_USER=aibootcamp_app');
    expect(job.get('--service-account')).toBe('aibootcamp-migrate@demo-proj.iam.gserviceaccount.com');
    expect(jobDeploy.join(' ')).not.toMatch(/JWT_SECRET_KEY|jwt-secret-key|MFA_ENCRYPTION_KEY|mfa-encryption-key/);

    const execute = words(onlyCommand(stdout, 'gcloud run jobs execute '));
    expect(execute[4]).toBe('aibootcamp-api-migrate');
    expect(flagsOf(execute).has('--wait')).toBe(true);

    const order = [
      'gcloud builds submit ',
      'gcloud run jobs deploy ',
      'gcloud run jobs execute ',
      'gcloud run deploy ',
      "gcloud run services describe aibootcamp-api --project=demo-proj --region=europe-west1 '--format=value(status.url)'",
    ].map((prefix) => lineIndex(stdout, prefix));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('deploy-cloud-run.sh reads the project, region and service from the environment', () => {
    const { status, stdout } = runScript(['--dry-run', '--tag', 'abc1234'], {
      PROJECT_ID: 'env-proj',
      REGION: 'us-central1',
      SERVICE: 'bootcamp',
    });
    expect(status).toBe(0);
    const deploy = flagsOf(words(onlyCommand(stdout, 'gcloud run deploy ')));
    expect(deploy.get('--image')).toBe('us-central1-docker.pkg.dev/env-proj/aibootcamp/bootcamp:abc1234');
    expect(deploy.get('--add-cloudsql-instances')).toBe('env-proj:us-central1:aibootcamp-db');
  });

  test('deploy-cloud-run.sh --dry-run --create-sql creates a PostgreSQL 15 instance only when it is missing', () => {
    const line = onlyCommand(dryRun(['--create-sql']).stdout, 'gcloud sql instances ');
    const [check = '', create = ''] = line.split(' >/dev/null 2>&1 || ');
    expect(check).toMatch(/^gcloud sql instances describe aibootcamp-db /);
    expect(create).toMatch(/^gcloud sql instances create aibootcamp-db /);
    expect(flagsOf(words(create)).get('--database-version')).toBe('POSTGRES_15');
  });

  test('deploy-cloud-run.sh deploys and migrates with the same flags as cloudbuild.yaml', () => {
    const { stdout } = dryRun();
    const build = parse(read('cloudbuild.yaml')) as { substitutions: Record<string, string>; steps: CloudBuildStep[] };
    const vars = { ...build.substitutions, PROJECT_ID: 'demo-proj', SHORT_SHA: 'abc1234' };
    const stepArgs = (first: string[]) =>
      build.steps
        .map((step) => (step.args ?? []).map((arg) => substitute(arg, vars)))
        .find((args) => first.every((word, i) => args[i] === word)) ?? [];

    for (const [command, first] of [
      ['gcloud run deploy ', ['run', 'deploy']],
      ['gcloud run jobs deploy ', ['run', 'jobs', 'deploy']],
    ] as const) {
      const fromScript = flagsOf(words(onlyCommand(stdout, command)));
      const fromCloudBuild = flagsOf(stepArgs([...first]));
      fromScript.delete('--project'); // Cloud Build runs in its own project
      // A first deploy from the script sets PUBLIC_APP_URL; Cloud Build's --update-env-vars keeps that value.
      const envVars = fromScript.get('--update-env-vars');
      if (envVars) fromScript.set('--update-env-vars', envVars.replace(/,PUBLIC_APP_URL=[^,]*/, ''));
      expect(Object.fromEntries(fromScript), command).toEqual(Object.fromEntries(fromCloudBuild));
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// docker-compose.yml

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, ComposeService>;
    volumes?: Record<string, unknown>;
  };
  const services = compose.services ?? {};
  const db = services.db ?? {};
  const api = services.api ?? {};

  test('docker-compose.yml has the db, mail and api services', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'db', 'mail']);
  });

  test('docker-compose.yml db is PostgreSQL 15 with a named volume and a pg_isready healthcheck', () => {
    expect(db.image).toMatch(/^postgres:15\.\d+(-alpine[\d.]*)?$/);
    const dataVolume = asList(db.volumes).find((volume) => volume.endsWith(':/var/lib/postgresql/data'));
    const volumeName = dataVolume?.split(':')[0] ?? '';
    expect(volumeName, 'a named volume, not a bind mount').toMatch(/^[\w-]+$/);
    expect(Object.keys(compose.volumes ?? {})).toContain(volumeName);
    const check = db.healthcheck?.test;
    expect([check ?? []].flat().join(' ')).toContain('pg_isready');
    expect(environmentOf(db).POSTGRES_DB).toBe('aibootcamp');
  });

  test('docker-compose.yml api builds the Dockerfile and waits for a healthy db', () => {
    const build = typeof api.build === 'string' ? { context: api.build } : (api.build ?? {});
    expect(build.context).toBe('.');
    expect(existsSync(join(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile'))).toBe(true);
    expect(api.depends_on).not.toBeInstanceOf(Array);
    const dependsOn = (api.depends_on ?? {}) as Record<string, { condition?: string }>;
    expect(dependsOn.db?.condition).toBe('service_healthy');
  });

  test('docker-compose.yml api talks to the db and the mail catcher and serves on 8000', () => {
    const env = environmentOf(api);
    expect(new URL(env.DATABASE_URL ?? '').hostname).toBe('db');
    expect(new URL(env.DATABASE_URL ?? '').pathname).toBe('/aibootcamp');
    expect(env.ENVIRONMENT).toBe('development');
    expect(env.PORT).toBe('8000');
    expect(env.PUBLIC_APP_URL).toBe('http://localhost:8000');
    expect(env.MAIL_FROM).toBeTruthy();
    expect(Buffer.byteLength(env.JWT_SECRET_KEY ?? ''), 'JWT_SECRET_KEY of at least 32 bytes').toBeGreaterThanOrEqual(
      32,
    );
    expect(env.JWT_SECRET_KEY).toMatch(/dev/i);
    // Published here, so a production process refuses it (env.ts).
    expect(KNOWN_DEVELOPMENT_JWT_KEYS).toContain(env.JWT_SECRET_KEY);
    // Development binds 127.0.0.1 unless HOST says otherwise; in a container the published port needs 0.0.0.0.
    expect(env.HOST).toBe('0.0.0.0');
    expect(publishedPorts(api)).toContainEqual({ host: '8000', container: '8000' });

    const smtp = new URL(env.SMTP_URL ?? '');
    expect(smtp.protocol).toBe('smtp:');
    const mail = services[smtp.hostname];
    expect(mail, `SMTP_URL points at a compose service (${smtp.hostname})`).toBeDefined();
    expect(mail?.image).toMatch(/mailpit|mailhog|maildev|smtp4dev/);
    expect(smtp.port).toBe('1025');
    expect(publishedPorts(mail ?? {})).toContainEqual({ host: '8025', container: '8025' });
  });

  test('docker-compose.yml pins every image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.image || service.build) continue;
      expect(service.image, name).toMatch(/:v?\d+\.\d+[\w.-]*$/);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// cloudbuild.yaml

describe('cloudbuild.yaml', () => {
  const text = read('cloudbuild.yaml');
  const build = parse(text) as { substitutions?: Record<string, string>; steps?: CloudBuildStep[]; images?: string[] };
  const steps = build.steps ?? [];
  const vars = { ...build.substitutions, PROJECT_ID: 'demo-proj', SHORT_SHA: 'abc1234' };
  const image = 'europe-west1-docker.pkg.dev/demo-proj/aibootcamp/aibootcamp-api';
  const resolved = steps.map((step) => ({ ...step, args: (step.args ?? []).map((arg) => substitute(arg, vars)) }));
  const stepIndex = (matches: (args: string[], step: CloudBuildStep) => boolean) =>
    resolved.findIndex((step) => matches(step.args, step));
  const isGcloud = (step: CloudBuildStep) => step.entrypoint === 'gcloud' || step.name.endsWith('/gcloud');

  const buildStep = stepIndex((args, step) => step.name.includes('docker') && args[0] === 'build');
  const pushStep = stepIndex((args, step) => step.name.includes('docker') && args[0] === 'push');
  const jobStep = stepIndex((args, step) => isGcloud(step) && args.slice(0, 3).join(' ') === 'run jobs deploy');
  const executeStep = stepIndex((args, step) => isGcloud(step) && args.slice(0, 3).join(' ') === 'run jobs execute');
  const deployStep = stepIndex((args, step) => isGcloud(step) && args.slice(0, 2).join(' ') === 'run deploy');

  test('cloudbuild.yaml defines every substitution it uses, and uses every one it defines', () => {
    const used = new Set([...text.matchAll(/\$\{(_\w+)\}|\$(_\w+)/g)].map((match) => match[1] ?? match[2]));
    expect([...used].sort()).toEqual(Object.keys(build.substitutions ?? {}).sort());
    expect(Object.keys(build.substitutions ?? {})).toEqual(
      expect.arrayContaining(['_REGION', '_REPOSITORY', '_SERVICE', '_CLOUDSQL_INSTANCE']),
    );
  });

  test('cloudbuild.yaml builds, pushes, migrates and deploys in that order', () => {
    const order = [buildStep, pushStep, jobStep, executeStep, deployStep];
    expect(
      order.every((index) => index >= 0),
      `steps found at ${order.join(', ')}`,
    ).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('cloudbuild.yaml tags the image with the commit and latest in Artifact Registry', () => {
    const tags = flagsOf(resolved[buildStep]?.args ?? []);
    const allTags = (resolved[buildStep]?.args ?? []).filter((arg) => arg.startsWith('--tag=')).map((a) => a.slice(6));
    expect(tags.has('--tag')).toBe(true);
    expect(allTags.sort()).toEqual([`${image}:abc1234`, `${image}:latest`]);
    expect(resolved[pushStep]?.args).toContain(image);
    expect(resolved[pushStep]?.args).toContain('--all-tags');
    expect((build.images ?? []).map((entry) => substitute(entry, vars))).toContain(`${image}:abc1234`);
  });

  test('cloudbuild.yaml migrates with a Cloud Run job on the same image and waits for it', () => {
    const job = resolved[jobStep]?.args ?? [];
    const flags = flagsOf(job);
    expect(job[3]).toBe('aibootcamp-api-migrate');
    expect(flags.get('--image')).toBe(`${image}:abc1234`);
    expect(flags.get('--command')).toBe('node');
    expect(flags.get('--args')).toBe('api/dist/migrate-cli.js');
    expect(flags.get('--set-cloudsql-instances')).toBe('demo-proj:europe-west1:aibootcamp-db');
    // As the owner, with its own account, granting the runtime user; it signs no tokens: no key of any kind.
    expect(flags.get('--set-secrets')).toBe('DATABASE_URL=database-owner-url:latest');
    expect(flags.get('--set-env-vars')).toBe('DATABASE_RUNTIME_USER=aibootcamp_app');
    expect(flags.get('--service-account')).toBe('aibootcamp-migrate@demo-proj.iam.gserviceaccount.com');
    expect(job.join(' ')).not.toMatch(/JWT_SECRET_KEY|jwt-secret-key|MFA_ENCRYPTION_KEY|mfa-encryption-key/);
    const execute = resolved[executeStep]?.args ?? [];
    expect(execute[3]).toBe('aibootcamp-api-migrate');
    expect(execute).toContain('--wait');
  });

  test('cloudbuild.yaml deploys with min instances 1, concurrency 80, Cloud SQL and Secret Manager secrets', () => {
    const deploy = resolved[deployStep]?.args ?? [];
    const flags = flagsOf(deploy);
    expect(deploy[2]).toBe('aibootcamp-api');
    expect(flags.get('--image')).toBe(`${image}:abc1234`);
    expect(flags.get('--min-instances')).toBe('1');
    expect(flags.get('--concurrency')).toBe('80');
    expect(flags.get('--port')).toBe('8080');
    expect(flags.get('--add-cloudsql-instances')).toBe('demo-proj:europe-west1:aibootcamp-db');
    expect(flags.get('--update-secrets')?.split(',').sort()).toEqual([
      'DATABASE_URL=database-url:latest',
      'JWT_SECRET_KEY=jwt-secret-key:latest',
      'MFA_ENCRYPTION_KEY=mfa-encryption-key:latest',
    ]);
    expect(flags.get('--update-env-vars')?.split(',')).toContain('ENVIRONMENT=production');
    expect(Number(flags.get('--max-instances'))).toBeGreaterThanOrEqual(1);
  });

  test('cloudbuild.yaml gives the service and the migration job Direct VPC egress to private ranges', () => {
    for (const step of [jobStep, deployStep]) {
      const flags = flagsOf(resolved[step]?.args ?? []);
      expect(flags.get('--network')).toBe('default');
      expect(flags.get('--subnet')).toBe('default');
      expect(flags.get('--vpc-egress')).toBe('private-ranges-only');
    }
    // The service never reads the owner's URL.
    expect((resolved[deployStep]?.args ?? []).join(' ')).not.toContain('database-owner-url');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile and .dockerignore

describe('Dockerfile', () => {
  const instructions = dockerInstructions(read('Dockerfile'));
  const froms = instructions.filter((instruction) => instruction.keyword === 'FROM');
  const lastFrom = instructions.lastIndexOf(froms.at(-1) as Instruction);
  const finalStage = instructions.slice(lastFrom + 1);
  const stageNames = froms.map((from) => /\s+AS\s+(\S+)/i.exec(from.args)?.[1]?.toLowerCase()).filter(Boolean);

  test('Dockerfile is multi-stage', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
  });

  test('Dockerfile pins every FROM to a full version', () => {
    for (const from of froms) {
      const ref = from.args.split(/\s+/).find((word) => !word.startsWith('--')) ?? '';
      if (stageNames.includes(ref.toLowerCase())) continue; // an earlier stage, pinned where it is defined
      expect(ref, from.args).not.toContain('$');
      expect(ref, from.args).toMatch(/(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/);
    }
  });

  test('Dockerfile runs the final stage as a user other than root', () => {
    const users = finalStage.filter((instruction) => instruction.keyword === 'USER');
    expect(users.length, 'a USER in the final stage').toBeGreaterThan(0);
    expect(users.at(-1)?.args.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  test('Dockerfile CMD runs node api/dist/index.js on port 8080 in production', () => {
    const cmd = finalStage.filter((instruction) => instruction.keyword === 'CMD').at(-1);
    expect(JSON.parse(cmd?.args ?? 'null')).toEqual(['node', 'api/dist/index.js']);
    const env = finalStage
      .filter((instruction) => instruction.keyword === 'ENV')
      .flatMap((instruction) => instruction.args.split(/\s+/));
    expect(env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'ENVIRONMENT=production', 'PORT=8080']));
    expect(finalStage.some((instruction) => instruction.keyword === 'EXPOSE' && instruction.args === '8080')).toBe(
      true,
    );
  });

  test('Dockerfile final stage holds the API bundle, the site, the migrations and the content', () => {
    const destinations = finalStage
      .filter((instruction) => instruction.keyword === 'COPY')
      .map((instruction) => instruction.args.split(/\s+/).at(-1)?.replace(/^\.\//, '').replace(/\/$/, ''));
    expect(destinations).toEqual(expect.arrayContaining(['node_modules', 'api/dist', 'web/dist', 'sql', 'content']));
    const workdir = finalStage.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1);
    expect(workdir?.args).toBe('/app');
  });

  test('.dockerignore keeps node_modules, dist and .git out and the sources in', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(patterns.some((p) => /^(\*\*\/)?node_modules\/?$/.test(p))).toBe(true);
    expect(patterns.some((p) => /^(\*\*\/)?dist\/?$/.test(p))).toBe(true);
    expect(patterns).toContain('.git');
    for (const needed of ['api', 'web', 'sql', 'content', 'package.json', 'package-lock.json', 'Dockerfile']) {
      expect(patterns, `${needed} must reach the build`).not.toContain(needed);
    }
  });
});
