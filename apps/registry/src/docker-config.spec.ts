// Config lint for docker/Dockerfile and docker/compose.yaml. No container engine runs here, so
// these files are kept correct by review and by the rules below, which read them as data and
// compare them with what the code actually builds and reads.
import { SECTOR_DEFAULT_KINDS, type PartnerSector } from '@cd/domain';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { REGISTRY_NODE_FLAGS } from '../../../bench/lib/settings';
import { loadAgentConfig } from '../../partner-agent/src/agent-config';
import { loadConfig } from './config/app-config';
import { RegisterPartnerDto } from './partners/partners.dto';

const ROOT = resolve(__dirname, '../../..');
const DOCKER = join(ROOT, 'docker');
const IMAGE_WORKDIR = '/app';
const composeText = readFileSync(join(DOCKER, 'compose.yaml'), 'utf8');
/** A `${VAR:?error}` must be explained to the user in a comment of compose.yaml. */
const composeComments = composeText.split('\n').filter((line) => line.trim().startsWith('#')).join('\n');

// ---- compose.yaml as data

type Env = Record<string, string>;
interface DependsOn {
  condition?: string;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  env_file?: string | (string | { path: string })[];
  depends_on?: string[] | Record<string, DependsOn>;
  healthcheck?: { test?: unknown; disable?: boolean };
  ports?: (string | { host_ip?: string; published?: unknown })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** Resolves `$$` and `${VAR:-default}` as `docker compose config` would with no .env and no shell variables. */
function interpolate(text: string, where: string, problems: string[]): string {
  return text.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g, (match, name?: string, op?: string, rest?: string, bare?: string) => {
    if (match === '$$') return '$';
    if (bare || !op) {
      problems.push(`${where}: ${match} has no default; write \${${bare ?? name}:-<default>}`);
      return '';
    }
    if (op.endsWith('?')) {
      if (!composeComments.includes(name!)) problems.push(`${where}: ${match} requires ${name}, but no comment in compose.yaml says so`);
      return `<${name}>`;
    }
    return rest ?? '';
  });
}

function interpolateDeep(value: unknown, where: string, problems: string[]): unknown {
  if (typeof value === 'string') return interpolate(value, where, problems);
  if (Array.isArray(value)) return value.map((item, i) => interpolateDeep(item, `${where}[${i}]`, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, `${where}.${key}`, problems)]));
  }
  return value;
}

const rawCompose = load(composeText, { schema: CORE_SCHEMA.withTags(mergeTag) }) as Compose;
const compose = interpolateDeep(rawCompose, 'compose.yaml', []) as Compose;
const services = Object.entries(compose.services ?? {});

function parseEnvFile(path: string, where: string, problems: string[] = []): Env {
  const env: Env = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (!match) continue;
    const raw = match[2].trim();
    const quoted = /^(['"])(.*)\1$/.exec(raw);
    env[match[1]] = quoted ? quoted[2] : interpolate(raw, `${where}: ${match[1]}`, problems);
  }
  return env;
}

const envFilesOf = (service: Service): string[] =>
  (service.env_file === undefined ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file]).map((file) => (typeof file === 'string' ? file : file.path));

/** What compose itself gives a service: its env_file(s), then `environment` (which wins). */
function composeEnv(name: string, service: Service): { envFile: Env; environment: Env } {
  const envFile: Env = {};
  for (const file of envFilesOf(service)) Object.assign(envFile, parseEnvFile(join(DOCKER, file), `services.${name}.env_file ${file}`));
  const environment: Env = {};
  const entries = Array.isArray(service.environment)
    ? service.environment.map((item) => item.split(/=(.*)/s).slice(0, 2) as [string, string?])
    : Object.entries(service.environment ?? {});
  for (const [key, value] of entries) if (value !== undefined && value !== null) environment[key] = String(value);
  return { envFile, environment };
}

// ---- Dockerfile as data

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
  workdir: string;
  /** Each answers whether an absolute path exists in the built stage: its base, a COPY, a RUN's output. */
  sources: ((path: string) => boolean)[];
}
const stageHas = (stage: Stage, path: string): boolean => stage.sources.some((source) => source(path));

const dockerfileText = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');
const dockerfile: Instruction[] = dockerfileText
  .replace(/\\\r?\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [, keyword, args] = /^(\w+)\s*(.*)$/s.exec(line)!;
    return { keyword: keyword.toUpperCase(), args: args.trim() };
  });

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const nestCli = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as {
  projects: Record<string, { type: string; entryFile: string; compilerOptions: { tsConfigPath: string } }>;
};
const dockerignore = existsSync(join(ROOT, '.dockerignore'))
  ? readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim().replace(/^\/|\/$/g, '')).filter((line) => line && !line.startsWith('#'))
  : undefined;

/** The files a RUN line compiles: `nest build <app>` (directly or through an npm script) → dist/apps/<app>/<entry>.js, relative to the repo. */
function builtFiles(run: string): string[] {
  const viaScripts = [...run.matchAll(/npm run ([\w:-]+)/g)].flatMap(([, script]) => (packageJson.scripts[script] ? builtFiles(packageJson.scripts[script]) : []));
  const direct = [...run.matchAll(/nest build ([\w-]+)/g)].map(([, app]) => {
    const project = nestCli.projects[app];
    if (!project) return `<nest-cli.json has no project "${app}">`;
    const tsconfigPath = join(ROOT, project.compilerOptions.tsConfigPath);
    const outDir = (JSON.parse(readFileSync(tsconfigPath, 'utf8')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir;
    return relative(ROOT, join(dirname(tsconfigPath), outDir, `${project.entryFile}.js`));
  });
  return [...viaScripts, ...direct];
}

const within = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir.replace(/\/$/, '')}/`);

function parseStages(): { stages: Stage[]; problems: string[] } {
  const args: Env = {};
  const stages: Stage[] = [];
  const problems: string[] = [];
  for (const { keyword, args: text } of dockerfile) {
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = text.split(/=(.*)/s);
      args[name] = value;
      continue;
    }
    if (keyword === 'FROM') {
      const [, image, name] = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(text) ?? [];
      const base = (image ?? text).replace(/\$\{?(\w+)\}?/g, (_, arg: string) => args[arg] ?? '');
      const from = stages.find((stage) => stage.name === base);
      stages.push({ name: name ?? String(stages.length), base, instructions: [], workdir: '/', sources: from ? [(path) => stageHas(from, path)] : [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue;
    stage.instructions.push({ keyword, args: text });
    const at = (path: string) => posix.resolve(stage.workdir, path);
    if (keyword === 'WORKDIR') stage.workdir = at(text);
    if (keyword === 'RUN') {
      const produced = [...(/\bnpm ci\b/.test(text) ? ['node_modules'] : []), ...builtFiles(text)].map(at);
      stage.sources.push((path) => produced.some((file) => within(file, path) || within(path, file)));
    }
    if (keyword === 'COPY' || keyword === 'ADD') {
      const words = text.split(/\s+/);
      const fromStage = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((word) => !word.startsWith('--'));
      const dest = at(paths.pop()!);
      const where = `Dockerfile stage ${stage.name}: ${keyword} ${text}`;
      for (const source of paths) {
        const target = paths.length > 1 || dest.endsWith('/') ? posix.join(dest, posix.basename(source)) : dest;
        if (fromStage !== undefined) {
          const origin = stages.find((earlier) => earlier.name === fromStage);
          if (!origin) problems.push(`${where}: no earlier stage "${fromStage}"`);
          else if (!stageHas(origin, source)) problems.push(`${where}: stage ${fromStage} does not produce ${source}`);
          else stage.sources.push((path) => within(path, target) && stageHas(origin, posix.join(source, posix.relative(target, path))));
        } else {
          if (!existsSync(join(ROOT, source))) problems.push(`${where}: ${source} does not exist in the build context (the repository root)`);
          const ignored = dockerignore?.find((pattern) => source !== '.' && within(posix.normalize(source), pattern));
          if (ignored) problems.push(`${where}: ${source} is excluded by .dockerignore (${ignored})`);
          stage.sources.push((path) => within(path, target) && existsSync(join(ROOT, source, posix.relative(target, path))));
        }
      }
    }
  }
  return { stages, problems };
}

const { stages, problems: copyProblems } = parseStages();
const finalStage = stages.at(-1)!;
const lastOf = (stage: Stage, keyword: string): string | undefined => stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
const execForm = (args: string | undefined): string[] => (args?.startsWith('[') ? (JSON.parse(args) as string[]) : args ? ['sh', '-c', args] : []);

const imageEnv: Env = Object.fromEntries(
  finalStage.instructions
    .filter((i) => i.keyword === 'ENV')
    .flatMap((i) => [...i.args.matchAll(/(\w+)=("[^"]*"|\S*)/g)].map(([, key, value]) => [key, value.replace(/^"|"$/g, '')])),
);
const imageHealthcheck = lastOf(finalStage, 'HEALTHCHECK');

// ---- what each service runs

const usesOurImage = (service: Service): boolean => {
  const built = (s: Service) => typeof s.build === 'object' && resolve(DOCKER, s.build.context ?? '.') === ROOT && s.build.dockerfile === 'docker/Dockerfile';
  return built(service) || (!!service.image && services.some(([, other]) => built(other) && other.image === service.image));
};
const asArgv = (value: string | string[] | undefined): string[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : value.split(/\s+/));
const commandOf = (service: Service): string[] => {
  const image = (keyword: string) => (usesOurImage(service) ? execForm(lastOf(finalStage, keyword)) : []);
  return [...(asArgv(service.entrypoint) ?? image('ENTRYPOINT')), ...(asArgv(service.command) ?? image('CMD'))];
};

type Program = 'registry' | 'partner-agent' | 'script' | 'other';
function programOf(service: Service): { program: Program; script?: string; servesHttp: boolean } {
  const line = commandOf(service).join(' ');
  const registry = /dist\/apps\/registry\/main\.js(?:\s+(\S+))?/.exec(line);
  if (registry) return { program: 'registry', servesHttp: !registry[1] || registry[1] === 'serve' };
  if (line.includes('dist/apps/partner-agent/main.js')) return { program: 'partner-agent', servesHttp: false };
  const script = /[\w./-]+\.mjs\b/.exec(line)?.[0];
  return script ? { program: 'script', script, servesHttp: false } : { program: 'other', servesHttp: false };
}

const hasHealthcheck = (service: Service): boolean =>
  service.healthcheck ? !service.healthcheck.disable : usesOurImage(service) && !!imageHealthcheck && imageHealthcheck !== 'NONE';
const restartsForever = (service: Service): boolean => service.restart === 'always' || service.restart === 'unless-stopped';
const dependencies = (service: Service): [string, DependsOn][] =>
  Array.isArray(service.depends_on) ? service.depends_on.map((name) => [name, {}]) : Object.entries(service.depends_on ?? {});
/** Services others wait to complete (migrations, seeding): they run once and exit. */
const oneShots = new Set(services.flatMap(([, service]) => dependencies(service).filter(([, { condition }]) => condition === 'service_completed_successfully').map(([name]) => name)));

interface Mount {
  kind: 'volume' | 'bind';
  source: string;
  target: string;
}
const mountsOf = (service: Service): Mount[] =>
  (service.volumes ?? []).map((volume) => {
    const [source = '', target = ''] = typeof volume === 'string' ? volume.split(':') : [volume.source ?? '', volume.target ?? ''];
    const bind = typeof volume === 'string' ? /^[./~]/.test(source) : volume.type === 'bind';
    return { kind: bind ? 'bind' : 'volume', source, target };
  });

/** Whether `path` (relative to the image's WORKDIR) exists in the service's container: in the image or bind-mounted. */
function existsInContainer(service: Service, path: string): boolean {
  const absolute = posix.resolve(IMAGE_WORKDIR, path);
  const bound = mountsOf(service).find((mount) => mount.kind === 'bind' && within(absolute, mount.target));
  if (bound) return existsSync(join(DOCKER, bound.source, posix.relative(bound.target, absolute)));
  return usesOurImage(service) && stageHas(finalStage, absolute);
}

function effectiveEnv(name: string, service: Service): { env: Env; given: Env } {
  const { envFile, environment } = composeEnv(name, service);
  const given = { ...envFile, ...environment };
  return { env: { ...(usesOurImage(service) ? imageEnv : {}), ...given }, given };
}

/** Runs a config loader on an environment and records every variable it reads. */
function readsOf<T>(loader: (env: NodeJS.ProcessEnv) => T, env: Env): { result?: T; error?: string; read: Set<string> } {
  const read = new Set<string>();
  const tracked = new Proxy(env, {
    get: (target, key) => {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key);
    },
  });
  try {
    return { result: loader(tracked), read };
  } catch (error) {
    return { error: (error as Error).message, read };
  }
}

const serviceNamed = (host: string): Service | undefined => compose.services[host];
const registryServices = services
  .filter(([, service]) => programOf(service).program === 'registry')
  .map(([name, service]) => ({ name, service, config: readsOf(loadConfig, effectiveEnv(name, service).env).result }));
const agents = services.filter(([, service]) => programOf(service).program === 'partner-agent');

describe('docker/compose.yaml', () => {
  it('parses, and every service has an image or a build whose context and Dockerfile exist', () => {
    const problems: string[] = [];
    expect(services.length).toBeGreaterThan(0);
    for (const [name, service] of services) {
      if (!service.image && !service.build) problems.push(`services.${name}: has neither image nor build`);
      if (service.build) {
        const build = typeof service.build === 'string' ? { context: service.build } : service.build;
        const context = resolve(DOCKER, build.context ?? '.');
        if (!existsSync(context)) problems.push(`services.${name}.build.context: ${build.context} does not exist`);
        if (!existsSync(join(context, build.dockerfile ?? 'Dockerfile'))) problems.push(`services.${name}.build.dockerfile: ${build.dockerfile} does not exist in ${build.context}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('interpolates every ${VAR} with a default, so `docker compose config` works without an .env', () => {
    const problems: string[] = [];
    interpolateDeep(rawCompose, 'compose.yaml', problems);
    for (const file of new Set(services.flatMap(([, service]) => envFilesOf(service)))) parseEnvFile(join(DOCKER, file), `docker/${file}`, problems);
    expect(problems).toEqual([]);
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const problems = services.flatMap(([name, service]) =>
      (service.ports ?? [])
        .filter((port) => (typeof port === 'string' ? !port.startsWith('127.0.0.1:') : port.host_ip !== '127.0.0.1'))
        .map((port) => `services.${name}.ports: ${JSON.stringify(port)} is reachable from other machines; bind it to 127.0.0.1`),
    );
    expect(problems).toEqual([]);
  });

  it('declares every named volume, uses every declared one, and bind-mounts only files that exist', () => {
    const problems: string[] = [];
    const declared = Object.keys(compose.volumes ?? {});
    const used = new Set<string>();
    const user = lastOf(finalStage, 'USER');
    for (const [name, service] of services) {
      for (const mount of mountsOf(service)) {
        if (mount.kind === 'bind') {
          if (!existsSync(join(DOCKER, mount.source))) problems.push(`services.${name}.volumes: bind source ${mount.source} does not exist (relative to docker/)`);
          continue;
        }
        used.add(mount.source);
        if (!declared.includes(mount.source)) problems.push(`services.${name}.volumes: named volume ${mount.source} is not declared under top-level volumes`);
        // A new named volume takes the owner of the image directory it is mounted on; root would lock out USER.
        if (usesOurImage(service) && user && !finalStage.instructions.some((i) => i.keyword === 'RUN' && i.args.includes(mount.target) && i.args.includes(user))) {
          problems.push(`services.${name}.volumes: ${mount.target} is not created for user ${user} in the Dockerfile, so the volume would be owned by root`);
        }
      }
    }
    for (const volume of declared) if (!used.has(volume)) problems.push(`volumes.${volume}: declared but no service mounts it`);
    expect(problems).toEqual([]);
  });

  it('starts services in order: depends_on names existing services and waits until they are healthy or done', () => {
    const problems: string[] = [];
    for (const [name, service] of services) {
      for (const [dependency, { condition = 'service_started' }] of dependencies(service)) {
        const where = `services.${name}.depends_on.${dependency}`;
        const target = serviceNamed(dependency);
        if (!target) {
          problems.push(`${where}: no such service`);
        } else if (condition === 'service_completed_successfully') {
          if (restartsForever(target)) problems.push(`${where}: waits for ${dependency} to complete, but it restarts (${target.restart}) and never completes`);
        } else if (!hasHealthcheck(target)) {
          problems.push(`${where}: ${dependency} has no health check, so nothing tells when it is ready; give it one`);
        } else if (condition !== 'service_healthy') {
          problems.push(`${where}: ${dependency} has a health check; use condition: service_healthy (not ${condition})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives each long-running service a health check that fits what it runs', () => {
    const problems: string[] = [];
    for (const [name, service] of services) {
      const { program, servesHttp } = programOf(service);
      if (oneShots.has(name)) continue;
      if (program === 'other' && !hasHealthcheck(service)) problems.push(`services.${name}: has no healthcheck`);
      if (servesHttp && !hasHealthcheck(service)) problems.push(`services.${name}: serves HTTP but has no healthcheck (none in compose, none in the image)`);
      if (usesOurImage(service) && !servesHttp && !service.healthcheck) {
        problems.push(`services.${name}: inherits the image's HTTP HEALTHCHECK but serves no HTTP; override it or set healthcheck.disable`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs MySQL 8.4 with utf8mb4 and its data on a volume', () => {
    const mysql = services.filter(([, service]) => /^mysql:/.test(service.image ?? ''));
    expect(mysql.map(([name]) => name)).toHaveLength(1);
    const [name, service] = mysql[0];
    const problems: string[] = [];
    if (!/^mysql:8\.4(\.\d+)?(-[\w.]+)?$/.test(service.image!)) problems.push(`services.${name}.image: ${service.image} is not MySQL 8.4`);
    const command = commandOf(service).join(' ');
    if (!command.includes('--character-set-server=utf8mb4')) problems.push(`services.${name}.command: lacks --character-set-server=utf8mb4`);
    if (!/--collation-server=utf8mb4_\w+/.test(command)) problems.push(`services.${name}.command: lacks a utf8mb4 --collation-server`);
    if (!mountsOf(service).some((mount) => mount.kind === 'volume' && mount.target === '/var/lib/mysql')) problems.push(`services.${name}.volumes: /var/lib/mysql is not on a named volume`);
    expect(problems).toEqual([]);
  });

  it('runs Kafka 4.x in KRaft mode (broker + controller, a cluster id) with its logs on a volume', () => {
    const kafka = services.filter(([, service]) => /^apache\/kafka(-native)?:/.test(service.image ?? ''));
    expect(kafka.map(([name]) => name)).toHaveLength(1);
    const [name, service] = kafka[0];
    const env = composeEnv(name, service).environment;
    const problems: string[] = [];
    if (!/:4\.\d+\.\d+$/.test(service.image!)) problems.push(`services.${name}.image: ${service.image} is not a pinned Kafka 4.x`);
    const roles = (env.KAFKA_PROCESS_ROLES ?? '').split(',').map((role) => role.trim());
    if (!roles.includes('broker') || !roles.includes('controller')) problems.push(`services.${name}.environment.KAFKA_PROCESS_ROLES: "${env.KAFKA_PROCESS_ROLES}" must be broker,controller`);
    // Kafka's cluster id is a UUID in base64url without padding: 22 characters.
    if (!/^[A-Za-z0-9_-]{22}$/.test(env.CLUSTER_ID ?? '')) problems.push(`services.${name}.environment.CLUSTER_ID: missing or not a 22-character base64url UUID`);
    if (!env.KAFKA_NODE_ID) problems.push(`services.${name}.environment.KAFKA_NODE_ID: missing`);
    if (!env.KAFKA_CONTROLLER_QUORUM_VOTERS && !env.KAFKA_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS) problems.push(`services.${name}.environment: no controller quorum (KAFKA_CONTROLLER_QUORUM_VOTERS)`);
    const controller = env.KAFKA_CONTROLLER_LISTENER_NAMES;
    if (!controller || !(env.KAFKA_LISTENERS ?? '').includes(`${controller}://`)) problems.push(`services.${name}.environment.KAFKA_LISTENERS: no listener for controller ${controller}`);
    for (const key of Object.keys(env)) if (/ZOOKEEPER/.test(key)) problems.push(`services.${name}.environment.${key}: ZooKeeper is gone in Kafka 4`);
    const logDir = env.KAFKA_LOG_DIRS ?? '/tmp/kraft-combined-logs';
    if (!mountsOf(service).some((mount) => mount.kind === 'volume' && within(logDir, mount.target))) problems.push(`services.${name}.volumes: KAFKA_LOG_DIRS ${logDir} is not on a named volume`);
    expect(problems).toEqual([]);
  });

  it('gives the registry and the agents only variables they read, and all they need to start', () => {
    const problems: string[] = [];
    for (const [name, service] of services) {
      const { program, script } = programOf(service);
      const { env, given } = effectiveEnv(name, service);
      const where = `services.${name}`;
      if (program === 'registry' || program === 'partner-agent') {
        const source = program === 'registry' ? 'apps/registry/src/config/app-config.ts' : 'apps/partner-agent/src/agent-config.ts';
        const { error, read } = program === 'registry' ? readsOf(loadConfig, env) : readsOf(loadAgentConfig, env);
        // A loader that throws stops reading, so unread variables are only meaningful when it succeeds.
        if (error) problems.push(`${where}: the ${program} would refuse to start: ${error}`);
        else for (const key of Object.keys(given)) if (!read.has(key)) problems.push(`${where}: ${key} is not read by the ${program} (${source})`);
      }
      if (program === 'registry') {
        // Outside production the registry silently falls back to the published development secrets.
        if (env.NODE_ENV !== 'production') problems.push(`${where}: NODE_ENV is "${env.NODE_ENV}", not production`);
        for (const [kid, pem] of Object.entries(safeJson(env.EVENT_SIGNING_KEYS))) {
          if (keyType(() => createPrivateKey(String(pem))) !== 'ed25519') problems.push(`${where}: EVENT_SIGNING_KEYS["${kid}"] is not an Ed25519 private key`);
        }
      }
      if (program === 'script' && script) {
        const { environment } = composeEnv(name, service);
        if (!existsInContainer(service, script)) {
          problems.push(`${where}: runs ${script}, which is neither in the image nor bind-mounted`);
          continue;
        }
        const bound = mountsOf(service).find((mount) => mount.kind === 'bind' && within(posix.resolve(IMAGE_WORKDIR, script), mount.target))!;
        const text = readFileSync(join(DOCKER, bound.source), 'utf8');
        const read = new Set([...text.matchAll(/process\.env\.(\w+)/g)].map(([, key]) => key));
        for (const key of read) if (!env[key]) problems.push(`${where}: ${script} reads ${key}, which is not given`);
        // env_file may carry more: it is the registry's secrets file, shared for JWT_KEYS.
        for (const key of Object.keys(environment)) if (!read.has(key)) problems.push(`${where}.environment.${key}: not read by ${script}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('points the apps at the database, the Kafka listener and the registry, and waits for each', () => {
    const problems: string[] = [];
    const needs = (name: string, service: Service, host: string, what: string) => {
      if (!serviceNamed(host)) problems.push(`services.${name}: ${what} names host ${host}, which is not a service`);
      else if (!dependencies(service).some(([dependency]) => dependency === host)) problems.push(`services.${name}.depends_on: lacks ${host} (${what})`);
    };
    for (const { name, service, config } of registryServices) {
      if (!config) continue;
      needs(name, service, config.db.host, 'DB_HOST');
      const mysqlName = config.db.host;
      const mysql = serviceNamed(mysqlName);
      if (mysql) {
        const env = composeEnv(mysqlName, mysql).environment;
        const password = config.db.user === 'root' ? env.MYSQL_ROOT_PASSWORD : env.MYSQL_PASSWORD;
        if (config.db.port !== 3306) problems.push(`services.${name}: DB_PORT ${config.db.port} is not MySQL's port inside the network (3306)`);
        if (config.db.user !== 'root' && config.db.user !== env.MYSQL_USER) problems.push(`services.${name}: DB_USER ${config.db.user} is not ${mysqlName}'s MYSQL_USER ${env.MYSQL_USER}`);
        if (config.db.password !== password) problems.push(`services.${name}: DB_PASSWORD differs from the password ${mysqlName} creates`);
        if (config.db.database !== env.MYSQL_DATABASE) problems.push(`services.${name}: DB_NAME ${config.db.database} is not ${mysqlName}'s MYSQL_DATABASE ${env.MYSQL_DATABASE}`);
      }
      const first = registryServices[0].config;
      if (first && (JSON.stringify(first.db) !== JSON.stringify(config.db) || JSON.stringify(first.dataKeys) !== JSON.stringify(config.dataKeys) || first.identifierHashKey !== config.identifierHashKey)) {
        problems.push(`services.${name}: database or data keys differ from services.${registryServices[0].name} (the migration encrypts with DATA_KEYS)`);
      }
    }

    const kafka = services.find(([, service]) => /^apache\/kafka/.test(service.image ?? ''));
    const advertised = (kafka ? composeEnv(kafka[0], kafka[1]).environment.KAFKA_ADVERTISED_LISTENERS ?? '' : '').split(',').map((listener) => listener.replace(/^\w+:\/\//, ''));
    const prefixes = new Map<string, string>();
    const kafkaClients = [
      ...registryServices.filter(({ service }) => programOf(service).servesHttp).map(({ name, service, config }) => ({ name, service, brokers: config?.kafka.brokers, prefix: config?.kafka.topicPrefix })),
      ...agents.map(([name, service]) => {
        const config = readsOf(loadAgentConfig, effectiveEnv(name, service).env).result;
        return { name, service, brokers: config?.client.brokers, prefix: config?.client.topicPrefix };
      }),
    ];
    for (const { name, service, brokers = [], prefix } of kafkaClients) {
      for (const broker of brokers) {
        if (!advertised.includes(broker)) problems.push(`services.${name}: KAFKA_BROKERS ${broker} is not an advertised Kafka listener (${advertised.join(', ')})`);
        needs(name, service, broker.split(':')[0], 'KAFKA_BROKERS');
      }
      if (prefix !== undefined) prefixes.set(name, prefix);
    }
    if (new Set(prefixes.values()).size > 1) problems.push(`KAFKA_TOPIC_PREFIX differs between services: ${JSON.stringify(Object.fromEntries(prefixes))}`);

    for (const [name, service] of services) {
      const url = effectiveEnv(name, service).env.REGISTRY_URL;
      if (!url) continue;
      const { hostname, port } = new URL(url);
      const registry = serviceNamed(hostname);
      needs(name, service, hostname, 'REGISTRY_URL');
      const registryPort = registry && readsOf(loadConfig, effectiveEnv(hostname, registry).env).result?.http.port;
      if (registry && (!programOf(registry).servesHttp || String(registryPort) !== (port || '80'))) problems.push(`services.${name}: REGISTRY_URL ${url} is not where ${hostname} serves HTTP (port ${registryPort})`);
    }

    for (const [name, service] of agents) {
      const store = effectiveEnv(name, service).env.STORE_PATH ?? '';
      if (!mountsOf(service).some((mount) => mount.kind === 'volume' && within(store, mount.target))) problems.push(`services.${name}: STORE_PATH ${store} is not on a volume, so the applied set is lost with the container`);
    }
    expect(problems).toEqual([]);
  });

  it('registers each partner agent, with the key it signs receipts with, through the admin API', async () => {
    const problems: string[] = [];
    const registrar = services.find(([, service]) => programOf(service).script?.endsWith('register-partners.mjs'));
    if (agents.length > 0 && !registrar) problems.push('no service runs docker/register-partners.mjs, so every agent receipt would be rejected (UNKNOWN_PARTNER)');
    if (registrar) {
      const [registrarName, registrarService] = registrar;
      const env = effectiveEnv(registrarName, registrarService).env;
      const partners = JSON.parse(env.DEMO_PARTNERS ?? '[]') as (Record<string, unknown> & { id: string; keyId: string; sector: string; kinds?: string[]; publicKeyPem: string })[];
      for (const partner of partners) {
        const { keyId, publicKeyPem, ...registration } = partner;
        const body = { ...registration, publicKeys: [{ keyId, publicKeyPem }] };
        const errors = await validate(plainToInstance(RegisterPartnerDto, body), { whitelist: true, forbidNonWhitelisted: true });
        for (const error of errors) problems.push(`services.${registrarName}.environment.DEMO_PARTNERS ${partner.id}: ${error.property} is invalid (${Object.values(error.constraints ?? {}).join('; ') || 'nested'})`);
      }
      for (const [name, service] of agents) {
        const agent = effectiveEnv(name, service).env;
        const partner = partners.find((p) => p.id === agent.PARTNER_ID);
        const kinds = readsOf(loadAgentConfig, agent).result?.client.kinds ?? [];
        const registeredKinds = partner?.kinds ?? SECTOR_DEFAULT_KINDS[partner?.sector as PartnerSector] ?? [];
        const publicKey = keyPem(() => createPublicKey(createPrivateKey((agent.PARTNER_PRIVATE_KEY_PEM ?? '').replace(/\\n/g, '\n'))));
        if (!partner) problems.push(`services.${name}: PARTNER_ID ${agent.PARTNER_ID} is not in DEMO_PARTNERS of services.${registrarName}`);
        else if (partner.keyId !== agent.PARTNER_KEY_ID) problems.push(`services.${name}: PARTNER_KEY_ID ${agent.PARTNER_KEY_ID} is registered as ${partner.keyId}`);
        else if (agent.PARTNER_SECTOR && partner.sector !== agent.PARTNER_SECTOR) problems.push(`services.${name}: PARTNER_SECTOR ${agent.PARTNER_SECTOR} is registered as ${partner.sector}`);
        else if (publicKey !== partner.publicKeyPem) problems.push(`services.${name}: PARTNER_PRIVATE_KEY_PEM does not match the public key registered for ${partner.id}`);
        else if (!sameSet(kinds, registeredKinds)) problems.push(`services.${name}: consumes ${kinds.join(', ')}, but ${partner.id} is registered for ${registeredKinds.join(', ')}`);
      }
      const registry = registryServices.find(({ service }) => programOf(service).servesHttp)?.config;
      if (registry) {
        if (JSON.stringify(safeJson(env.JWT_KEYS)) !== JSON.stringify(registry.auth.keys)) problems.push(`services.${registrarName}: JWT_KEYS differ from the registry's, so its admin token would be refused`);
        const script = readFileSync(join(DOCKER, 'register-partners.mjs'), 'utf8');
        if (!script.includes(`iss: '${registry.auth.issuer}'`) || !script.includes(`aud: '${registry.auth.audience}'`)) {
          problems.push(`docker/register-partners.mjs: its token's iss/aud are not the registry's (${registry.auth.issuer}, ${registry.auth.audience})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('docker/Dockerfile', () => {
  it('builds in stages on a pinned Node 20 image, installing with npm ci', () => {
    const problems: string[] = [];
    if (stages.length < 2) problems.push(`has ${stages.length} stage(s); build and runtime must be separate (multi-stage)`);
    for (const stage of stages) {
      if (stages.some((earlier) => earlier.name === stage.base)) continue;
      if (!/^node:20(\.\d+){0,2}(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/.test(stage.base)) problems.push(`stage ${stage.name}: FROM ${stage.base} is not a Node 20 image`);
    }
    const runs = dockerfile.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    if (!runs.some((run) => /\bnpm ci\b/.test(run))) problems.push('no RUN npm ci: install exactly what package-lock.json pins');
    for (const run of runs) if (/\bnpm (install|i|add)\b/.test(run)) problems.push(`RUN ${run}: use npm ci, not npm install`);
    expect(problems).toEqual([]);
  });

  it('runs the final stage as a non-root user, with a health check on a route the registry serves', () => {
    const problems: string[] = [];
    const user = lastOf(finalStage, 'USER');
    if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`final stage runs as ${user ?? 'root (no USER)'}`);
    const httpServices = services.filter(([, service]) => usesOurImage(service) && programOf(service).servesHttp);
    if ((!imageHealthcheck || imageHealthcheck === 'NONE') && httpServices.some(([, service]) => !service.healthcheck)) problems.push('no HEALTHCHECK, and compose gives the registry none');
    const path = /['"](\/[\w/.-]*)['"]/.exec(imageHealthcheck ?? '')?.[1];
    const [, route] = /^\/health\/(\w+)$/.exec(path ?? '') ?? [];
    const controller = readFileSync(join(__dirname, 'health/health.controller.ts'), 'utf8');
    if (imageHealthcheck && (!route || !controller.includes("path: 'health'") || !controller.includes(`@Get('${route}')`))) {
      problems.push(`HEALTHCHECK probes ${path ?? '(no path)'}, which apps/registry/src/health/health.controller.ts does not serve`);
    }
    expect(problems).toEqual([]);
  });

  it('copies only what exists and starts only files the build produces', () => {
    const problems = [...copyProblems];
    const entry = [...execForm(lastOf(finalStage, 'ENTRYPOINT')), ...execForm(lastOf(finalStage, 'CMD'))];
    for (const file of entry.filter((word) => /\.m?js$/.test(word))) {
      if (!stageHas(finalStage, posix.resolve(finalStage.workdir, file))) {
        const built = dockerfile.filter((i) => i.keyword === 'RUN').flatMap((i) => builtFiles(i.args));
        problems.push(`CMD/ENTRYPOINT starts ${file}, which the final stage does not contain (built: ${built.join(', ')})`);
      }
    }
    for (const [name, service] of services.filter(([, s]) => usesOurImage(s))) {
      for (const file of commandOf(service).join(' ').match(/[\w./-]+\.(m?js|json)\b/g) ?? []) {
        if (!existsInContainer(service, file)) problems.push(`services.${name}.command: ${file} is neither built into the image nor bind-mounted`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs the registry with the V8 heap flags the bench measures its memory with, as scripts/local.sh does', () => {
    const cmd = execForm(lastOf(finalStage, 'CMD'));
    expect(cmd.filter((word) => word.startsWith('--'))).toEqual(REGISTRY_NODE_FLAGS);
    expect(readFileSync(join(ROOT, 'scripts/local.sh'), 'utf8')).toContain(`exec node ${REGISTRY_NODE_FLAGS.join(' ')} dist/apps/registry/main.js`);
  });

  it('has a .dockerignore at the build context root that keeps local state out', () => {
    const rootContexts = services.filter(([, service]) => typeof service.build === 'object' && resolve(DOCKER, service.build.context ?? '.') === ROOT);
    if (rootContexts.length === 0) return;
    if (!dockerignore) throw new Error(`.dockerignore is missing at the repository root, the build context of ${rootContexts.map(([name]) => name).join(', ')}`);
    const problems = ['.git', 'node_modules', '.cache', 'dist', 'test-artifacts'].filter((entry) => !dockerignore.includes(entry)).map((entry) => `.dockerignore: does not exclude ${entry}`);
    expect(problems).toEqual([]);
  });
});

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

function safeJson(text: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(text ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

function keyType(make: () => ReturnType<typeof createPrivateKey>): string | undefined {
  try {
    return make().asymmetricKeyType;
  } catch {
    return undefined;
  }
}

function keyPem(make: () => ReturnType<typeof createPublicKey>): string | undefined {
  try {
    return make().export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    return undefined;
  }
}
