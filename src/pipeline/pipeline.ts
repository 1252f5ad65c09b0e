import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { IncomingMessage, Reply } from '../core/message.js';
import type { Metrics } from '../core/metrics.js';
import { DomainError } from '../core/errors.js';
import { shanghaiDate } from '../ledger/dates.js';
import { isRedisError } from '../store/redis.js';
import { roleFor } from '../ledger/roles.js';
import type { CommandContext, Services, Speaker } from '../commands/types.js';
import { isParseFailure } from '../commands/types.js';
import { route } from '../commands/router.js';
import { queueOfficeCopies } from './office-copies.js';
import { helpExamples, helpReply, missReply } from '../commands/help.js';
import { simpleReply } from '../commands/reply.js';
import { checkIncoming, incomingSchema } from './incoming.js';
import { annotate, tracedServices, type DispatchTrace } from './approval.js';
import { runFenced } from './fenced-run.js';
import { filesAlone, filesWithCommand, isFileAlone, withFileCaption } from './evidence-step.js';
import type { EvidenceIntake } from './evidence.js';
import { privateChat } from './private-chat.js';

export const MAX_TEXT = 2000;

export interface PipelineDeps {
  services: Services;
  logger: Logger;
  metrics: Metrics;
  /** Claims a message id once (SET NX with TTL). */
  claim(platform: IncomingMessage['platform'], id: string): Promise<boolean>;
  /** Pictures and files sent with or right after a 进展 / 完成 become evidence (absent: files are ignored). */
  evidence?: EvidenceIntake;
}

export interface Pipeline {
  /** Dedupe, then run: a reply, or null for a message already handled (console, CLI). */
  handle(msg: IncomingMessage): Promise<Reply | null>;
  /**
   * Runs a message the durable inbound queue has already persisted and
   * deduplicated. Rejects with the Redis error when Redis is unreachable, so
   * the queue retries the message instead of answering "unavailable".
   */
  run(msg: IncomingMessage): Promise<Reply | null>;
}

const UNAVAILABLE = () => simpleReply('服务暂不可用', '⚠️ 服务暂时不可用，您的操作未被记录，请稍后再试。');
const NOT_BOUND = () => simpleReply('未绑定', '本群尚未绑定整改台账。');

/**
 * dedupe → binding and role → parse → authorize → handler → Reply.
 * Every adapter, the console included, calls this and nothing else.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const { services, logger, metrics } = deps;
  const process = async (raw: IncomingMessage, queued: boolean): Promise<Reply | null> => {
    const checked = checkIncoming(raw);
    if (!checked) {
      const issues = incomingSchema.safeParse(raw).error?.issues ?? [];
      logger.warn({ issues: issues.map((i) => i.path.join('.')) }, 'malformed incoming message dropped');
      metrics.messages.inc({ platform: String((raw as { platform?: string })?.platform ?? 'unknown'), outcome: 'malformed' });
      return null;
    }
    const msg = checked;
    const end = metrics.latency.startTimer({ platform: msg.platform });
    // Bound lazily: most messages log nothing above debug, and a child logger per message shows in profiles.
    const log = () => logger.child({ platform: msg.platform, messageId: msg.messageId });
    let outcome = 'ok';
    try {
      if (!queued && !(await deps.claim(msg.platform, msg.messageId))) {
        outcome = 'duplicate';
        return null;
      }
      const trace: DispatchTrace = { changes: [] };
      const setOutcome = (o: string) => (outcome = o);
      const ev = deps.evidence;
      if (ev && msg.files?.length && isFileAlone(msg.text)) return annotate(await filesAlone(msg, services, ev, setOutcome), outcome, trace);
      const m = ev ? withFileCaption(msg) : msg;
      if (ev) trace.recent = { entry: ev.recentEntry(m, trace) };
      let reply = await dispatch(m, services, setOutcome, metrics, trace);
      if (ev) reply = await filesWithCommand(m, services, ev, trace, outcome, reply);
      return annotate(reply, outcome, trace);
    } catch (e) {
      if (isRedisError(e)) {
        metrics.redisErrors.inc();
        if (queued) {
          outcome = 'retry';
          throw e;
        }
        outcome = 'unavailable';
        log().error({ err: (e as Error).message }, 'redis unavailable');
        return UNAVAILABLE();
      }
      const eventId = randomUUID().slice(0, 8);
      outcome = 'error';
      log().error({ err: e, eventId }, 'unexpected error in pipeline');
      return simpleReply('出错了', `抱歉，处理时出现了意外错误（编号 ${eventId}），请稍后再试或联系整改办。`);
    } finally {
      metrics.messages.inc({ platform: msg.platform, outcome });
      end();
      if (logger.isLevelEnabled('debug')) log().debug({ outcome, text: msg.text }, 'message handled');
    }
  };
  return {
    handle: (raw) => process(raw, false),
    run: (raw) => process(raw, true),
  };
}

async function dispatch(msg: IncomingMessage, services: Services, setOutcome: (o: string) => void, metrics: Metrics, trace: DispatchTrace): Promise<Reply> {
  if (msg.text.length > MAX_TEXT) {
    setOutcome('too_long');
    return simpleReply('内容过长', `消息超过${MAX_TEXT}字，未予处理。请精简说明，或把详细材料作为附件交整改办。`);
  }
  const routed = route(msg.text);
  // One round trip for the binding and the sender; the ledger's meta is cached briefly (reads are fenced by generation).
  const [bound, user] = await services.directory.bindingAndUser(msg.platform, msg.chatId, msg.senderId);
  // A 1:1 chat with the robot is bound to no ledger: the sender's own ledgers pick one (private-chat.ts).
  const direct = !bound && msg.chatType === 'private' ? await privateChat(services, msg, user, routed) : null;
  if (direct && 'reply' in direct) {
    setOutcome(direct.outcome);
    return direct.reply;
  }
  const binding = bound ?? direct?.binding ?? null;
  const speaker: Speaker = user
    ? { platform: msg.platform, userId: msg.senderId, name: user.name, department: user.department, role: roleFor(user, binding?.ledgerId ?? null), known: true }
    : { platform: msg.platform, userId: msg.senderId, name: msg.senderName || msg.senderId, department: '', role: 'viewer', known: false };
  trace.by = speaker.name;
  const isBind = routed.kind === 'command' && routed.spec.needsLedger === false;
  if (!binding && !isBind) {
    setOutcome('unbound');
    return NOT_BOUND();
  }
  const ledger = binding ? await services.ledgers.currentLedger(binding.ledgerId) : null;
  if (binding && !ledger && !isBind) {
    setOutcome('unbound');
    return simpleReply('台账不存在', '本群绑定的台账已不存在，请整改办重新绑定。');
  }
  if (routed.kind === 'help') return helpReply(speaker.role, routed.topic, ledger ? await helpExamples(services, ledger.id) : undefined);
  if (routed.kind === 'miss') {
    setOutcome('miss');
    return missReply(routed.input, routed.suggestion, routed.hint);
  }
  const { spec } = routed;
  trace.command = spec.name;
  const count = (o: string) => metrics.commands.inc({ command: spec.name, outcome: o });
  if (spec.roles && !spec.roles.includes(speaker.role) && !(spec.openWhenBare && !routed.args.trim())) {
    setOutcome('forbidden');
    count('forbidden');
    const who = spec.roles.length === 1 && spec.roles[0] === 'office' ? `“${spec.name}”仅限整改办使用` : `您当前的身份无权使用“${spec.name}”`;
    return simpleReply('无权操作', `${who}。${speaker.known ? '' : '您尚未登记，目前为只读身份。'}`);
  }
  const args = spec.parse(routed.args);
  if (isParseFailure(args)) {
    setOutcome('bad_args');
    count('bad_args');
    return simpleReply('格式有误', args.error, `用法：${spec.usage}`);
  }
  const now = services.clock.now();
  trace.ledgerId = ledger?.id;
  const ctx: CommandContext = { msg, speaker, binding, ledger: ledger!, services: tracedServices(services, trace), now, today: shanghaiDate(now) };
  try {
    const reply = await runFenced((c, a) => spec.run(c, a), ctx, args, services, () => simpleReply('台账不存在', '本群绑定的台账已不存在，请整改办重新绑定。'));
    count('ok');
    await queueOfficeCopies(services, msg, trace);
    return reply;
  } catch (e) {
    if (e instanceof DomainError) {
      trace.refused = e;
      setOutcome('rejected');
      count('rejected');
      return simpleReply('未能完成', e.message, ...(e.hint ? [e.hint] : []));
    }
    count('error');
    throw e;
  }
}
