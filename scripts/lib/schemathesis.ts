/**
 * Schemathesis (PyPI) for the abuse suite, in a virtual environment under `.cache/`, like the
 * other test tools: installed once with pip, with progress lines, then reused.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from './paths';
import { findOnPath, ProvisionError } from './provision';
import { step, withTicker } from './progress';

export const SCHEMATHESIS_VERSION = '4.32.5';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`));
    });
  });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The `schemathesis` executable: SCHEMATHESIS_PATH, else a cached venv, else one built now. */
export async function ensureSchemathesis(): Promise<string> {
  const configured = process.env.SCHEMATHESIS_PATH;
  if (configured) {
    if (!isExecutable(configured)) {
      throw new ProvisionError('schemathesis', `SCHEMATHESIS_PATH=${configured} is not executable`);
    }
    return configured;
  }
  const venv = path.join(cacheDir, `schemathesis-${SCHEMATHESIS_VERSION}`);
  const executable = path.join(venv, 'bin', 'schemathesis');
  if (isExecutable(executable)) return executable;

  const python = findOnPath('python3');
  if (!python) {
    throw new ProvisionError('schemathesis', 'needs python3 (with venv) to install from PyPI');
  }
  mkdirSync(cacheDir, { recursive: true });
  step(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${venv} (first run only)`);
  await withTicker('python3 -m venv', run(python, ['-m', 'venv', venv]));
  await withTicker(
    'pip install schemathesis',
    run(path.join(venv, 'bin', 'pip'), [
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      `schemathesis==${SCHEMATHESIS_VERSION}`,
    ]),
  );
  if (!isExecutable(executable)) {
    throw new ProvisionError('schemathesis', `pip finished but ${executable} is missing`);
  }
  return executable;
}
