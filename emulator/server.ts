/**
 * The X emulator: a real HTTP server speaking the X API v2 subset Kuji uses, with state, per-user
 * rate limits, fault injection, a movable clock, webhook delivery and an admin API.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { handleAdmin } from './admin-routes';
import { authenticate, unauthorized } from './auth';
import { EmulatorClock } from './clock';
import type { EndpointKey, EndpointRateLimit } from './endpoints';
import { FaultInjector, type ActiveFaultRule } from './fault-injector';
import { outcomeOf, type FaultOutcome } from './faults';
import {
  HttpError,
  json,
  parseBodies,
  readBody,
  sendReply,
  type EmuReply,
  type EmuRequest,
} from './http';
import { AUTHORIZE_PATH, handleAuthorize } from './oauth-consent';
import { requiredScopes } from './oauth-scopes';
import { RateLimiter } from './rate-limits';
import { problemBody } from './render';
import {
  matchApiRoute,
  notFoundReply,
  unsupportedAuthenticationReply,
  type ApiContext,
  type ApiRoute,
  type Caller,
} from './routes';
import { faultRuleSchema, parseScenario, type FaultRuleInput, type Scenario } from './scenario';
import { EmulatorState, type EmuDm, type EmuEvent, type EmuPost } from './state';
import { isDeliverable, WebhookDispatcher, type CrcResult, type ReplayJob } from './webhooks';

export interface RequestLogEntry {
  seq: number;
  at: string;
  atMs: number;
  method: string;
  path: string;
  endpoint?: EndpointKey;
  userId?: string;
  status: number;
  /** The fault preset (or 'response') injected, if any. */
  fault?: string;
  /** What happened instead of an answer: 'timeout' or 'reset'. */
  outcome?: string;
}

export interface XEmulatorOptions {
  port?: number;
  host?: string;
  scenario?: Scenario;
  /** How long a 'timeout' fault holds the request before dropping it (default 30 s). */
  holdTimeoutMs?: number;
}

export interface SentMessages {
  dms: {
    id: string;
    conversationId: string;
    senderId: string;
    recipientId: string;
    text: string;
    createdAt: string;
  }[];
  posts: {
    id: string;
    authorId: string;
    text: string;
    inReplyToPostId?: string;
    quotedPostId?: string;
    createdAt: string;
  }[];
}

export class XEmulator {
  readonly clock: EmulatorClock;
  state: EmulatorState;
  readonly faults = new FaultInjector();
  readonly rateLimits = new RateLimiter();
  readonly webhooks: WebhookDispatcher;
  readonly requestLog: RequestLogEntry[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly heldTimers = new Set<NodeJS.Timeout>();
  private requestSeq = 0;
  private baseUrl = '';

  constructor(private readonly options: XEmulatorOptions = {}) {
    this.clock = new EmulatorClock();
    this.webhooks = new WebhookDispatcher(() => this.clock.now());
    this.state = this.freshState();
    if (options.scenario) this.applyScenarioSync(options.scenario);
  }

  get url(): string {
    return this.baseUrl;
  }

  private freshState(): EmulatorState {
    const state = new EmulatorState(this.clock);
    // Every event is recorded; only those of users subscribed right now are delivered live.
    state.onEvent((event) => {
      if (isDeliverable(state, event)) this.webhooks.enqueue(event);
    });
    return state;
  }

  private applyScenarioSync(input: Scenario): ReturnType<typeof parseScenario> {
    const scenario = parseScenario(input);
    // Freeze before setting the start: set-then-freeze reads the wall clock twice and, under
    // load, froze a millisecond past the start (rate windows then reset a second late).
    if (scenario.clock?.frozen === true) this.clock.freeze();
    if (scenario.clock?.start) this.clock.set(Date.parse(scenario.clock.start));
    if (scenario.clock?.frozen === false) this.clock.unfreeze();
    this.state = this.freshState();
    this.faults.clear();
    this.faults.reseed(scenario.seed ?? 1);
    this.rateLimits.reset();
    if (scenario.rateLimits) this.rateLimits.configure(scenario.rateLimits);
    this.webhooks.disable();
    this.requestLog.length = 0;
    this.state.load(scenario);
    for (const rule of scenario.faults)
      this.faults.add(rule, rule.user ? this.state.requireUser(rule.user).id : undefined);
    return scenario;
  }

  /**
   * Replaces the whole world with the scenario — state, faults, rate-limit windows and the request
   * log — and registers its webhook (running the CRC check).
   */
  async loadScenario(input: Scenario): Promise<{ webhook?: CrcResult }> {
    const scenario = this.applyScenarioSync(input);
    if (scenario.webhook) {
      const crc = await this.configureWebhook(
        scenario.webhook.url,
        scenario.webhook.consumerSecret,
        scenario.webhook.id,
      );
      return { webhook: crc };
    }
    return {};
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${host}:${address.port}`;
    if (this.options.scenario) {
      const scenario = parseScenario(this.options.scenario);
      if (scenario.webhook)
        await this.configureWebhook(
          scenario.webhook.url,
          scenario.webhook.consumerSecret,
          scenario.webhook.id,
        );
    }
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const timer of this.heldTimers) clearTimeout(timer);
    this.heldTimers.clear();
    await this.webhooks.idle();
    const server = this.server;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  // ------------------------------------------------------------------------- in-process admin

  injectFault(rule: FaultRuleInput): ActiveFaultRule {
    const parsed = faultRuleSchema.parse(rule);
    return this.faults.add(
      parsed,
      parsed.user ? this.state.requireUser(parsed.user).id : undefined,
    );
  }

  configureRateLimits(overrides: Partial<Record<EndpointKey, EndpointRateLimit>>): void {
    this.rateLimits.configure(overrides);
  }

  async configureWebhook(url: string, consumerSecret?: string, id?: string): Promise<CrcResult> {
    return this.webhooks.configure(url, consumerSecret ?? this.state.app.consumerSecret, id);
  }

  /** Redelivers recorded events of subscribed users from `fromIndex`, as live deliveries. */
  replayEvents(fromIndex = 0): number {
    const events = this.state.events.filter(
      (event) => event.index >= fromIndex && isDeliverable(this.state, event),
    );
    for (const event of events) this.webhooks.enqueue(event);
    return events.length;
  }

  /** What X's replay endpoint starts: a job over [fromMs, toMs); undefined without a valid webhook. */
  startReplayJob(fromMs: number, toMs: number): ReplayJob | undefined {
    return this.webhooks.startReplay(this.state, fromMs, toMs);
  }

  /** Disarms one account: the webhook stays, its events are recorded but no longer delivered. */
  unsubscribe(userRef: string): { userId: string; wasSubscribed: boolean } {
    const user = this.state.requireUser(userRef);
    return { userId: user.id, wasSubscribed: this.state.unsubscribe(user.id) };
  }

  subscribe(userRef: string): { userId: string } {
    const user = this.state.requireUser(userRef);
    this.state.subscribe(user.id);
    return { userId: user.id };
  }

  webhookIdle(): Promise<void> {
    return this.webhooks.idle();
  }

  requests(filter: { since?: number; endpoint?: string } = {}): RequestLogEntry[] {
    return this.requestLog.filter(
      (entry) =>
        (filter.since === undefined || entry.seq > filter.since) &&
        (filter.endpoint === undefined || entry.endpoint === filter.endpoint),
    );
  }

  /** Everything written through the API: the DMs and posts Kuji sent. */
  sent(): SentMessages {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      dms: this.state.dms
        .filter((dm: EmuDm) => dm.viaApi)
        .map((dm) => ({
          id: dm.id,
          conversationId: dm.conversationId,
          senderId: dm.senderId,
          recipientId: dm.recipientId,
          text: dm.text,
          createdAt: iso(dm.createdAtMs),
        })),
      posts: [...this.state.posts.values()]
        .filter((post: EmuPost) => post.viaApi)
        .map((post) => ({
          id: post.id,
          authorId: post.authorId,
          text: post.text,
          ...(post.inReplyToPostId ? { inReplyToPostId: post.inReplyToPostId } : {}),
          ...(post.quotedPostId ? { quotedPostId: post.quotedPostId } : {}),
          createdAt: iso(post.createdAtMs),
        })),
    };
  }

  events(fromIndex = 0): EmuEvent[] {
    return this.state.events.filter((event) => event.index >= fromIndex);
  }

  // ------------------------------------------------------------------------- request handling

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const request: EmuRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      url,
      path: url.pathname.replace(/\/+$/, '') || '/',
      query: url.searchParams,
      headers: req.headers,
      rawBody: Buffer.alloc(0),
      json: undefined,
      form: undefined,
      raw: req,
      res,
      params: {},
    };
    try {
      request.rawBody = await readBody(req);
      const bodies = parseBodies(req.headers, request.rawBody);
      request.json = bodies.json;
      request.form = bodies.form;
      if (request.path === AUTHORIZE_PATH) {
        sendReply(res, handleAuthorize(this.state, request, this.clock.now()));
        return;
      }
      if (request.path.startsWith('/_admin')) {
        sendReply(res, await handleAdmin(this, request));
        return;
      }
      await this.handleApi(request);
    } catch (error) {
      const reply =
        error instanceof HttpError
          ? error.reply
          : json(
              500,
              problemBody(500, 'internal-error', 'Internal Server Error', (error as Error).message),
            );
      sendReply(res, reply);
      if (!request.path.startsWith('/_admin'))
        this.log(request, undefined, undefined, reply.status);
    }
  }

  private log(
    request: EmuRequest,
    endpoint: EndpointKey | undefined,
    userId: string | undefined,
    status: number,
    extra: Partial<RequestLogEntry> = {},
  ): void {
    const atMs = this.clock.now();
    this.requestSeq += 1;
    this.requestLog.push({
      seq: this.requestSeq,
      at: new Date(atMs).toISOString(),
      atMs,
      method: request.method,
      path: request.path,
      ...(endpoint ? { endpoint } : {}),
      ...(userId ? { userId } : {}),
      status,
      ...extra,
    });
  }

  private async handleApi(request: EmuRequest): Promise<void> {
    const matched = matchApiRoute(request.method, request.path);
    if (!matched) {
      const reply = notFoundReply();
      sendReply(request.res, reply);
      this.log(request, undefined, undefined, reply.status);
      return;
    }
    const { route, params } = matched;
    request.params = params;
    const { caller, reply: authFailure } = authenticate(
      this.state,
      this.clock.now(),
      request,
      route,
    );
    if (authFailure) {
      sendReply(request.res, authFailure);
      this.log(request, route.endpoint, undefined, authFailure.status);
      return;
    }
    if (route.auth === 'user' && caller?.kind === 'app') {
      const reply = unsupportedAuthenticationReply();
      sendReply(request.res, reply);
      this.log(request, route.endpoint, undefined, reply.status);
      return;
    }
    const userId = caller?.userId;
    if (
      caller?.kind === 'oauth2' &&
      requiredScopes(route).some((scope) => !caller.scopes?.includes(scope))
    ) {
      // What X answers when the token lacks a scope (reported for dm.write on DM send).
      const reply = json(403, problemBody(403, 'about:blank', 'Forbidden', 'Forbidden'));
      sendReply(request.res, reply);
      this.log(request, route.endpoint, userId, reply.status);
      return;
    }

    const now = this.clock.now();
    const callerKey = userId ?? 'app';
    const fault =
      route.auth === 'client'
        ? this.faults.decide(route.endpoint, undefined)
        : this.faults.decide(route.endpoint, userId);
    const context: ApiContext = {
      state: this.state,
      webhooks: this.webhooks,
      request,
      caller,
      now,
    };

    if (fault && !fault.applyEffect) {
      const outcome = outcomeOf(fault.spec, {
        endpoint: route.endpoint,
        nowMs: now,
        rateHeaders: this.rateLimits.peek(route.endpoint, callerKey, now),
        resourceId: route.resourceParam ? params[route.resourceParam] : params.id,
      });
      this.answerWithFault(
        request,
        route,
        caller,
        outcome,
        typeof fault.spec === 'string' ? fault.spec : 'response',
      );
      return;
    }

    const decision = this.rateLimits.take(route.endpoint, callerKey, now);
    if (!decision.allowed) {
      const reply = json(
        429,
        problemBody(429, 'about:blank', 'Too Many Requests', 'Too Many Requests'),
        decision.headers,
      );
      sendReply(request.res, reply);
      this.log(request, route.endpoint, userId, 429);
      return;
    }

    let reply: EmuReply;
    try {
      reply = await route.handle(context);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      reply = error.reply;
    }
    reply = { ...reply, headers: { ...decision.headers, ...reply.headers } };

    if (fault?.applyEffect) {
      const outcome = outcomeOf(fault.spec, {
        endpoint: route.endpoint,
        nowMs: now,
        rateHeaders: decision.headers,
        resourceId: route.resourceParam ? params[route.resourceParam] : params.id,
      });
      this.answerWithFault(
        request,
        route,
        caller,
        outcome,
        typeof fault.spec === 'string' ? fault.spec : 'response',
      );
      return;
    }
    sendReply(request.res, reply);
    this.log(request, route.endpoint, userId, reply.status);
  }

  private answerWithFault(
    request: EmuRequest,
    route: ApiRoute,
    caller: Caller | undefined,
    outcome: FaultOutcome,
    faultName: string,
  ): void {
    const userId = caller?.userId;
    const { res } = request;
    switch (outcome.kind) {
      case 'response':
        sendReply(res, {
          status: outcome.status,
          body: outcome.body,
          headers: outcome.headers,
          contentType: outcome.contentType,
        });
        this.log(request, route.endpoint, userId, outcome.status, { fault: faultName });
        return;
      case 'revoke': {
        if (caller && caller.kind !== 'app') this.state.revokeToken(caller.accessToken);
        const reply = unauthorized();
        sendReply(res, reply);
        this.log(request, route.endpoint, userId, reply.status, { fault: faultName });
        return;
      }
      case 'reset':
        this.log(request, route.endpoint, userId, 0, { fault: faultName, outcome: 'reset' });
        request.raw.socket.destroy();
        return;
      case 'partial_body': {
        this.log(request, route.endpoint, userId, 200, {
          fault: faultName,
          outcome: 'partial_body',
        });
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': '4096',
        });
        res.write('{"data":[{"id":"17');
        setImmediate(() => request.raw.socket.destroy());
        return;
      }
      case 'timeout': {
        // Hold the request without answering until the client gives up (or the hold expires).
        this.log(request, route.endpoint, userId, 0, { fault: faultName, outcome: 'timeout' });
        const timer = setTimeout(() => {
          this.heldTimers.delete(timer);
          request.raw.socket.destroy();
        }, this.options.holdTimeoutMs ?? 30_000);
        this.heldTimers.add(timer);
        request.raw.socket.once('close', () => {
          clearTimeout(timer);
          this.heldTimers.delete(timer);
        });
        return;
      }
    }
  }
}

/** Starts an emulator on `options.port` (0 = any free port) and returns it once listening. */
export async function startXEmulator(options: XEmulatorOptions = {}): Promise<XEmulator> {
  const emulator = new XEmulator(options);
  await emulator.start();
  return emulator;
}
