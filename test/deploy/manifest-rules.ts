/**
 * Offline checks of deploy/kubernetes/: each object against Kubernetes' own schema
 * (kubernetes-models), then Kuji's rules, as a list of problems (empty: fine). Pure apart from
 * loading the schema modules, so a test can feed it broken copies of the manifests.
 */
import { parseAllDocuments } from 'yaml';

export interface ManifestFile {
  path: string;
  text: string;
}

export interface KubeObject {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: KubeSpec;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface RuleContext {
  /** Every variable Kuji's processes read (settings + the credentials key loader, etc.). */
  knownEnv: ReadonlySet<string>;
  /** Whether the API answers `GET path` (built app, `hasRoute`). */
  apiServes: (path: string) => boolean;
  /** Paths the worker's health server answers. */
  workerPaths: readonly string[];
  /** Whether a repository file exists (a container's entry script). */
  repoFileExists: (path: string) => boolean;
}

/** Names whose values are secrets: they must come from a Secret, never a value or a ConfigMap. */
export const secretLooking =
  /(SECRET|TOKEN|PASSWORD|API_KEY|ADMIN_KEY|ENCRYPTION_KEY|TLS_KEY|DATABASE_URL)/;

/** Which Kuji process a container runs, from its command. */
const entryPoints = {
  'api/server.ts': 'api',
  'worker/main.ts': 'worker',
  'db/migrate-cli.ts': 'migrate',
} as const;
type Process = (typeof entryPoints)[keyof typeof entryPoints];

export function parseManifests(files: ManifestFile[]): {
  objects: KubeObject[];
  problems: string[];
} {
  const objects: KubeObject[] = [];
  const problems: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(file.text)) {
      if (doc.errors.length > 0) {
        problems.push(`${file.path}: YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      objects.push({ ...(value as Omit<KubeObject, 'file'>), file: file.path });
    }
  }
  return { objects, problems };
}

/** `apps/v1` + `Deployment` → `kubernetes-models/apps/v1/Deployment`. */
export function modelModule(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

export function schemaProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const where = `${object.file}: ${object.kind}/${object.metadata?.name}`;
    let Model: new (data: unknown) => { validate(): void };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(modelModule(object.apiVersion, object.kind)) as Record<
        string,
        new (data: unknown) => { validate(): void }
      >;
      const found = loaded[object.kind];
      if (!found) throw new Error('no such model');
      Model = found;
    } catch {
      problems.push(`${where}: unknown apiVersion/kind ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const { file: _file, ...data } = object;
    try {
      new Model(data).validate();
    } catch (error) {
      problems.push(`${where}: schema: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

type Labels = Record<string, string>;

/** The parts of Deployment, Job, Service and PodDisruptionBudget specs the rules read. */
export interface KubeSpec {
  replicas?: unknown;
  /** A Service's selector is the labels; a Deployment's or budget's has `matchLabels`. */
  selector?: Labels & { matchLabels?: Labels };
  template?: { metadata?: { labels?: Labels }; spec?: PodSpec };
  ports?: { targetPort?: number | string; port: number }[];
}

export interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean };
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string; optional?: boolean };
      configMapKeyRef?: { name: string; key: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { mountPath: string }[];
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
  };
}
export interface Probe {
  httpGet?: { path?: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: unknown;
}

function podSpecOf(object: KubeObject): PodSpec | undefined {
  return object.spec?.template?.spec;
}

const podLabelsOf = (object: KubeObject) => object.spec?.template?.metadata?.labels;

function processOf(container: Container): Process | undefined {
  const script = container.command?.find((part) => part in entryPoints);
  return script ? entryPoints[script as keyof typeof entryPoints] : undefined;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

export function kujiRuleProblems(objects: KubeObject[], context: RuleContext): string[] {
  const problems: string[] = [];
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]),
  );
  const secrets = new Map(
    objects
      .filter((o) => o.kind === 'Secret')
      .map((o) => [o.metadata.name, { ...(o.data ?? {}), ...(o.stringData ?? {}) }]),
  );
  const workloads = objects.filter((o) => ['Deployment', 'Job'].includes(o.kind));
  const images = new Set<string>();
  const processes = new Map<Process, KubeObject>();

  for (const [name, data] of configMaps) {
    for (const key of Object.keys(data)) {
      if (!context.knownEnv.has(key)) problems.push(`ConfigMap/${name}: unknown setting ${key}`);
      if (secretLooking.test(key)) {
        problems.push(`ConfigMap/${name}: ${key} looks secret: put it in a Secret`);
      }
    }
  }

  for (const workload of workloads) {
    const where = `${workload.kind}/${workload.metadata.name}`;
    const pod = podSpecOf(workload);
    if (!pod) {
      problems.push(`${where}: no pod template`);
      continue;
    }
    const podLabels = podLabelsOf(workload);
    if (workload.kind === 'Deployment') {
      const selector = workload.spec?.selector?.matchLabels ?? {};
      if (!matches(selector, podLabels)) {
        problems.push(`${where}: selector ${JSON.stringify(selector)} does not match its pods`);
      }
    }
    if (pod.securityContext?.runAsNonRoot !== true) {
      problems.push(`${where}: pods must set securityContext.runAsNonRoot`);
    }
    const mounts = new Set<string>();
    for (const container of pod.containers) {
      const at = `${where} container ${container.name}`;
      const process = processOf(container);
      if (!process) {
        problems.push(`${at}: runs none of ${Object.keys(entryPoints).join(', ')}`);
      } else {
        processes.set(process, workload);
        const script = container.command?.find((part) => part in entryPoints);
        if (script && !context.repoFileExists(script)) problems.push(`${at}: ${script} is missing`);
      }
      if (container.image) images.add(container.image);
      if (!container.resources?.requests?.memory || !container.resources?.limits?.memory) {
        problems.push(`${at}: memory request and limit needed`);
      }
      const security = container.securityContext ?? {};
      if (security.allowPrivilegeEscalation !== false) {
        problems.push(`${at}: allowPrivilegeEscalation must be false`);
      }
      if (security.readOnlyRootFilesystem !== true) {
        problems.push(`${at}: readOnlyRootFilesystem must be true`);
      }
      for (const mount of container.volumeMounts ?? []) {
        mounts.add(mount.mountPath);
      }
      if (security.readOnlyRootFilesystem === true && !mounts.has('/tmp')) {
        problems.push(`${at}: a read-only root needs a writable /tmp (tsx's cache)`);
      }

      // Environment: known names only; secrets only from secretKeyRef to a Secret that has them.
      const env = new Map<string, string | undefined>();
      for (const source of container.envFrom ?? []) {
        if (source.secretRef) {
          problems.push(`${at}: envFrom a whole Secret hides which secrets it gets; name each`);
        }
        const name = source.configMapRef?.name;
        if (name === undefined) continue;
        const data = configMaps.get(name);
        if (!data) problems.push(`${at}: envFrom ConfigMap ${name} is not in the manifests`);
        for (const [key, value] of Object.entries(data ?? {})) env.set(key, value);
      }
      for (const variable of container.env ?? []) {
        if (!context.knownEnv.has(variable.name)) {
          problems.push(`${at}: unknown environment variable ${variable.name}`);
        }
        const ref = variable.valueFrom?.secretKeyRef;
        if (secretLooking.test(variable.name) && !ref) {
          problems.push(`${at}: ${variable.name} looks secret: it must come from a secretKeyRef`);
        }
        if (ref) {
          const secret = secrets.get(ref.name);
          if (!secret) problems.push(`${at}: ${variable.name} from unknown Secret ${ref.name}`);
          else if (!(ref.key in secret)) {
            problems.push(`${at}: ${variable.name}: Secret ${ref.name} has no key ${ref.key}`);
          }
        }
        env.set(variable.name, variable.value);
      }
      if (process === 'api' || process === 'worker') {
        for (const required of ['DATABASE_URL', 'KUJI_ENCRYPTION_KEY', 'TEMPORAL_ADDRESS']) {
          if (!env.has(required)) problems.push(`${at}: ${required} is not set`);
        }
      }
      if (process === 'migrate' && !env.has('DATABASE_URL')) {
        problems.push(`${at}: DATABASE_URL is not set`);
      }

      // Probes: a port the container declares, the port the process listens on, a served path.
      const ports = container.ports ?? [];
      const portNumber = (port: number | string) =>
        ports.find((p) => p.name === port || p.containerPort === port)?.containerPort;
      const listens =
        process === 'api'
          ? Number(env.get('PORT') ?? 3000)
          : process === 'worker'
            ? Number(env.get('KUJI_WORKER_HEALTH_PORT'))
            : undefined;
      const probes = {
        liveness: container.livenessProbe,
        readiness: container.readinessProbe,
        startup: container.startupProbe,
      };
      for (const [kind, probe] of Object.entries(probes)) {
        if (!probe) {
          if (process !== 'migrate' && kind !== 'startup') {
            problems.push(`${at}: no ${kind} probe`);
          }
          continue;
        }
        const http = probe.httpGet;
        if (!http) {
          problems.push(`${at}: ${kind} probe must be an httpGet on a health path`);
          continue;
        }
        const port = portNumber(http.port);
        if (port === undefined) {
          problems.push(`${at}: ${kind} probe port ${http.port} is not a container port`);
        } else if (port !== listens) {
          problems.push(`${at}: ${kind} probe port ${port}, but the process listens on ${listens}`);
        }
        const path = http.path ?? '/';
        const served =
          process === 'api'
            ? context.apiServes(path)
            : process === 'worker' && context.workerPaths.includes(path);
        if (!served) problems.push(`${at}: ${kind} probe path ${path} is not served`);
      }
      if (
        probes.liveness?.httpGet?.path !== undefined &&
        probes.liveness.httpGet.path === '/healthz'
      ) {
        problems.push(
          `${at}: liveness on /healthz restarts pods when a dependency is down; use /livez`,
        );
      }
    }
    if (workload.kind === 'Deployment') {
      const first = pod.containers[0];
      const process = first ? processOf(first) : undefined;
      const replicas = workload.spec?.replicas;
      if (
        (process === 'api' || process === 'worker') &&
        !(typeof replicas === 'number' && replicas >= 2)
      ) {
        problems.push(`${where}: at least 2 replicas (no single point of failure)`);
      }
    }
  }

  for (const process of ['api', 'worker', 'migrate'] as const) {
    if (!processes.has(process)) problems.push(`no workload runs the ${process}`);
  }
  if (images.size !== 1) {
    problems.push(`the Kuji containers must share one image, not ${[...images].join(', ')}`);
  }

  // Services and PodDisruptionBudgets select the pods they are for.
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const { matchLabels: _ignored, ...selector } = service.spec?.selector ?? {};
    const targets = deployments.filter((d) => matches(selector, podLabelsOf(d)));
    const target = targets[0];
    if (targets.length !== 1 || !target) {
      problems.push(`Service/${service.metadata.name}: selects ${targets.length} Deployments`);
      continue;
    }
    const containers = podSpecOf(target)?.containers ?? [];
    for (const port of service.spec?.ports ?? []) {
      const targetPort = port.targetPort ?? port.port;
      const declared = containers.some((c) =>
        (c.ports ?? []).some((p) => p.name === targetPort || p.containerPort === targetPort),
      );
      if (!declared) {
        problems.push(
          `Service/${service.metadata.name}: targetPort ${targetPort} is not a pod port`,
        );
      }
    }
  }
  for (const budget of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const selector = budget.spec?.selector?.matchLabels ?? {};
    const targets = deployments.filter((d) => matches(selector, podLabelsOf(d)));
    if (targets.length !== 1) {
      problems.push(`PodDisruptionBudget/${budget.metadata.name}: selects ${targets.length}`);
    }
  }
  return problems;
}

/** kustomization.yaml: lists every manifest but the example Secret, and only existing files. */
export function kustomizationProblems(
  kustomization: { resources?: string[]; images?: { name: string }[] },
  manifestPaths: string[],
  objects: KubeObject[],
): string[] {
  const problems: string[] = [];
  const resources = kustomization.resources ?? [];
  for (const resource of resources) {
    if (!manifestPaths.includes(resource)) problems.push(`kustomization: ${resource} is missing`);
  }
  for (const path of manifestPaths) {
    const listed = resources.includes(path);
    if (path === 'secret.example.yaml' && listed) {
      problems.push('kustomization: the example Secret must not be applied');
    } else if (path !== 'secret.example.yaml' && !listed) {
      problems.push(`kustomization: ${path} is not listed`);
    }
  }
  const image = objects.flatMap((o) => podSpecOf(o)?.containers ?? []).map((c) => c.image)[0];
  if (!kustomization.images?.some((i) => i.name === image)) {
    problems.push(`kustomization: images does not set ${image}`);
  }
  return problems;
}
