/**
 * Finds or builds every binary the local stack and the test suite need, caching them under
 * `.cache/`. Nothing is fetched except through package registries (Go module proxy, Maven
 * Central); where a tool cannot be provisioned, the error names it and says how to get it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from './paths';
import { step, withTicker } from './progress';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** Later tags carry a `replace` directive that `go install` refuses. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEST_SERVER_ARTIFACT = 'io.temporal:temporal-test-server';
export const TEST_SERVER_VERSION = '1.35.0';

/** Mirrors @temporalio/testing's EphemeralServerExecutable without importing a dev dependency. */
export type ServerExecutable =
  { type: 'existing-path'; path: string } | { type: 'cached-download'; downloadDir: string };

export class ProvisionError extends Error {
  constructor(
    readonly tool: string,
    message: string,
  ) {
    super(`${tool}: ${message}`);
    this.name = 'ProvisionError';
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks a command up on PATH, like `which`. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string }) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`));
    });
  });
}

/**
 * The Temporal CLI (dev server with Web UI): TEMPORAL_CLI_PATH, else `temporal` on PATH, else a
 * cached `go install`, else the SDK's own download.
 */
export async function ensureTemporalCli(): Promise<ServerExecutable> {
  const configured = process.env.TEMPORAL_CLI_PATH;
  if (configured) {
    if (!isExecutable(configured)) {
      throw new ProvisionError(
        'Temporal CLI',
        `TEMPORAL_CLI_PATH=${configured} is not an executable file`,
      );
    }
    return { type: 'existing-path', path: configured };
  }
  const onPath = findOnPath('temporal');
  if (onPath) return { type: 'existing-path', path: onPath };

  const binDir = path.join(cacheDir, 'temporal-cli');
  const cached = path.join(binDir, 'temporal');
  if (isExecutable(cached)) return { type: 'existing-path', path: cached };

  const go = findOnPath('go');
  if (go) {
    mkdirSync(binDir, { recursive: true });
    step(
      `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install into ${binDir} ` +
        '(first run only; about 4 minutes on 2 cores)',
    );
    await withTicker(
      'go install temporal',
      run(go, ['install', '-ldflags=-s -w', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' },
        cwd: binDir,
      }),
    );
    if (!isExecutable(cached)) {
      throw new ProvisionError('Temporal CLI', `go install finished but ${cached} is missing`);
    }
    return { type: 'existing-path', path: cached };
  }
  step('no Go toolchain: letting the Temporal SDK download the CLI (needs internet access)');
  return { type: 'cached-download', downloadDir: path.join(cacheDir, 'sdk-downloads') };
}

/**
 * The Java time-skipping test server: TEMPORAL_TEST_SERVER_PATH, else the Maven artifact copied
 * into the cache behind a wrapper script, else the SDK's own download.
 */
export async function ensureTestServer(): Promise<ServerExecutable> {
  const configured = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (configured) {
    if (!isExecutable(configured)) {
      throw new ProvisionError(
        'Temporal test server',
        `TEMPORAL_TEST_SERVER_PATH=${configured} is not an executable file`,
      );
    }
    return { type: 'existing-path', path: configured };
  }
  const dir = path.join(cacheDir, `temporal-test-server-${TEST_SERVER_VERSION}`);
  const libDir = path.join(dir, 'lib');
  const wrapper = path.join(dir, 'temporal-test-server');
  const hasJars = existsSync(libDir) && readdirSync(libDir).some((f) => f.endsWith('.jar'));
  if (isExecutable(wrapper) && hasJars) return { type: 'existing-path', path: wrapper };

  const mvn = findOnPath('mvn');
  const java = findOnPath('java');
  if (mvn && java) {
    mkdirSync(dir, { recursive: true });
    const [groupId, artifactId] = TEST_SERVER_ARTIFACT.split(':');
    writeFileSync(
      path.join(dir, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.kuji</groupId>
  <artifactId>temporal-test-server-provision</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>${groupId}</groupId>
      <artifactId>${artifactId}</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`,
    );
    step(`fetching ${TEST_SERVER_ARTIFACT}:${TEST_SERVER_VERSION} from Maven Central into ${dir}`);
    await withTicker(
      'mvn dependency:copy-dependencies',
      run(mvn, ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`], {
        cwd: dir,
      }),
    );
    // exec matters: the SDK SIGKILLs the process it spawned, which must be the JVM itself.
    writeFileSync(
      wrapper,
      `#!/bin/sh\nexec "${java}" -cp "${libDir}/*" io.temporal.testserver.TestServer "$@"\n`,
      { mode: 0o755 },
    );
    return { type: 'existing-path', path: wrapper };
  }
  step('no Maven/Java: letting the Temporal SDK download the test server (needs internet access)');
  return { type: 'cached-download', downloadDir: path.join(cacheDir, 'sdk-downloads') };
}

/** Where a Chromium may already be: CHROME_PATH, Debian's /usr/bin/chromium, `chromium` on PATH. */
function chromiumCandidates(): string[] {
  return [process.env.CHROME_PATH, '/usr/bin/chromium', findOnPath('chromium')].filter(
    (candidate): candidate is string => Boolean(candidate),
  );
}

/** The Debian packages the browser checks need: the browser, and fonts for Japanese pages. */
export const CHROMIUM_PACKAGES = ['chromium', 'fonts-noto-cjk'];

const chromiumHowTo =
  `install Debian's packages (\`sudo apt-get install -y ${CHROMIUM_PACKAGES.join(' ')}\`) ` +
  'or set CHROME_PATH to a Chromium/Chrome executable.';

/** Chromium for browser checks: CHROME_PATH, else Debian's /usr/bin/chromium, else PATH. */
export function findChromium(candidates: string[] = chromiumCandidates()): string {
  for (const candidate of candidates) {
    if (isExecutable(candidate)) return candidate;
  }
  throw new ProvisionError('Chromium', `no browser found for the browser tests; ${chromiumHowTo}`);
}

export interface ChromiumProvisioning {
  candidates?: string[];
  /** apt-get to install with; undefined when there is none (not Debian, or not on PATH). */
  aptGet?: string;
  /** Installing system packages needs root; a sudo prompt in the middle of a test run would hang. */
  isRoot?: boolean;
}

function defaultProvisioning(): Required<Omit<ChromiumProvisioning, 'aptGet'>> & {
  aptGet?: string;
} {
  return {
    candidates: chromiumCandidates(),
    aptGet: existsSync('/etc/debian_version') ? findOnPath('apt-get') : undefined,
    isRoot: process.getuid?.() === 0,
  };
}

/**
 * Finds Chromium, or installs Debian's package when that can be done unattended (root on
 * Debian). Like the other tools it is cached, here by the system: the next run finds it.
 */
export async function ensureChromium(options: ChromiumProvisioning = {}): Promise<string> {
  const { candidates, aptGet, isRoot } = { ...defaultProvisioning(), ...options };
  try {
    return findChromium(candidates);
  } catch (error) {
    if (!aptGet || !isRoot) throw error;
  }
  step(
    `Chromium is missing: installing Debian's ${CHROMIUM_PACKAGES.join(', ')} with apt-get ` +
      '(first run only; about 1 min)',
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await withTicker('apt-get update', run(aptGet, ['update', '-q'], { env }));
    await withTicker(
      `apt-get install ${CHROMIUM_PACKAGES.join(' ')}`,
      run(aptGet, ['install', '-y', '-q', ...CHROMIUM_PACKAGES], { env }),
    );
  } catch (error) {
    throw new ProvisionError(
      'Chromium',
      `installing it failed (${error instanceof Error ? error.message : String(error)}); ${chromiumHowTo}`,
    );
  }
  return findChromium(candidates);
}
