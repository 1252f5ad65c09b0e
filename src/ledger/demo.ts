import type { Aspect, Deadline, Kind, LedgerDoc, Measure, Problem, Status } from './types.js';
import { displayCode, itemId } from './codes.js';
import { rollUp } from './status.js';

/**
 * The demo ledger, built from seed 003 (株洲市芦淞区人民法院, 区委第一巡察组,
 * feedback 2021-04-13): 3 aspects, 8 problems, 21 measures. Statuses match the
 * notice: 已完成整改9个, 已完成整改并长期坚持11个, 基本完成整改1个.
 */
type M = [text: string, status: Status, deadline: string, leaders: string, depts: string, owners: string];

const L1: Deadline = { type: 'longterm' };
const d = (date: string): Deadline => ({ type: 'date', date });

const ASPECTS: Array<[string, Array<[string, M[]]>]> = [
  ['聚焦基层贯彻落实党的路线方针政策和党中央决策部署情况', [
    ['贯彻落实上级决策部署不够到位', [
      ['严格依照省高院员额制法官改革规定，纠正司法行政人员违规入额现象', '已完成并长期坚持', 'L', '杜波', '政治部', '陈敏'],
      ['推进“不忘初心、牢记使命”主题教育常态长效，深入开展“回头看”和个人自查自纠', '已完成并长期坚持', 'L', '罗拥军', '机关党委', '周婷'],
      ['组织学习芦巡发〔2020〕1号文件，完善公文处理，落实文件催办', '已完成并长期坚持', 'L', '李程', '综合办公室', '王静'],
    ]],
    ['履行职责使命不到位', [
      ['探索矛盾多元化解机制，诉与非诉无缝对接，设立诉源治理工作站', '已完成并长期坚持', 'L', '罗拥军', '立案庭、诉讼服务中心', '陈敏'],
      ['定期开展案件评查，完善上诉案件评查和审判责任追究衔接机制', '已完成并长期坚持', 'L', '李程', '审判管理办公室', '赵磊'],
    ]],
    ['意识形态工作落实有偏差', [
      ['拟定党组意识形态工作制度、网络意识形态工作制度，信息发布实行三级审核', '已完成', '2021-06-30', '杜波', '综合办公室', '王静'],
      ['加强宣传装备保障，在新审判法庭大楼预留场地并采购相关设备', '已完成', '2021-07-31', '李程', '综合办公室', '王静'],
      ['聚焦微信公众号、今日头条、微博、抖音等重点宣传阵地，加强运营和维护', '已完成', '2021-06-30', '李程', '综合办公室', '孙丽'],
      ['制定《负面舆情防控专项行动实施方案》，实行24小时舆情动态监测', '已完成', '2021-06-30', '杜波', '综合办公室', '孙丽'],
    ]],
  ]],
  ['聚焦群众身边腐败问题和不正之风', [
    ['形式主义官僚主义顽疾难除', [
      ['纠正司法行政人员违规入额现象，相关职务任免手续按程序报批', '基本完成', '2021-09-30', '杜波', '政治部', '陈敏'],
      ['严格落实院庭长带头办案规定，立案庭电脑随机分案，杜绝“挂名办案”', '已完成', '2021-06-30', '罗拥军', '审判管理办公室、立案庭', '赵磊'],
    ]],
    ['执行中央八项规定精神不彻底', [
      ['规范公车管理，制定车辆使用、油卡管理制度，实行派车单制度', '已完成', '2021-05-31', '李程', '综合办公室', '王静'],
      ['收回违规发放的津补贴，规范财务管理制度，严格经费支出审批', '已完成', '2021-05-31', '李程', '计划财务装备科', '刘洋'],
    ]],
    ['财务制度执行不严', [
      ['党建活动经费在行政账户开设专门科目，实行专账管理', '已完成', '2021-05-31', '罗拥军', '机关党委、计划财务装备科', '刘洋'],
      ['工会换届成立独立法人机构，规范工会经费和会费管理', '已完成', '2021-06-30', '罗拥军', '机关工会', '周婷'],
    ]],
  ]],
  ['聚焦基层党组织软弱涣散、组织力欠缺问题', [
    ['党建主体责任履行不到位', [
      ['加强党务工作人员业务培训，规范党务公开，设立党员示范岗', '已完成并长期坚持', 'L', '罗拥军', '机关党委', '周婷'],
    ]],
    ['落实党风廉政建设不严不实', [
      ['每年召开两次全面从严治党会议，制定主体责任清单和廉政风险点清单', '已完成并长期坚持', 'L', '杜波', '机关党委', '周婷'],
      ['严格落实“一岗双责”，班子成员每年12月前完成述职述廉报告', '已完成并长期坚持', 'L', '杜波', '政治部', '陈敏'],
      ['完善内部监督机制，“三重一大”议题提前报送派驻纪检组长', '已完成并长期坚持', 'L', '罗拥军', '督察室', '赵磊'],
      ['排查各岗位廉政风险点，加强重点部门、岗位监督', '已完成并长期坚持', 'L', '李程', '督察室', '赵磊'],
      ['完善问责追责机制，规范问责程序', '已完成并长期坚持', 'L', '杜波', '督察室、政治部', '陈敏'],
    ]],
  ]],
];

const names = (s: string) => s.split('、').filter(Boolean);

export const DEMO_LEDGER_ID = 'demo';

export function buildDemoDoc(ledgerId = DEMO_LEDGER_ID, createdAt = '2021-04-20T02:00:00.000Z'): LedgerDoc {
  const aspects: Aspect[] = [];
  const problems: Problem[] = [];
  const measures: Measure[] = [];
  const kind: Kind = '反馈问题';
  ASPECTS.forEach(([aTitle, probs], ai) => {
    const a = ai + 1;
    aspects.push({ id: itemId(a), code: displayCode('per-aspect', a), level: 'aspect', title: aTitle, aspect: a });
    probs.forEach(([pTitle, ms], pi) => {
      const p = pi + 1;
      const pid = itemId(a, p);
      const mine: Measure[] = ms.map(([text, status, deadline, leaders, depts, owners], mi) => ({
        id: itemId(a, p, mi + 1), code: displayCode('per-aspect', a, p, mi + 1), level: 'measure', title: text, aspect: a,
        problemId: pid, number: mi + 1, kind, leaders: names(leaders), departments: names(depts), owners: names(owners),
        deadline: deadline === 'L' ? L1 : d(deadline), status, notes: [], createdAt, updatedAt: createdAt, version: 0,
      }));
      problems.push({ id: pid, code: displayCode('per-aspect', a, p), level: 'problem', title: pTitle, aspect: a, number: p, kind, status: rollUp(mine.map((m) => m.status)) });
      measures.push(...mine);
    });
  });
  return {
    ledger: {
      id: ledgerId, title: '区委第十二轮第一巡察组反馈意见整改台账', org: '株洲市芦淞区人民法院', inspectionType: '巡察',
      inspectionGroup: '区委第一巡察组', feedbackDate: '2021-04-13', numbering: 'per-aspect', yellowDays: 10,
      requireReview: true, measureNoun: '具体问题', createdAt,
    },
    aspects, problems, measures,
  };
}

/** Demo users: console ids office/leader/owner/supervisor/viewer, linked by name to the ledger. */
export const DEMO_USERS = [
  { platform: 'console', userId: 'office', name: '王静', department: '综合办公室', role: 'office' },
  { platform: 'console', userId: 'leader', name: '罗拥军', department: '院领导', role: 'leader' },
  { platform: 'console', userId: 'owner', name: '陈敏', department: '政治部', role: 'owner' },
  { platform: 'console', userId: 'supervisor', name: '刘纪平', department: '派驻纪检监察组', role: 'supervisor' },
  { platform: 'console', userId: 'viewer', name: '张晓', department: '立案庭', role: 'viewer' },
] as const;
