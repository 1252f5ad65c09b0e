/**
 * Court-shaped ledger workbooks built with exceljs, the way offices lay them
 * out: a merged title row, a unit/as-of row, the header, 方面 and 问题 cells
 * merged down over their measures, Excel date cells, narrative columns.
 */
import ExcelJS from 'exceljs';

/** One measure row; 方面/问题 texts repeat and are merged when equal to the row above. */
export interface CourtRow {
  code?: string;
  kind?: string;
  aspect: string;
  problem: string;
  measure: string;
  leader?: string;
  dept?: string;
  owner?: string;
  /** A Date becomes an Excel date cell; a string is written as text. */
  deadline: Date | string;
  status?: string;
  progress?: string;
  evidence?: string;
  remark?: string;
}

export interface CourtSheet {
  name: string;
  title: string;
  /** Second row text, e.g. "填报单位：…　截至2026年10月31日". */
  sub?: string;
  /** Header cells; default the columns below. */
  headers?: string[];
  /** Which row field a header's column shows, where it differs from the usual (e.g. 问题类别 holding 类别 words). */
  fields?: Record<string, keyof CourtRow>;
  rows: CourtRow[];
}

export const COURT_HEADERS = ['序号', '问题方面', '存在问题', '整改措施', '责任领导', '责任部门', '责任人', '完成时限', '整改状态'];

const FIELD_OF: Record<string, keyof CourtRow | 'serial'> = {
  序号: 'serial', 编号: 'code', 类别: 'kind', 问题方面: 'aspect', 方面: 'aspect', 问题类别: 'aspect', 存在问题: 'problem', 问题: 'problem', 整改措施: 'measure',
  责任领导: 'leader', 责任部门: 'dept', 责任人: 'owner', 完成时限: 'deadline', 整改状态: 'status', 状态: 'status',
  整改进展: 'progress', 完成情况: 'progress', 佐证材料: 'evidence', 备注: 'remark',
};

/** A workbook with one worksheet per sheet description. */
export function courtWorkbook(sheets: CourtSheet[]): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    const headers = s.headers ?? COURT_HEADERS;
    const fieldOf = (h: string) => s.fields?.[h] ?? FIELD_OF[h];
    ws.getCell(1, 1).value = s.title;
    ws.mergeCells(1, 1, 1, headers.length);
    let r = 2;
    if (s.sub) {
      ws.getCell(2, 1).value = s.sub;
      ws.mergeCells(2, 1, 2, headers.length);
      r = 3;
    }
    headers.forEach((h, i) => { ws.getCell(r, i + 1).value = h; });
    const first = r + 1;
    s.rows.forEach((row, i) => {
      const rr = first + i;
      headers.forEach((h, c) => {
        const f = fieldOf(h);
        const v = f === 'serial' ? i + 1 : f ? row[f as keyof CourtRow] : undefined;
        if (v === undefined || v === '') return;
        const cell = ws.getCell(rr, c + 1);
        cell.value = v;
        if (v instanceof Date) cell.numFmt = 'yyyy"年"m"月"d"日"';
      });
    });
    // Merge 方面 and 问题 down over runs of equal texts (only the master cell keeps the text).
    for (const field of ['aspect', 'problem'] as const) {
      const c = headers.findIndex((h) => fieldOf(h) === field) + 1;
      if (!c) continue;
      let start = 0;
      for (let i = 1; i <= s.rows.length; i++) {
        const sameRun = i < s.rows.length && s.rows[i][field] === s.rows[start][field] && (field === 'aspect' || s.rows[i].aspect === s.rows[start].aspect);
        if (sameRun) continue;
        if (i - 1 > start) ws.mergeCells(first + start, c, first + i - 1, c);
        start = i;
      }
    }
  }
  return wb;
}

/** Writes the workbook to `file`. */
export async function writeCourtWorkbook(file: string, sheets: CourtSheet[]): Promise<string> {
  await courtWorkbook(sheets).xlsx.writeFile(file);
  return file;
}

/** Midnight UTC of a day: how Excel dates come out of exceljs. */
export const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

/** A small court ledger (seed-phrased): 2 aspects, 3 problems, 5 measures. */
export function courtRows(): CourtRow[] {
  const a1 = '一、贯彻落实党的路线方针政策和上级决策部署方面';
  const a2 = '二、落实全面从严治党战略部署方面';
  return [
    { aspect: a1, problem: '1.政治理论学习不够深入', measure: '(1)制定党组理论学习中心组年度学习计划', leader: '张明', dept: '办公室', owner: '李华', deadline: day('2026-06-30'), status: '推进中' },
    { aspect: a1, problem: '1.政治理论学习不够深入', measure: '(2)开展专题读书班', leader: '张明', dept: '政治部', owner: '王芳', deadline: day('2026-09-30'), status: '未启动' },
    { aspect: a1, problem: '2.服务保障大局不够有力', measure: '(1)出台服务保障优化营商环境的意见', leader: '赵强', dept: '研究室', owner: '孙丽', deadline: '长期坚持', status: '推进中' },
    { aspect: a2, problem: '1.主体责任落实不到位', measure: '(1)修订党组落实全面从严治党主体责任清单', leader: '张明', dept: '办公室', owner: '李华', deadline: day('2026-12-31'), status: '推进中' },
    { aspect: a2, problem: '1.主体责任落实不到位', measure: '(2)定期开展廉政风险排查', leader: '钱伟', dept: '纪检组', owner: '周敏', deadline: day('2026-08-31'), status: '推进中' },
  ];
}
