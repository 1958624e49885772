/**
 * Tools for writing and approving a configuration: a check that stores nothing (what the console's
 * "new campaign" form calls as the operator types) and the diff an approver reads.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { findAccountById } from '../../db/repositories/accounts';
import { findCampaignConfigVersion } from '../../db/repositories/campaigns';
import { findConfigChangersSinceApproval } from '../../db/repositories/config-changers';
import { campaignConfigSchema } from '../../domain/campaign-config';
import { type ConfigChange, diffConfigs } from '../../domain/config-diff';
import {
  complianceCheck,
  configIssues,
  sampleVariables,
  templatePreviews,
  unknownAccountIssue,
} from '../config-validation';
import { AppError } from '../errors';
import { requireCampaign } from '../lookups';
import { roles } from '../plugins/auth';
import { maskingNote, type Redactor, redactorFor } from '../redaction';
import { errorResponses, idParamsSchema } from '../schemas/common';
import {
  configDiffResponseSchema,
  validateConfigBodySchema,
  validateConfigResponseSchema,
} from '../schemas/campaign-tools';

/** The configuration's sections in the schema's order: kind, name, account, post, rules… */
const sectionOrder: readonly string[] = [
  ...new Set(campaignConfigSchema.options.flatMap((option) => Object.keys(option.shape))),
];

/** Changes by section in the schema's order (jsonb keeps keys in an order of its own). */
function bySection(changes: ConfigChange[]): ConfigChange[] {
  const rank = (change: ConfigChange) => {
    const index = sectionOrder.indexOf(change.path.split('.')[0] ?? '');
    return index === -1 ? sectionOrder.length : index;
  };
  return changes
    .map((change, position) => ({ change, position }))
    .sort((a, b) => rank(a.change) - rank(b.change) || a.position - b.position)
    .map(({ change }) => change);
}

/** A change's value as the caller may see it: prize codes masked for lesser roles. */
function redactChange(change: ConfigChange, redact: Redactor): ConfigChange {
  if (redact.clear) return change;
  const mask = (value: unknown): unknown => {
    if (value === null) return value;
    if (change.path === 'prizes')
      return (redact.config({ prizes: value }) as { prizes: unknown }).prizes;
    const prize = /^prizes\.\d+$/.test(change.path)
      ? [value]
      : /^prizes\.\d+\.codes$/.test(change.path)
        ? [{ codes: value }]
        : undefined;
    if (!prize) return value;
    const [masked] = (redact.config({ prizes: prize }) as { prizes: unknown[] }).prizes;
    return /\.codes$/.test(change.path) ? (masked as { codes: unknown }).codes : masked;
  };
  return { ...change, before: mask(change.before), after: mask(change.after) };
}

export interface CampaignToolRouteOptions {
  /**
   * `PUBLIC_BASE_URL`: where participants reach the deployment, as delivery builds result links.
   * Without it previews use the request's own protocol and host.
   */
  publicBaseUrl?: string;
}

export default function campaignToolRoutes(
  app: FastifyInstance,
  options: CampaignToolRouteOptions = {},
) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/campaign-configs/validate',
    {
      onRequest: app.authorize(roles.operate),
      schema: {
        summary: 'Check a configuration as POST /v1/campaigns would, and preview its messages',
        description:
          'Changes and stores nothing. (Not under /v1/campaigns/, where the path would also be a campaign id.) Any JSON `config` is checked (200 with its issues, in Japanese and English, at their paths); only a body that is not `{config}` is a 400. Also runs the 景品表示法 (Premiums Act) check preflight runs, on the compliance section and prizes as soon as they are valid, and renders every template with sample variables as delivery would (a win message with its verification code line).',
        tags: ['campaigns'],
        body: validateConfigBodySchema,
        response: { 200: validateConfigResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { config } = request.body;
      const issues = configIssues(config);
      const accountId = (config as { accountId?: unknown } | null)?.accountId;
      const accountIssue = issues.some((issue) => issue.path === 'accountId');
      if (typeof accountId === 'string' && accountId !== '' && !accountIssue) {
        if (!(await findAccountById(app.db, accountId)))
          issues.push(unknownAccountIssue(accountId));
      }
      // Links as participants would get them: behind a proxy the request's host is an internal one.
      const base = options.publicBaseUrl || `${request.protocol}://${request.host}`;
      const vars = sampleVariables(config, base);
      return {
        valid: issues.length === 0,
        issues,
        compliance: complianceCheck(config),
        sampleVariables: vars,
        previews: templatePreviews(config, vars),
      };
    },
  );

  r.get(
    '/v1/campaigns/:id/config/diff',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary: 'What changed since the last approved configuration',
        description:
          'The changes from the version the last approval signed off to the current one, field by field (a list of plain values, such as prize codes or hashtags, is one field). Before any approval `approvedVersion` is null and every field is `added`. ' +
          maskingNote,
        tags: ['campaigns'],
        params: idParamsSchema,
        response: { 200: configDiffResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await requireCampaign(app.db, request.params.id);
      const approvedVersion = campaign.approvedConfigVersion;
      let approved: unknown = undefined;
      if (approvedVersion !== null) {
        const stored = await findCampaignConfigVersion(app.db, campaign.id, approvedVersion);
        if (!stored) {
          throw new AppError(
            409,
            'approved_config_missing',
            `Campaign '${campaign.id}' was approved at configuration version ${approvedVersion}, which is not stored`,
          );
        }
        approved = stored.config;
      }
      const redact = redactorFor(request);
      return {
        approvedVersion,
        currentVersion: campaign.configVersion,
        author: campaign.author,
        changedBy: await findConfigChangersSinceApproval(app.db, campaign.id),
        changes: bySection(diffConfigs(approved, campaign.config)).map((change) =>
          redactChange(change, redact),
        ),
      };
    },
  );
}
