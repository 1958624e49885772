/** Users: lookup by id or @username, creation and changes. */
import { WorldBase } from './base';
import { EmulatorError, type EmuUser } from './types';

const SEEDED_USER_ID_BASE = 1_700_000_000_000_000_000n;

export class UsersWorld extends WorldBase {
  users = new Map<string, EmuUser>();
  private usernames = new Map<string, string>();

  user(ref: string): EmuUser | undefined {
    const byId = this.users.get(ref);
    if (byId) return byId;
    const id = this.usernames.get(ref.replace(/^@/, '').toLowerCase());
    return id ? this.users.get(id) : undefined;
  }

  requireUser(ref: string): EmuUser {
    const user = this.user(ref);
    if (!user) throw new EmulatorError(`Unknown user: ${ref}`);
    return user;
  }

  addUser(input: Omit<Partial<EmuUser>, 'username'> & { username: string }): EmuUser {
    if (this.usernames.has(input.username.toLowerCase())) {
      throw new EmulatorError(`Duplicate username: ${input.username}`);
    }
    const id = input.id ?? (SEEDED_USER_ID_BASE + BigInt(this.users.size + 1) * 1000n).toString();
    if (this.users.has(id)) throw new EmulatorError(`Duplicate user id: ${id}`);
    const user: EmuUser = {
      id,
      username: input.username,
      name: input.name ?? input.username,
      description: input.description ?? '',
      createdAtMs: input.createdAtMs ?? this.clock.now() - 3 * 365 * 24 * 60 * 60 * 1000,
      protected: input.protected ?? false,
      suspended: input.suspended ?? false,
      locked: input.locked ?? false,
      automationFlagged: input.automationFlagged ?? false,
      verified: input.verified ?? false,
      phoneVerified: input.phoneVerified ?? true,
      dmSetting: input.dmSetting ?? 'following',
      dmDailyLimit: input.dmDailyLimit,
    };
    this.users.set(id, user);
    this.usernames.set(user.username.toLowerCase(), id);
    return user;
  }

  updateUser(ref: string, patch: Partial<Omit<EmuUser, 'id'>>): EmuUser {
    const user = this.requireUser(ref);
    if (patch.username && patch.username.toLowerCase() !== user.username.toLowerCase()) {
      this.usernames.delete(user.username.toLowerCase());
      this.usernames.set(patch.username.toLowerCase(), user.id);
    }
    Object.assign(user, patch);
    return user;
  }
}
