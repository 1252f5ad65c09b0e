import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLedgerFile } from '../../src/reports/ledger-file.js';
import { formatImportErrors } from '../../src/reports/ledger-import.js';
import { completedOn, finishedLate } from '../../src/ledger/deadline-truth.js';
import type { Measure } from '../../src/ledger/types.js';
import { makeWorld, type World } from '../helpers/world.js';
import { writeCourtWorkbook } from '../reports/court-workbook.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rectify-imported-done-'));
const HEADERS = ['序号', '问题方面', '存在问题', '整改措施', '责任领导', '责任部门', '责任人', '完成时限', '整改状态', '佐证材料'];

/** A measure imported as done carries no completion date: its imported note is dated on the import day. */
describe('a measure imported as 已完成整改 after its deadline', () => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld({ at: '2026-12-03T02:00:00.000Z' });
  });
  afterAll(() => w.close());

  it('is not 逾期完成, in the domain and in 查看, and its imported evidence note shows no import day', async () => {
    const file = await writeCourtWorkbook(path.join(tmp, 'done.xlsx'), [{
      name: '反馈问题', title: '某某区人民法院巡察整改台账', headers: HEADERS, rows: [
        { aspect: '一、贯彻落实党的路线方针政策方面', problem: '1.政治理论学习不够深入', measure: '(1)制定年度学习计划', leader: '张明', dept: '办公室', owner: '李华',
          deadline: '2026年3月31日', status: '已完成整改', evidence: '学习计划文件' },
        { aspect: '一、贯彻落实党的路线方针政策方面', problem: '1.政治理论学习不够深入', measure: '(2)开展专题读书班', leader: '张明', dept: '政治部', owner: '王芳',
          deadline: '2026年6月30日', status: '推进中' },
      ],
    }]);
    const r = await readLedgerFile(file, { ledgerId: w.ledgerId, now: '2026-12-03T02:00:00.000Z', feedbackDate: '2026-01-15' }, '2026-12-03');
    if (!r.ok) throw new Error(formatImportErrors(r.errors));
    const m = r.doc.measures[0] as Measure;
    expect(m.status).toBe('已完成');
    expect(m.notes).toMatchObject([{ by: '导入', text: '学习计划文件', evidence: true }]);
    expect(completedOn(m)).toBeUndefined();
    expect(finishedLate(m)).toBe(false);

    await w.open.services.ledgers.saveDoc(r.doc, { actor: 'cli', note: 'import' });
    const view = (await w.say('viewer', `查看 ${m.code}`))!.text;
    expect(view).toContain('☑️ 已完成');
    expect(view).not.toContain('逾期完成');
    expect(view).toContain('（导入）佐证材料：学习计划文件');
    expect(view).not.toContain('12月3日 导入');

    // A 完成 reported in chat after the deadline is 逾期完成, with its note labelled as a completion note.
    const late = r.doc.measures[1] as Measure;
    await w.say('office', `完成 ${late.code} 读书班已举办`);
    const after = (await w.say('viewer', `查看 ${late.code}`))!.text;
    expect(after).toContain('逾期完成');
    expect(after).toContain('12月3日 王静（完成说明）：读书班已举办');
    expect(after).not.toContain('（佐证）');
  });
});
