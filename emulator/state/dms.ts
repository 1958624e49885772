/** Direct messages: who may write to whom (X's checks, in X's order), the daily count, sending. */
import { userPayload } from './payloads';
import { PostsWorld } from './posts';
import type { EmuDm, EmuUser } from './types';

export class DmsWorld extends PostsWorld {
  dms: EmuDm[] = [];
  dmDailyLimit = 500;

  conversationIdFor(a: string, b: string): string {
    return BigInt(a) < BigInt(b) ? `${a}-${b}` : `${b}-${a}`;
  }

  /**
   * Why X would refuse this DM, as a fault preset name (the emulator answers with its body), or
   * undefined when it goes through. Order follows what X checks: the sender, then the recipient.
   */
  dmRefusal(sender: EmuUser, recipient: EmuUser): string | undefined {
    if (sender.suspended) return 'sender_suspended';
    if (sender.locked) return 'locked';
    if (sender.automationFlagged) return 'automated';
    if (recipient.suspended) return 'recipient_suspended';
    if (this.isBlocking(recipient.id, sender.id)) return 'not_permitted';
    // A recipient who wrote to the sender has opened the conversation, whatever their settings.
    const recipientWroteFirst = this.dms.some(
      (dm) => dm.senderId === recipient.id && dm.recipientId === sender.id,
    );
    if (recipientWroteFirst) return undefined;
    const recipientFollowsSender = this.isFollowing(recipient.id, sender.id);
    switch (recipient.dmSetting) {
      case 'closed':
        return 'not_permitted';
      case 'following':
        if (!recipientFollowsSender) return 'not_following';
        break;
      case 'verified':
        if (!sender.verified && !recipientFollowsSender) return 'verified_only';
        break;
      case 'everyone':
        break;
    }
    // A DM to someone who does not follow you is a message request: unverified senders are refused.
    if (!recipientFollowsSender && !sender.phoneVerified) return 'sender_unverified';
    return undefined;
  }

  dmsSentToday(senderId: string): number {
    const since = this.clock.now() - 24 * 60 * 60 * 1000;
    return this.dms.filter((dm) => dm.senderId === senderId && dm.createdAtMs > since && dm.viaApi)
      .length;
  }

  lastDmInConversation(conversationId: string, senderId: string): EmuDm | undefined {
    for (let i = this.dms.length - 1; i >= 0; i -= 1) {
      const dm = this.dms[i];
      if (dm && dm.conversationId === conversationId && dm.senderId === senderId) return dm;
    }
    return undefined;
  }

  createDm(input: {
    from: string;
    to: string;
    text: string;
    atMs?: number;
    viaApi?: boolean;
  }): EmuDm {
    const sender = this.requireUser(input.from);
    const recipient = this.requireUser(input.to);
    const atMs = input.atMs ?? this.clock.now();
    const dm: EmuDm = {
      id: this.newId(atMs),
      seq: this.nextSeq(),
      conversationId: this.conversationIdFor(sender.id, recipient.id),
      senderId: sender.id,
      recipientId: recipient.id,
      text: input.text,
      createdAtMs: atMs,
      viaApi: input.viaApi ?? false,
    };
    this.dms.push(dm);
    const payload = {
      direct_message_events: [
        {
          type: 'message_create',
          id: dm.id,
          created_timestamp: String(atMs),
          message_create: {
            target: { recipient_id: recipient.id },
            sender_id: sender.id,
            message_data: {
              text: dm.text,
              entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
            },
          },
        },
      ],
      users: {
        [sender.id]: { data: userPayload(sender) },
        [recipient.id]: { data: userPayload(recipient) },
      },
    };
    this.emit('dm.sent', sender.id, payload);
    this.emit('dm.received', recipient.id, payload);
    return dm;
  }
}
