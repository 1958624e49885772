/**
 * How the worker (`NativeConnection`) and the API (`Connection`) reach Temporal: a local or
 * self-managed server in plain gRPC, Temporal Cloud with an API key (TLS and a bearer token), or
 * any server with mTLS (a client certificate and key, optionally a private CA). Both SDK
 * connection types take the options built here.
 */
import { readFileSync } from 'node:fs';
import type { Settings } from './settings';

export interface TemporalTlsOptions {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

export interface TemporalConnectionOptions {
  address: string;
  /** Absent: plain gRPC (the dev server, a cluster inside the same private network). */
  tls?: TemporalTlsOptions;
  apiKey?: string;
}

export type TemporalConnectionSettings = Pick<
  Settings,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS_CERT'
  | 'TEMPORAL_TLS_KEY'
  | 'TEMPORAL_TLS_CA'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_TLS'
>;

export class TemporalConnectionConfigError extends Error {
  override name = 'TemporalConnectionConfigError';
}

const pemPattern = /^\s*-----BEGIN [A-Z0-9 ]+-----/;

/**
 * A PEM given inline (a Kubernetes secret's value, `$(cat cert.pem)`) or the path of a PEM file
 * (a mounted secret). Reading the file here makes a wrong path fail at start with its variable's
 * name, not at the first connection.
 */
export function readPem(
  name: string,
  value: string,
  readFile: (path: string) => Buffer = readFileSync,
): Buffer {
  if (pemPattern.test(value)) return Buffer.from(value.replace(/\\n/g, '\n'));
  let contents: Buffer;
  try {
    contents = readFile(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemporalConnectionConfigError(
      `${name}: neither a PEM text nor a readable file (${reason})`,
    );
  }
  if (!pemPattern.test(contents.toString('utf8'))) {
    throw new TemporalConnectionConfigError(`${name}: the file ${value} holds no PEM block`);
  }
  return contents;
}

export function temporalConnectionOptions(
  settings: TemporalConnectionSettings,
  readFile: (path: string) => Buffer = readFileSync,
): TemporalConnectionOptions {
  const address = settings.TEMPORAL_ADDRESS;
  const cert = settings.TEMPORAL_TLS_CERT;
  const key = settings.TEMPORAL_TLS_KEY;
  if (Boolean(cert) !== Boolean(key)) {
    throw new TemporalConnectionConfigError(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both (mTLS) or neither',
    );
  }
  if (settings.TEMPORAL_API_KEY && cert) {
    throw new TemporalConnectionConfigError(
      'set either TEMPORAL_API_KEY or TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY, not both: ' +
        'a Temporal Cloud namespace takes the one its authentication method names',
    );
  }
  const tlsWanted =
    Boolean(settings.TEMPORAL_API_KEY) ||
    Boolean(cert) ||
    Boolean(settings.TEMPORAL_TLS_CA) ||
    settings.TEMPORAL_TLS === 'true';
  if (settings.TEMPORAL_TLS === 'false' && tlsWanted) {
    throw new TemporalConnectionConfigError(
      'TEMPORAL_TLS=false, but an API key, a client certificate or a CA is set: those need TLS',
    );
  }
  if (!tlsWanted) {
    if (settings.TEMPORAL_TLS_SERVER_NAME) {
      throw new TemporalConnectionConfigError(
        'TEMPORAL_TLS_SERVER_NAME is set but TLS is off (set TEMPORAL_TLS=true)',
      );
    }
    return { address };
  }
  const tls: TemporalTlsOptions = {};
  if (settings.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = settings.TEMPORAL_TLS_SERVER_NAME;
  if (settings.TEMPORAL_TLS_CA) {
    tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA', settings.TEMPORAL_TLS_CA, readFile);
  }
  if (cert && key) {
    tls.clientCertPair = {
      crt: readPem('TEMPORAL_TLS_CERT', cert, readFile),
      key: readPem('TEMPORAL_TLS_KEY', key, readFile),
    };
  }
  return {
    address,
    tls,
    ...(settings.TEMPORAL_API_KEY ? { apiKey: settings.TEMPORAL_API_KEY } : {}),
  };
}

/** What a log line may say about the connection: never the key or the certificate's key. */
export function describeTemporalConnection(options: TemporalConnectionOptions): string {
  if (!options.tls) return `${options.address} (plain gRPC)`;
  if (options.apiKey) return `${options.address} (TLS, API key)`;
  if (options.tls.clientCertPair) return `${options.address} (mTLS)`;
  return `${options.address} (TLS)`;
}
