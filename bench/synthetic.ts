import type { LedgerDoc, Measure, Problem, Aspect, Status } from '../src/ledger/types.js';
import { displayCode, itemId } from '../src/ledger/codes.js';
import { rollUp } from '../src/ledger/status.js';
import { addDays } from '../src/ledger/dates.js';

const WORDS = ['制度', '台账', '公车', '津补贴', '意识形态', '评查', '信访', '党建', '廉政', '培训', '审批', '经费', '档案', '执行', '调解'];
const DEPTS = ['政治部', '综合办公室', '立案庭', '执行局', '审判管理办公室', '计划财务装备科', '机关党委', '督察室'];
const PEOPLE = ['陈敏', '周婷', '王静', '赵磊', '孙丽', '刘洋', '李娜', '张伟', '吴强', '郑洁'];
const LEADERS = ['杜波', '罗拥军', '李程'];
const STATUSES: Status[] = ['未启动', '推进中', '推进中', '阶段性完成', '基本完成', '已完成', '已完成', '已完成并长期坚持'];

/** A deterministic ledger of aspects × problems × measures for benchmarks. */
export function syntheticDoc(id: string, aspects: number, problemsPerAspect: number, measuresPerProblem: number, today = '2026-11-22'): LedgerDoc {
  const as: Aspect[] = [];
  const ps: Problem[] = [];
  const ms: Measure[] = [];
  let n = 0;
  const at = '2026-01-01T00:00:00.000Z';
  for (let a = 1; a <= aspects; a++) {
    as.push({ id: itemId(a), code: displayCode('per-aspect', a), level: 'aspect', title: `第${a}方面 ${WORDS[a % WORDS.length]}工作`, aspect: a });
    for (let p = 1; p <= problemsPerAspect; p++) {
      const mine: Measure[] = [];
      for (let m = 1; m <= measuresPerProblem; m++, n++) {
        mine.push({
          id: itemId(a, p, m), code: displayCode('per-aspect', a, p, m), level: 'measure', aspect: a, problemId: itemId(a, p), number: m,
          title: `规范${WORDS[n % WORDS.length]}管理，完善${WORDS[(n * 7) % WORDS.length]}制度（第${n}条）`, kind: '反馈问题',
          leaders: [LEADERS[n % 3]], departments: [DEPTS[n % DEPTS.length]], owners: [PEOPLE[n % PEOPLE.length]],
          deadline: n % 9 === 0 ? { type: 'longterm' } : { type: 'date', date: addDays(today, (n % 120) - 30) },
          status: STATUSES[n % STATUSES.length], notes: [], createdAt: at, updatedAt: at, version: 0,
        });
      }
      ps.push({ id: itemId(a, p), code: displayCode('per-aspect', a, p), level: 'problem', title: `问题${a}.${p} ${WORDS[p % WORDS.length]}不规范`, aspect: a, number: p, kind: '反馈问题', status: rollUp(mine.map((x) => x.status)) });
      ms.push(...mine);
    }
  }
  return {
    ledger: { id, title: `基准台账 ${id}`, org: '某某法院', inspectionType: '巡察', inspectionGroup: '第一巡察组', feedbackDate: '2026-01-01', numbering: 'per-aspect', yellowDays: 10, requireReview: true, createdAt: at },
    aspects: as, problems: ps, measures: ms,
  };
}
