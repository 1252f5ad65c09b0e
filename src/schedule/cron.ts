import { parse as parseCronFields, validate as validateCron } from 'node-cron';
import { normalizeInput } from '../ledger/normalize.js';

/** The default digest schedule: Monday 09:00, Asia/Shanghai (周通报). */
export const DEFAULT_CRON = '0 9 * * 1';

/** Shanghai is UTC+8 all year (no DST), so slot arithmetic can use a fixed offset. */
const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** A cron expression reduced to the sets our slot arithmetic needs. */
export interface CronSpec {
  expr: string;
  seconds: number[];
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
}

const WEEKDAYS: Record<string, number> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };

/**
 * Compiles a cron expression (5 or 6 fields, Asia/Shanghai). node-cron does
 * the parsing; we keep only plain numeric day fields (no L/W/#) because the
 * slot arithmetic below must agree with it exactly. Returns an error sentence
 * for the office when the expression is not usable.
 */
export function compileCron(expr: string): CronSpec | { error: string } {
  const e = expr.trim().replace(/\s+/g, ' ');
  const n = e.split(' ').length;
  if ((n !== 5 && n !== 6) || !validateCron(e)) return { error: `无法识别的 cron 表达式：${e}` };
  const f = parseCronFields(e);
  if ([...f.dayOfMonth, ...f.dayOfWeek].some((x) => typeof x !== 'number')) {
    return { error: 'cron 表达式暂不支持 L、W、# 写法，请改用具体日期或星期。' };
  }
  const sorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
  return {
    expr: e,
    seconds: sorted(f.second),
    minutes: sorted(f.minute),
    hours: sorted(f.hour),
    days: new Set(f.dayOfMonth as number[]),
    months: new Set(f.month),
    weekdays: new Set((f.dayOfWeek as number[]).map((d) => d % 7)),
  };
}

/** compileCron that throws (for expressions already validated when stored). */
export function cronOf(expr: string): CronSpec {
  const c = compileCron(expr);
  if ('error' in c) throw new Error(c.error);
  return c;
}

function dayMatches(c: CronSpec, shDayStart: number): boolean {
  const d = new Date(shDayStart);
  return c.days.has(d.getUTCDate()) && c.months.has(d.getUTCMonth() + 1) && c.weekdays.has(d.getUTCDay());
}

/** Latest time-of-day (ms after Shanghai midnight) ≤ `limit` the spec fires at, or -1. */
function lastTimeOfDay(c: CronSpec, limit: number): number {
  for (let h = c.hours.length - 1; h >= 0; h--) {
    for (let m = c.minutes.length - 1; m >= 0; m--) {
      const base = c.hours[h] * 3600_000 + c.minutes[m] * 60_000;
      if (base > limit) continue;
      for (let s = c.seconds.length - 1; s >= 0; s--) {
        const t = base + c.seconds[s] * 1000;
        if (t <= limit) return t;
      }
    }
  }
  return -1;
}

function firstTimeOfDay(c: CronSpec, after: number): number {
  for (const h of c.hours) {
    if ((h + 1) * 3600_000 <= after) continue;
    for (const m of c.minutes) {
      const base = h * 3600_000 + m * 60_000;
      if (base + 60_000 <= after) continue;
      for (const s of c.seconds) {
        const t = base + s * 1000;
        if (t > after) return t;
      }
    }
  }
  return -1;
}

/** The latest slot at or before `at` (searching back at most `maxDays`), or null. */
export function prevSlot(c: CronSpec, at: Date, maxDays = 400): Date | null {
  const local = at.getTime() + OFFSET_MS;
  let dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  let limit = Math.floor((local - dayStart) / 1000) * 1000;
  for (let i = 0; i <= maxDays; i++, dayStart -= DAY_MS, limit = DAY_MS - 1) {
    if (!dayMatches(c, dayStart)) continue;
    const t = lastTimeOfDay(c, limit);
    if (t >= 0) return new Date(dayStart + t - OFFSET_MS);
  }
  return null;
}

/** The first slot strictly after `at`, or null within `maxDays`. */
export function nextSlot(c: CronSpec, at: Date, maxDays = 400): Date | null {
  const local = at.getTime() + OFFSET_MS;
  let dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  let after = local - dayStart;
  for (let i = 0; i <= maxDays; i++, dayStart += DAY_MS, after = -1) {
    if (!dayMatches(c, dayStart)) continue;
    const t = firstTimeOfDay(c, after);
    if (t >= 0) return new Date(dayStart + t - OFFSET_MS);
  }
  return null;
}

/**
 * What the office writes after 订阅: "周一 9:00", "每周五 17:30", "每天 8:30",
 * "工作日 9:00", "每月1日 9:00", a raw cron, or nothing (the default).
 */
export function parseScheduleArg(input: string): { cron: string } | { error: string } {
  const s = normalizeInput(input).trim().replace(/：/g, ':');
  if (!s) return { cron: DEFAULT_CRON };
  if (/^[\d*/,\-\sA-Za-z?]+$/.test(s) && s.split(/\s+/).length >= 5) {
    const c = compileCron(s);
    return 'error' in c ? c : { cron: c.expr };
  }
  const t = s.match(/(\d{1,2})(?:[:点时](\d{1,2})?分?|点半)?\s*$/);
  if (!t) return { error: '请写上推送时间，例如：订阅 周一 9:00、订阅 每天 8:30。' };
  const hour = Number(t[1]);
  const minute = /点半$/.test(t[0]) ? 30 : Number(t[2] ?? 0);
  if (hour > 23 || minute > 59) return { error: `时间 ${t[0].trim()} 不正确。` };
  const day = s.slice(0, t.index).replace(/\s/g, '').replace(/^(早上|上午)/, '').replace(/(早上|上午|下午|晚上)$/, '');
  const pm = /(下午|晚上)/.test(s) && hour < 12 ? 12 : 0;
  const hm = `${minute} ${hour + pm}`;
  if (/^(每天|每日|天天)?$/.test(day)) return { cron: `${hm} * * *` };
  if (/^(每个?)?工作日$/.test(day)) return { cron: `${hm} * * 1-5` };
  const w = day.match(/^(?:每)?(?:周|星期|礼拜)([一二三四五六日天])$/);
  if (w) return { cron: `${hm} * * ${WEEKDAYS[w[1]]}` };
  const m = day.match(/^每月(\d{1,2})[日号]$/);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 28) return { cron: `${hm} ${Number(m[1])} * *` };
  if (m) return { error: '每月推送日请选 1—28 日，避免小月没有这一天。' };
  return { error: `无法识别推送时间“${s}”。示例：订阅 周一 9:00、订阅 每天 8:30、订阅 工作日 9:00。` };
}

/** A cron expression in words an office reads: "每周一 9:00". */
export function describeCron(expr: string): string {
  const f = expr.trim().split(/\s+/);
  const [sec, min, hour, dom, mon, dow] = f.length === 6 ? f : ['0', ...f];
  if (sec !== '0' || !/^\d+$/.test(min) || !/^\d+$/.test(hour) || mon !== '*') return `cron ${expr}`;
  const hm = `${Number(hour)}:${min.padStart(2, '0')}`;
  if (dom === '*' && dow === '*') return `每天 ${hm}`;
  if (dom === '*' && dow === '1-5') return `工作日 ${hm}`;
  const names = ['日', '一', '二', '三', '四', '五', '六', '日'];
  if (dom === '*' && /^[0-7]$/.test(dow)) return `每周${names[Number(dow)]} ${hm}`;
  if (/^\d+$/.test(dom) && dow === '*') return `每月${dom}日 ${hm}`;
  return `cron ${expr}`;
}
