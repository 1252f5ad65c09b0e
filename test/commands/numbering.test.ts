import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { LedgerDoc, Measure, Problem } from '../../src/ledger/types.js';
import { displayCode, itemId } from '../../src/ledger/codes.js';
import { openServices, type OpenServices } from '../../src/app/services.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../../src/core/logger.js';
import { testRedisUrl } from '../helpers/redis.js';

/** A ledger numbered straight through like seed 002 (一: problems 1–4, 二: problems 5–6). */
function seed002Doc(id: string): LedgerDoc {
  const at = '2025-01-10T00:00:00.000Z';
  const problems: Problem[] = [];
  const measures: Measure[] = [];
  const titles: Array<[number, string, string[]]> = [
    [1, '学习贯彻习近平总书记有关重要指示精神不深入、落实“第一议题”不到位', ['严格落实“第一议题”制度']],
    [1, '落实防止干预司法“三个规定”不够到位', ['强化警示宣传', '专人提醒督导', '压实考核问责']],
    [1, '防范化解重大风险意识不够强', ['健全信访工作机制', '构建分类管控体系']],
    [1, '落实重大事项报告制度不到位', ['强化政策学习']],
    [2, '法治护航营商环境有差距', ['及时清理涉企案件', '优化执行工作']],
    [2, '诉源治理成效不明显', ['完善多元解纷机制']],
  ];
  titles.forEach(([a, title, ms], i) => {
    const p = i + 1;
    problems.push({ id: itemId(a, p), code: displayCode('global', a, p), level: 'problem', title, aspect: a, number: p, kind: '反馈问题', status: '推进中' });
    ms.forEach((t, j) => measures.push({
      id: itemId(a, p, j + 1), code: displayCode('global', a, p, j + 1), level: 'measure', title: t, aspect: a, problemId: itemId(a, p),
      number: j + 1, kind: '反馈问题', leaders: ['张院长'], departments: ['政治部'], owners: ['李四'],
      deadline: { type: 'date', date: '2025-06-30' }, status: '推进中', notes: [], createdAt: at, updatedAt: at, version: 0,
    }));
  });
  return {
    ledger: { id, title: '区委第四联动巡察组反馈意见整改台账', org: '广元市利州区人民法院', inspectionType: '巡察', inspectionGroup: '区委第四联动巡察组', feedbackDate: '2025-01-03', numbering: 'global', yellowDays: 10, requireReview: true, createdAt: at },
    aspects: [
      { id: '1', code: '一', level: 'aspect', title: '贯彻落实党中央决策部署和省委工作要求有差距', aspect: 1 },
      { id: '2', code: '二', level: 'aspect', title: '司法服务大局不够有力', aspect: 2 },
    ],
    problems, measures,
  };
}

let open: OpenServices;
let pipeline: Pipeline;
const chatId = `g-${randomUUID()}`;
beforeAll(async () => {
  open = await openServices({ redisUrl: testRedisUrl() });
  const id = `s002-${randomUUID().slice(0, 6)}`;
  await open.services.ledgers.saveDoc(seed002Doc(id));
  await open.services.directory.bind({ platform: 'console', chatId, ledgerId: id, channel: {}, boundAt: new Date().toISOString() });
  pipeline = createPipeline({ services: open.services, logger: silentLogger(), metrics: new Metrics(), claim: open.claim });
});
afterAll(async () => { await open.close(); });

const say = async (text: string) => (await pipeline.handle({ platform: 'console', chatId, chatType: 'group', messageId: randomUUID(), senderId: 'someone', text }))!.text;

describe('a ledger numbered straight through (seed 002)', () => {
  it.each(['5', '第5项', '第五项', '二.5', '(二)5', '（二）5', '查看 5'])('%s finds problem 5', async (code) => {
    expect(await say(code)).toContain('法治护航营商环境有差距');
  });
  it.each(['5.2', '５．２', '二.5.2', '5(2)'])('%s finds measure 5.2', async (code) => {
    expect(await say(code)).toContain('优化执行工作');
  });
  it('a code in the wrong aspect is not found, with close matches', async () => {
    const t = await say('一.5');
    expect(t).toContain('未找到编号“一.5”');
    expect(t).toContain('您要找的是不是');
  });
});
