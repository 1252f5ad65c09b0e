import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Measure } from '../../src/ledger/types.js';
import { aliasOf, parseCode } from '../../src/ledger/codes.js';
import { createEvidenceIntake } from '../../src/app/evidence-intake.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { tracedServices, type DispatchTrace } from '../../src/pipeline/approval.js';
import type { EvidenceIntake } from '../../src/pipeline/evidence.js';
import { recentItemKey } from '../../src/store/recent-item.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { makeWorld, type World } from '../helpers/world.js';

const actor = { platform: 'console', userId: 'office', name: '王静' };
const note = (text: string) => (m: Measure) => ({ action: '进展', status: m.status, note: text });

/**
 * The sender's recent item (the measure a file sent next attaches to) is written by the report's
 * change itself, in the same atomic write: the same key, value and TTL the evidence step wrote
 * after the command, one command fewer, and never without the change.
 */
describe('the recent item written with the change', () => {
  let w: World;
  let ev: EvidenceIntake;
  let pipeline: Pipeline;
  const chatId = () => w.chatId;
  const key = () => recentItemKey(w.ledgerId, 'console', chatId(), 'office');
  const recent = async () => {
    const raw = await w.open.redis.get(key());
    return raw ? JSON.parse(raw) as Record<string, string> : null;
  };
  const say = (text: string, messageId: string = randomUUID()) => pipeline.run({ platform: 'console', chatId: chatId(), chatType: 'group', messageId, senderId: 'office', text });

  beforeAll(async () => {
    w = await makeWorld();
    ev = createEvidenceIntake({ services: w.open.services, redis: w.open.redis, logger: silentLogger() })!.intake;
    pipeline = createPipeline({ services: w.open.services, logger: silentLogger(), metrics: new Metrics(), claim: w.open.claim, evidence: ev });
  });
  afterAll(async () => { await w.close(); });

  it('a 进展 leaves the measure as the sender\'s recent item, stamped with the change\'s time, for the window', async () => {
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const m = doc.measures[0]!;
    await say(`进展 ${m.code} 已召开专题会议`, 'msg-1');
    const now = (await w.open.services.ledgers.getItem(w.ledgerId, m.id)) as Measure;
    expect(await recent()).toEqual({ itemId: m.id, code: m.code, messageId: 'msg-1', at: now.updatedAt });
    const ttl = await w.open.redis.pttl(key());
    expect(ttl).toBeGreaterThan(ev.windowMs - 5_000);
    expect(ttl).toBeLessThanOrEqual(ev.windowMs);
  });

  it('a write that is not a report (退回) and a refused report leave it as it was', async () => {
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const before = await recent();
    const done = doc.measures.find((x) => x.status === '已完成')!;
    await say(`退回 ${done.code} 缺少佐证材料`);
    await say('进展 9.9.9 不存在的编号');
    expect(await recent()).toEqual(before);
  });

  it('only the message\'s first change carries it, and only a change that applied', async () => {
    const doc = (await w.open.services.ledgers.loadDoc(w.ledgerId))!;
    const [a, b] = [doc.measures[1]!, doc.measures[2]!];
    const trace: DispatchTrace = { changes: [], command: '进展', ledgerId: w.ledgerId };
    const msg = { platform: 'console' as const, chatId: chatId(), chatType: 'group' as const, messageId: 'msg-2', senderId: 'office', text: '' };
    trace.recent = { entry: ev.recentEntry(msg, trace) };
    const services = tracedServices(w.open.services, trace);
    const dup = randomUUID();
    await w.open.services.changes.applyByAlias(w.ledgerId, aliasOf(parseCode(a.code)!), actor, dup, note('先到的一次'));
    // Applied before under this message id: nothing applied now, nothing written with it.
    expect(await services.changes.applyByAlias(w.ledgerId, aliasOf(parseCode(a.code)!), actor, dup, note('重复'))).toBe('duplicate');
    expect(trace.recent.written).toBeUndefined();
    expect((await recent())?.messageId).not.toBe('msg-2');
    await services.changes.applyByAlias(w.ledgerId, aliasOf(parseCode(a.code)!), actor, randomUUID(), note('第一处'));
    expect(trace.recent.written).toBe(true);
    expect(await recent()).toMatchObject({ itemId: a.id, messageId: 'msg-2' });
    await services.changes.apply(w.ledgerId, b.id, actor, randomUUID(), note('第二处'));
    expect(await recent()).toMatchObject({ itemId: a.id });
  });
});
