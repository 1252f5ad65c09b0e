// Redis round trips each chat command costs on the apply path (pipeline.run, as the inbound worker
// calls it), counted as writes on the sockets to Redis: ioredis sends a command, a pipeline or a
// MULTI block in one write. The inbound queue adds its own per message: the submit script on the
// callback, the finish script after the answer, and a share of one XREADGROUP per batch.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { OpenServices } from '../src/app/services.js';
import { createPipeline } from '../src/pipeline/pipeline.js';
import { Metrics } from '../src/core/metrics.js';
import { silentLogger } from '../src/core/logger.js';
import { buildDemoDoc, DEMO_USERS } from '../src/ledger/demo.js';
import type { User } from '../src/store/directory.js';

const COMMANDS: Array<[who: string, text: string]> = [
  ['viewer', '进度'], ['viewer', '查看 二.1.1'], ['viewer', '查看 二.1'], ['viewer', '逾期'], ['viewer', '临期'],
  ['owner', '我的'], ['office', '我的'], ['viewer', '部门 政治部'], ['viewer', '领导 杜波'], ['viewer', '搜索 公车'],
  ['owner', '进展 二.1.1 已报区委组织部'],
];

export async function benchRoundTrips(o: { open: OpenServices }) {
  const { services, claim } = o.open;
  const L = `rt-${randomUUID().slice(0, 6)}`;
  const chatId = `chat-${L}`;
  await services.ledgers.saveDoc(buildDemoDoc(L));
  await services.directory.putUsers(DEMO_USERS.map((u) => ({ ...u })) as User[]);
  await services.directory.bind({ platform: 'console', chatId, ledgerId: L, channel: {}, boundAt: new Date().toISOString() });
  const pipeline = createPipeline({ services, logger: silentLogger(), metrics: new Metrics(), claim });
  const say = (who: string, text: string) => pipeline.run({ platform: 'console', chatId, chatType: 'group', messageId: randomUUID(), senderId: who, text });
  let writes = 0;
  const write = net.Socket.prototype.write;
  net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
    writes++;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof write;
  const out: Record<string, number> = {};
  try {
    for (const [who, text] of COMMANDS) {
      await say(who, text); // warm: the ledger meta is cached from here on, as in steady state
      writes = 0;
      await say(who, text);
      out[`${text.split(' ').slice(0, 2).join(' ')} (${who})`] = writes;
    }
  } finally {
    net.Socket.prototype.write = write;
  }
  return { apply_path_round_trips: out, queue_round_trips_per_message: 'submit 1 (callback; on the partition holder it also takes the entry in hand) + finish ≤ 1 (one per event-loop turn and partition) + XREADGROUP ≤ 1 per batch of up to 32, only for entries other instances submitted' };
}
