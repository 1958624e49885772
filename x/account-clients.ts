/**
 * One twitter-api-v2 client per sender account, rebuilt whenever the stored credentials change
 * (re-link or token refresh). Callers pass an account id; tokens never leave this layer.
 */
import type { TwitterApi } from 'twitter-api-v2';
import { makeXError } from '../domain/x-errors';
import { XCallError, getMe } from './api';
import { createXClient, type XClientOptions } from './client';
import {
  CredentialsError,
  type CredentialsEnvelopeStore,
  MissingCredentialsError,
} from './credentials';
import { ensureFreshCredentials } from './token-refresh';

export interface XAccountClientsDeps {
  /** Where the envelopes are kept: `credentialsEnvelopeStore(db)` (db/repositories). */
  envelopes: CredentialsEnvelopeStore;
  credentialsKey: Buffer;
  clientOptions?: XClientOptions;
  now?: () => number;
  refreshSkewMs?: number;
}

export interface AccountClient {
  accountId: string;
  handle: string;
  credentialsVersion: number;
  credentialsKind: 'oauth1' | 'oauth2';
  client: TwitterApi;
}

export class XAccountClients {
  private readonly clients = new Map<string, { version: number; client: TwitterApi }>();
  private readonly userIds = new Map<string, string>();
  private readonly refreshing = new Map<string, Promise<AccountClient>>();

  constructor(private readonly deps: XAccountClientsDeps) {}

  /** A client with credentials valid for at least the refresh skew. */
  async forAccount(accountId: string): Promise<AccountClient> {
    // Concurrent calls in one process share one lookup/refresh; across processes the row lock decides.
    const pending = this.refreshing.get(accountId);
    if (pending) return pending;
    const lookup = this.resolve(accountId).finally(() => this.refreshing.delete(accountId));
    this.refreshing.set(accountId, lookup);
    return lookup;
  }

  /** The account's X user id: from the credentials or the account row, else asked of X once. */
  async senderUserId(accountId: string): Promise<string> {
    const cached = this.userIds.get(accountId);
    if (cached) return cached;
    let userId = (await this.deps.envelopes.find(accountId))?.xUserId ?? undefined;
    if (!userId) {
      const { client } = await this.forAccount(accountId);
      userId = (await getMe(client)).user.id;
    }
    this.userIds.set(accountId, userId);
    return userId;
  }

  private async resolve(accountId: string): Promise<AccountClient> {
    let stored;
    try {
      stored = await ensureFreshCredentials(this.deps, accountId);
    } catch (error) {
      if (error instanceof MissingCredentialsError) {
        throw new XCallError(makeXError('credentials_missing', { xDetail: error.message }));
      }
      if (error instanceof CredentialsError) {
        throw new XCallError(makeXError('credentials_missing', { xDetail: error.message }));
      }
      throw error;
    }
    if (stored.credentials.userId) this.userIds.set(accountId, stored.credentials.userId);
    else if (stored.xUserId) this.userIds.set(accountId, stored.xUserId);
    const cached = this.clients.get(accountId);
    let client = cached?.version === stored.version ? cached.client : undefined;
    if (!client) {
      client = createXClient(stored.credentials, this.deps.clientOptions);
      this.clients.set(accountId, { version: stored.version, client });
    }
    return {
      accountId,
      handle: stored.handle,
      credentialsVersion: stored.version,
      credentialsKind: stored.credentials.kind,
      client,
    };
  }
}
