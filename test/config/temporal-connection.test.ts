import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadSettings } from '../../config/settings';
import {
  describeTemporalConnection,
  TemporalConnectionConfigError,
  temporalConnectionOptions,
} from '../../config/temporal-connection';

const certPem = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const keyPem = '-----BEGIN PRIVATE KEY-----\nMIIBkey\n-----END PRIVATE KEY-----\n';
const noFiles = (file: string): Buffer => {
  throw new Error(`unexpected read of ${file}`);
};

const optionsFrom = (env: Record<string, string>, readFile = noFiles) =>
  temporalConnectionOptions(loadSettings(env), readFile);

describe('temporalConnectionOptions', () => {
  it('connects in plain gRPC to the address alone when nothing else is set (dev server)', () => {
    const options = optionsFrom({ TEMPORAL_ADDRESS: 'temporal:7233' });
    assert.deepEqual(options, { address: 'temporal:7233' });
    assert.equal(describeTemporalConnection(options), 'temporal:7233 (plain gRPC)');
  });

  it('turns TLS on and sends the API key for Temporal Cloud', () => {
    const options = optionsFrom({
      TEMPORAL_ADDRESS: 'ap-northeast-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'kuji.a1b2c',
      TEMPORAL_API_KEY: 'tcld-secret-key',
    });
    assert.deepEqual(options, {
      address: 'ap-northeast-1.aws.api.temporal.io:7233',
      tls: {},
      apiKey: 'tcld-secret-key',
    });
    const described = describeTemporalConnection(options);
    assert.equal(described, 'ap-northeast-1.aws.api.temporal.io:7233 (TLS, API key)');
    assert.doesNotMatch(described, /tcld-secret-key/);
  });

  it('reads mTLS certificate and key given inline as PEM (with \\n escapes from a .env file)', () => {
    const options = optionsFrom({
      TEMPORAL_ADDRESS: 'kuji.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CERT: certPem.replace(/\n/g, '\\n'),
      TEMPORAL_TLS_KEY: keyPem,
    });
    assert.equal(options.apiKey, undefined);
    assert.equal(options.tls?.clientCertPair?.crt.toString(), certPem);
    assert.equal(options.tls?.clientCertPair?.key.toString(), keyPem);
    assert.equal(describeTemporalConnection(options), 'kuji.a1b2c.tmprl.cloud:7233 (mTLS)');
  });

  it('reads mTLS certificate, key and CA from files (a mounted secret) with a server name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kuji-tls-'));
    const files = { cert: certPem, key: keyPem, ca: certPem.replace('cert', 'ca') };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(path.join(dir, `${name}.pem`), text);
    }
    const options = temporalConnectionOptions(
      loadSettings({
        TEMPORAL_ADDRESS: '10.0.0.5:7233',
        TEMPORAL_TLS_CERT: path.join(dir, 'cert.pem'),
        TEMPORAL_TLS_KEY: path.join(dir, 'key.pem'),
        TEMPORAL_TLS_CA: path.join(dir, 'ca.pem'),
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      }),
    );
    assert.equal(options.tls?.clientCertPair?.crt.toString(), files.cert);
    assert.equal(options.tls?.clientCertPair?.key.toString(), files.key);
    assert.equal(options.tls?.serverRootCACertificate?.toString(), files.ca);
    assert.equal(options.tls?.serverNameOverride, 'temporal.internal');
  });

  it('TEMPORAL_TLS=true alone: TLS with the system CAs, no client identity', () => {
    assert.deepEqual(optionsFrom({ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS: 'true' }), {
      address: 't:7233',
      tls: {},
    });
  });

  it('refuses half an mTLS pair, both methods at once, and TLS settings with TLS off', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ TEMPORAL_TLS_CERT: certPem }, /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/],
      [{ TEMPORAL_TLS_KEY: keyPem }, /go together/],
      [
        { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CERT: certPem, TEMPORAL_TLS_KEY: keyPem },
        /either TEMPORAL_API_KEY or/,
      ],
      [{ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, /TEMPORAL_TLS=false/],
      [{ TEMPORAL_TLS_SERVER_NAME: 'x' }, /TLS is off/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => optionsFrom(env),
        (error: unknown) =>
          error instanceof TemporalConnectionConfigError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });

  it('names the variable when a path cannot be read or holds no PEM', () => {
    assert.throws(
      () =>
        optionsFrom({ TEMPORAL_TLS_CERT: '/nowhere/cert.pem', TEMPORAL_TLS_KEY: keyPem }, () => {
          throw new Error('ENOENT');
        }),
      /TEMPORAL_TLS_CERT: neither a PEM text nor a readable file \(ENOENT\)/,
    );
    assert.throws(
      () =>
        optionsFrom({ TEMPORAL_TLS_CERT: certPem, TEMPORAL_TLS_KEY: '/k.pem' }, () =>
          Buffer.from('not a key'),
        ),
      /TEMPORAL_TLS_KEY: the file \/k.pem holds no PEM block/,
    );
  });
});
