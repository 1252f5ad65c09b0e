import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import type { Reply } from '../core/message.js';
import { createLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { createPipeline } from '../pipeline/pipeline.js';
import type { OpenServices } from '../app/services.js';
import { queueingServiceFor } from '../schedule/cli.js';

/**
 * The console adapter: each line typed (or piped) becomes an IncomingMessage
 * from platform 'console' and goes through the same pipeline as DingTalk/WeCom.
 */
export async function runChat(open: OpenServices, opts: { as: string; chat?: string; private?: boolean; json?: boolean }): Promise<void> {
  // A 1:1 chat with the robot: the console's 1:1 conversation id is `@<user>` (as ConsoleSender.sendDirect records it).
  const chatId = opts.private ? `@${opts.as}` : opts.chat!;
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
  // 订阅/退订/推送记录 only touch Redis; the running service's scheduler picks changes up, and its
  // delivery worker sends what a message queues (the office's 1:1 approval copies), as for the console page.
  const queueing = open.services.schedule ? null : queueingServiceFor(open.services, open.redis);
  if (queueing) open.services.schedule = queueing.service;
  const pipeline = createPipeline({ services: open.services, logger, metrics: new Metrics(), claim: open.claim });
  const interactive = process.stdin.isTTY && process.stdout.isTTY;
  const user = await open.services.directory.getUser('console', opts.as);
  const ask = async (text: string): Promise<Reply | null> =>
    pipeline.handle({
      platform: 'console', chatId, chatType: opts.private ? 'private' : 'group', messageId: randomUUID(),
      senderId: opts.as, senderName: user?.name ?? opts.as, text,
    });
  const print = (r: Reply | null) => {
    if (!r) return;
    if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stdout.write(`${r.text}\n${interactive ? '' : '\n'}`);
  };
  const rl = readline.createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  if (interactive) {
    const where = opts.private ? '与机器人私聊' : `在“${chatId}”群中对话`;
    process.stdout.write(`以 ${user ? `${user.name}（${opts.as}）` : opts.as} 的身份${where}，输入“帮助”查看指令，Ctrl+D 退出。\n`);
    rl.setPrompt('> ');
    rl.prompt();
  }
  try {
    for await (const line of rl) {
      if (line.trim()) print(await ask(line));
      if (interactive) rl.prompt();
    }
  } finally {
    await queueing?.close();
  }
}
