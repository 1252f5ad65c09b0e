import type { Platform } from './message.js';

/** A chat bound to a ledger: the chat sees that ledger and nothing else. */
export interface ChatBinding {
  platform: Platform;
  chatId: string;
  ledgerId: string;
  /** Adapter-owned send settings (webhook keys, secrets, openConversationId…). */
  channel: Record<string, string>;
  /** Digest cron expression (Asia/Shanghai); absent = not subscribed. */
  schedule?: string;
  boundAt: string;
  boundBy?: string;
}
