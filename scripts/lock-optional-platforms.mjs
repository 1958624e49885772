/* global console */
// The package registry reachable from our build machines does not serve @swc/core's macOS,
// Windows and exotic-Linux binaries, so `npm install` there drops them from package-lock.json and
// `npm ci` then refuses the lock ("Missing: @swc/core-darwin-arm64@ from lock file"). This puts
// platform-tagged optional entries back; npm skips them on other platforms. Run after npm install.
import { readFileSync, writeFileSync } from 'node:fs';

const platforms = {
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'linux-arm-gnueabihf': { os: 'linux', cpu: 'arm' },
  'linux-arm64-gnu': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'linux-arm64-musl': { os: 'linux', cpu: 'arm64', libc: 'musl' },
  'linux-ppc64-gnu': { os: 'linux', cpu: 'ppc64', libc: 'glibc' },
  'linux-s390x-gnu': { os: 'linux', cpu: 's390x', libc: 'glibc' },
  'linux-x64-gnu': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-x64-musl': { os: 'linux', cpu: 'x64', libc: 'musl' },
  'win32-arm64-msvc': { os: 'win32', cpu: 'arm64' },
  'win32-ia32-msvc': { os: 'win32', cpu: 'ia32' },
  'win32-x64-msvc': { os: 'win32', cpu: 'x64' },
};

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const core = lock.packages['node_modules/@swc/core'];
let added = 0;
for (const [name, version] of Object.entries(core.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const platform = platforms[name.replace('@swc/core-', '')];
  if (!platform) throw new Error(`unknown @swc/core platform package ${name}`);
  lock.packages[key] = {
    version,
    cpu: [platform.cpu],
    ...(platform.libc ? { libc: [platform.libc] } : {}),
    license: 'Apache-2.0 AND MIT',
    optional: true,
    os: [platform.os],
    engines: { node: '>=10' },
  };
  added += 1;
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
  ),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} optional @swc/core platform entries`);
