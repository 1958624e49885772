import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../../worker/worker';
import { cacheDir } from './paths';

/** Bundles workflows/ once so every test worker can start from it (webpack takes seconds). */
export async function writeWorkflowBundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const dir = path.join(cacheDir, 'test');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(file, code);
  return file;
}

const noop = () => undefined;
const quietLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
};
