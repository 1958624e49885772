/** OAuth tokens: OAuth 1.0a, OAuth 2.0 (with rotating refresh tokens) and app-only bearers. */
import { randomBytes } from 'node:crypto';
import { DmsWorld } from './dms';
import type { EmuRefreshToken, EmuToken } from './types';

export class TokensWorld extends DmsWorld {
  tokens = new Map<string, EmuToken>();
  refreshTokens = new Map<string, EmuRefreshToken>();

  newToken(prefix: string): string {
    return `${prefix}-${randomBytes(18).toString('base64url')}`;
  }

  revokeToken(accessToken: string): EmuToken | undefined {
    const token = this.tokens.get(accessToken);
    if (!token || token.revoked) return token;
    token.revoked = true;
    if (token.kind !== 'app') {
      for (const refresh of this.refreshTokens.values())
        if (refresh.userId === token.userId) refresh.revoked = true;
      this.emit('oauth.revoke', undefined, {
        date_time: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        user_id: token.userId,
        app_id: this.app.appId,
      });
    }
    return token;
  }

  /** Every token of the user, revoked together (the user removed the app). */
  revokeUser(userRef: string): number {
    const user = this.requireUser(userRef);
    let count = 0;
    for (const token of this.tokens.values()) {
      if (token.kind !== 'app' && token.userId === user.id && !token.revoked) {
        this.revokeToken(token.accessToken);
        count += 1;
      }
    }
    return count;
  }

  issueOAuth2Pair(
    userId: string,
    scopes: string[],
  ): { accessToken: string; refreshToken: string; expiresIn: number } {
    const accessToken = this.newToken('emu-at');
    const refreshToken = this.newToken('emu-rt');
    const expiresIn = this.app.tokenLifetimeSeconds;
    this.tokens.set(accessToken, {
      kind: 'oauth2',
      accessToken,
      userId,
      scopes,
      expiresAtMs: this.clock.now() + expiresIn * 1000,
      revoked: false,
    });
    this.refreshTokens.set(refreshToken, {
      refreshToken,
      userId,
      scopes,
      used: false,
      revoked: false,
    });
    return { accessToken, refreshToken, expiresIn };
  }
}
