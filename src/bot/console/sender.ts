import { appendFileSync } from 'node:fs';
import type { Reply } from '../../core/message.js';
import { SendError, type ChatSender, type DirectTarget, type OutboundTarget } from '../../core/sender.js';

/** One message the console sender delivered. */
export interface ConsoleSend {
  at: string;
  chatId: string;
  robotKey: string;
  title: string;
  markdown: string;
  mentions: string[];
}

export interface ConsoleSenderOptions {
  /** Where to print (default: stdout); null prints nothing. */
  out?: NodeJS.WritableStream | null;
  /** Appends one JSON line per send to this file (shared by several processes in tests). */
  recordFile?: string;
  now?: () => Date;
}

/**
 * The ChatSender for platform 'console': prints scheduled messages for local
 * use and records them for tests. `channel.robot` groups chats onto one
 * robot (rate limit key); `channel.fail` = "config" | "fatal" | "retry" makes
 * sends to that chat fail that way, to see 推送记录 without a real platform.
 */
export class ConsoleSender implements ChatSender {
  readonly platform = 'console' as const;
  readonly sent: ConsoleSend[] = [];

  constructor(private readonly o: ConsoleSenderOptions = {}) {}

  robotKey(target: OutboundTarget): string {
    return `console:${target.channel.robot ?? 'default'}`;
  }

  directKey(userId: string): string {
    return `console:direct:${userId}`;
  }

  /** A 1:1 message: recorded and printed like a group send, with chatId `@<userId>`. */
  async sendDirect(to: DirectTarget, reply: Reply): Promise<void> {
    await this.send({ platform: 'console', chatId: `@${to.userId}`, channel: {} }, reply);
  }

  async send(target: OutboundTarget, reply: Reply): Promise<void> {
    const fail = target.channel.fail;
    if (fail === 'config' || fail === 'fatal' || fail === 'retry' || fail === 'rate_limited') {
      throw new SendError(fail, `console_${fail}`, `console channel set to fail (${fail})`, fail === 'rate_limited' ? 1000 : undefined);
    }
    const s: ConsoleSend = {
      at: (this.o.now?.() ?? new Date()).toISOString(), chatId: target.chatId, robotKey: this.robotKey(target),
      title: reply.title, markdown: reply.markdown, mentions: reply.mentions.map((m) => m.userId),
    };
    this.sent.push(s);
    if (this.o.recordFile) appendFileSync(this.o.recordFile, `${JSON.stringify(s)}\n`);
    const out = this.o.out === undefined ? process.stdout : this.o.out;
    if (out) {
      const at = reply.mentions.length ? `\n${reply.mentions.map((m) => `@${m.name ?? m.userId}`).join(' ')}` : '';
      out.write(`\n── 推送到 console:${target.chatId} ──\n${reply.text}${at}\n${reply.link ? `${reply.link.title}：${reply.link.url}\n` : ''}`);
    }
  }
}
