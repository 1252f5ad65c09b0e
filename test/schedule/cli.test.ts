import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { registerScheduleCli, type CliRunner } from '../../src/schedule/cli.js';
import { statusReport } from '../../src/commands/status-report.js';
import { testRedisUrl } from '../helpers/redis.js';
import { schedWorld, type SchedWorld } from './harness.js';

let w: SchedWorld;
beforeAll(async () => {
  const r = new Redis(testRedisUrl());
  await r.flushdb();
  r.disconnect();
  w = await schedWorld({ at: '2021-07-09T02:00:00Z' });
});
afterAll(async () => { await w.closeAll(); });

/** Runs `rectify <args>` through commander against the test world; returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...xs: unknown[]) => { out.push(xs.join(' ')); });
  const run: CliRunner = async (_asOf, f) => f({ services: w.open.services, redis: w.open.redis });
  try {
    const program = new Command().exitOverride();
    registerScheduleCli(program, run);
    await program.parseAsync(['node', 'rectify', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('\n');
}

describe('rectify schedule / digest / deliveries / reminders', () => {
  it('digest --print renders the seed’s headline; --json counts equal status --json', async () => {
    const t = await cli('digest', '--chat', w.chatId, '--print');
    expect(t).toContain('截至7月9日，巡察反馈的21个具体问题，已完成整改9个，已完成整改并长期坚持11个，基本完成整改1个。');
    const j = JSON.parse(await cli('digest', '--chat', w.chatId, '--json'));
    const { ledger: _l, asOf: _a, ...status } = await statusReport(w.open.services, w.ledgerId, '2021-07-09');
    expect(j.counts).toEqual(status);
    expect(j.jobId).toBeUndefined();
  });

  it('schedule --cron stores it (words or cron); --off clears it', async () => {
    expect(await cli('schedule', '--chat', w.chatId, '--cron', '周五 17:00')).toContain('每周五 17:00');
    expect((await w.open.services.directory.getBinding('console', w.chatId))?.schedule).toBe('0 17 * * 5');
    await cli('schedule', '--chat', w.chatId, '--off');
    expect((await w.open.services.directory.getBinding('console', w.chatId))?.schedule).toBeUndefined();
  });

  it('digest --send queues it; deliveries --json shows it queued then sent', async () => {
    expect(await cli('digest', '--chat', w.chatId, '--send')).toContain('已放入发送队列');
    w.startWorker({ queueName: 'deliver' }); // the CLI queues into the service's outbox
    await w.waitLog((es) => es.some((e) => e.status === 'sent'));
    const log = JSON.parse(await cli('deliveries', '--json', '--chat', w.chatId));
    expect(log.map((e: { status: string }) => e.status)).toEqual(['sent', 'queued']);
    expect(JSON.parse(await cli('deliveries', '--summary'))[0]).toMatchObject({ kind: 'manual', status: 'sent', retries: 0 });
  });

  it('reminders shows and sets the ladder', async () => {
    expect(await cli('reminders', '--ledger', w.ledgerId)).toContain('到期前20天：责任人；到期前10天：责任人、责任领导；逾期：责任领导、整改办');
    expect(await cli('reminders', '--ledger', w.ledgerId, '--ladder', '30:owner;overdue:office')).toContain('到期前30天：责任人；逾期：整改办');
    expect(await cli('reminders', '--ledger', w.ledgerId, '--reset')).toContain('（--ladder 写法：20:责任人;10:责任人+责任领导;逾期:责任领导+整改办）');
    // The words it prints are what --ladder reads back.
    expect(await cli('reminders', '--ledger', w.ledgerId, '--ladder', '30:责任人;逾期:责任领导+整改办')).toContain('到期前30天：责任人；逾期：责任领导、整改办\n（--ladder 写法：30:责任人;逾期:责任领导+整改办）');
  });

  it('reminders --reach and --approval-direct set how reminders reach people; a bad word changes nothing', async () => {
    expect(await cli('reminders', '--ledger', w.ledgerId)).toContain('提醒方式：群内@提醒；完成申报私信整改办：关');
    expect(await cli('reminders', '--ledger', w.ledgerId, '--reach', '先私信后群内', '--approval-direct', '开'))
      .toContain('提醒方式：先私信、逾期后群内@提醒；完成申报私信整改办：开（命令行于2021-07-09设置）');
    expect(await w.sched.getReach(w.ledgerId)).toMatchObject({ mode: 'direct-then-group', approvalDirect: '1', by: '命令行' });
    // A setting stored by older versions as “cli” reads as 命令行 too; --by names the operator.
    await w.sched.setReach(w.ledgerId, { by: 'cli' });
    expect(await cli('reminders', '--ledger', w.ledgerId)).toContain('（命令行于2021-07-09设置）');
    expect(await cli('reminders', '--ledger', w.ledgerId, '--reach', '先私信后群内', '--by', '周婷')).toContain('（周婷于2021-07-09设置）');
    expect(await cli('reminders', '--ledger', w.ledgerId)).not.toContain('cli');
    await expect(cli('reminders', '--ledger', w.ledgerId, '--reach', '邮件')).rejects.toThrow('无法识别提醒方式“邮件”，可选：群内、私信、先私信后群内。');
    await expect(cli('reminders', '--ledger', w.ledgerId, '--approval-direct', '也许')).rejects.toThrow('须为“开”或“关”');
    expect((await w.sched.getReach(w.ledgerId)).mode).toBe('direct-then-group');
    expect(await cli('reminders', '--ledger', w.ledgerId, '--reach', '群内')).toContain('提醒方式：群内@提醒；完成申报私信整改办：开');
  });
});
