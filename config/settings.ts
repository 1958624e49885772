/**
 * Runtime configuration from the environment, validated once at start-up so a bad value fails
 * loudly with its name instead of surfacing later as a confusing error.
 */
import { z } from 'zod';

export const TASK_QUEUE_DEFAULT = 'kuji-campaigns';

const settingsSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE_DEFAULT),
  TEMPORAL_UI_URL: z.string().url().optional(),
  /**
   * Temporal Cloud (or any server that takes API keys): the key, sent as a bearer token over TLS.
   * Alternatively mTLS: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (see config/temporal-connection.ts).
   */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** mTLS client certificate and its private key: a PEM text or the path of a PEM file. */
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  /** A self-managed server's CA (PEM text or path); Temporal Cloud's is publicly trusted. */
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  /** The name to check the server's certificate against, when it differs from the address's. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** TLS without client certificate or API key (a self-managed server behind TLS). */
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  /** The worker's health endpoint (GET /healthz) for Kubernetes probes; unset, none listens. */
  KUJI_WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KUJI_ENCRYPTION_KEY: z.string().optional(),
  KUJI_ADMIN_KEY: z.string().min(24).optional(),
  X_API_BASE_URL: z.string().url().optional(),
  X_WEBHOOK_SECRET: z.string().optional(),
  /** Where X and browsers reach Kuji; the OAuth callback is `<PUBLIC_BASE_URL>/v1/oauth/x/callback`. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** The X app's OAuth 2.0 client (developer portal → Keys and tokens), to link sender accounts. */
  X_CLIENT_ID: z.string().min(1).optional(),
  X_CLIENT_SECRET: z.string().min(1).optional(),
  /** X's consent screen; only tests and the emulator change it. */
  X_AUTHORIZE_URL: z.string().url().default('https://x.com/i/oauth2/authorize'),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** API requests per minute per key and per client address (429 past them). */
  KUJI_RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).max(1_000_000).optional(),
  KUJI_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /**
   * The reverse proxy's addresses (comma-separated IPs or CIDRs, e.g. `127.0.0.1,10.0.0.0/8`):
   * their X-Forwarded-For names the client. Unset, the connecting address is the client, and
   * behind a proxy every client would share one rate-limit bucket.
   */
  KUJI_TRUST_PROXY: z
    .string()
    .regex(/^[0-9A-Fa-f:./]+(,[0-9A-Fa-f:./]+)*$/, 'comma-separated IP addresses or CIDRs')
    .optional(),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Every variable the settings read (deployment manifests are checked against it). */
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export function requireDatabaseUrl(settings: Settings): string {
  if (!settings.DATABASE_URL) {
    throw new Error('DATABASE_URL is not set (npm start provides one; in production set it)');
  }
  return settings.DATABASE_URL;
}
