/**
 * Builds the operator console (console/src, Preact) into console/dist with esbuild: one script,
 * one stylesheet and index.html, no CDN. `npm start` and the tests call buildConsole(); `npm run
 * console:build` runs it by hand. A build whose inputs have not changed since the last one is
 * skipped (the inputs' newest modification time is kept beside the output).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export const consoleRoot = __dirname;
export const consoleDistDir = path.join(consoleRoot, 'dist');
const stampFile = path.join(consoleDistDir, '.inputs');

/** The newest modification time among the console's sources and the packages it bundles. */
function newestInput(): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  visit(path.join(consoleRoot, 'src'));
  for (const file of ['index.html', 'build.ts', '../package-lock.json']) {
    newest = Math.max(newest, statSync(path.join(consoleRoot, file)).mtimeMs);
  }
  return newest;
}

export interface ConsoleBuild {
  outDir: string;
  built: boolean;
  ms: number;
}

/** Builds the console unless console/dist is already up to date with its inputs. */
export async function buildConsole(options: { force?: boolean } = {}): Promise<ConsoleBuild> {
  const started = Date.now();
  const inputs = String(newestInput());
  if (
    !options.force &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === inputs &&
    existsSync(path.join(consoleDistDir, 'assets', 'app.js'))
  ) {
    return { outDir: consoleDistDir, built: false, ms: Date.now() - started };
  }
  mkdirSync(path.join(consoleDistDir, 'assets'), { recursive: true });
  await build({
    entryPoints: { app: path.join(consoleRoot, 'src', 'main.tsx') },
    outdir: path.join(consoleDistDir, 'assets'),
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  writeFileSync(
    path.join(consoleDistDir, 'index.html'),
    readFileSync(path.join(consoleRoot, 'index.html')),
  );
  writeFileSync(stampFile, inputs);
  return { outDir: consoleDistDir, built: true, ms: Date.now() - started };
}

if (require.main === module) {
  buildConsole({ force: process.argv.includes('--force') })
    .then((result) => {
      console.log(
        result.built
          ? `console built into ${path.relative(process.cwd(), result.outDir)} in ${result.ms} ms`
          : 'console is up to date',
      );
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
