import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { fixedClock } from '../../src/core/clock.js';
import { byDeadline } from '../../src/commands/format.js';
import { isClosed, isDone } from '../../src/ledger/status.js';
import type { Measure } from '../../src/ledger/types.js';
import { syntheticDoc } from '../../bench/synthetic.js';
import { testRedisUrl } from '../helpers/redis.js';

let open: OpenServices;
let pipeline: Pipeline;
const L = `fbig-${randomUUID().slice(0, 6)}`;
const doc = syntheticDoc(L, 5, 100, 10); // 5,000 measures: 625 per department, read in chunks of 500 when combined
beforeAll(async () => {
  open = await openServices({ redisUrl: testRedisUrl(), clock: fixedClock('2026-11-22T02:00:00Z') });
  await open.services.ledgers.saveDoc(doc);
  await open.services.directory.putUsers([{ platform: 'console', userId: 'chen', name: '陈敏', department: '政治部', role: 'owner' }]);
  await open.services.directory.bind({ platform: 'console', chatId: L, ledgerId: L, channel: {}, boundAt: new Date().toISOString() });
  pipeline = createPipeline({ services: open.services, logger: silentLogger(), metrics: new Metrics(), claim: open.claim });
});
afterAll(async () => { await open.close(); });

const say = async (text: string, senderId = 'v') => (await pipeline.handle({ platform: 'console', chatId: L, chatType: 'group', messageId: randomUUID(), senderId, text }))!.text;
const listed = (t: string) => t.split('\n').filter((l) => l.startsWith('- '));
const date = (m: Measure) => (m.deadline.type === 'date' ? m.deadline.date : undefined);
const overdue = (m: Measure) => !isClosed(m.status) && !!date(m) && date(m)! < '2026-11-22';

/** The reply lists exactly these measures' codes, in this order, and counts `total`. */
function expectList(t: string, want: Measure[], total: number) {
  expect(t).toContain(`（${total}项）`);
  const lines = listed(t);
  expect(lines).toHaveLength(Math.min(20, total));
  want.slice(0, 20).forEach((m, i) => expect(lines[i], `line ${i}`).toContain(`${m.code} `));
  if (total > 20) expect(t).toContain(`另有${total - 20}项未列出`);
}

describe('combined list filters on a large ledger', () => {
  it('部门 … 逾期 counts every overdue measure of the department and lists the earliest 20 by deadline', async () => {
    const want = doc.measures.filter((m) => m.departments.includes('政治部') && overdue(m)).sort(byDeadline);
    expect(want.length).toBeGreaterThan(20);
    expectList(await say('部门 政治部 逾期'), want, want.length);
    const soon = doc.measures.filter((m) => m.departments.includes('执行局') && !isClosed(m.status) && !!date(m) && date(m)! >= '2026-11-22' && date(m)! <= '2026-12-22').sort(byDeadline);
    expectList(await say('临期 30 执行局'), soon, soon.length);
  });

  it('部门 … <状态> and 我的 read the candidates in chunks and still count them all', async () => {
    const review = doc.measures.filter((m) => m.departments.includes('政治部') && m.status === '未启动').sort(byDeadline);
    expect(review.length).toBeGreaterThan(20);
    expectList(await say('部门 政治部 未启动'), review, review.length);
    // 陈敏 is an owner of 政治部: her own measures and her department's, the ones not yet done.
    const mine = doc.measures.filter((m) => (m.owners.includes('陈敏') || m.leaders.includes('陈敏') || m.departments.includes('政治部')) && !isDone(m.status) && overdue(m)).sort(byDeadline);
    expectList(await say('我的 逾期', 'chen'), mine, mine.length);
  });
});
