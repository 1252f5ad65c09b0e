// The least possible pipeline for a DingTalk HTTP callback, as issue 10 defines it: Koa, the JSON
// body, the HMAC check, one SET NX, one HGETALL, the reply POSTed to the sessionWebhook, then 200.
// Run as its own process by bench/side-by-side.ts: REDIS_URL, SECRET, PORT from the environment.
import Koa from 'koa';
import { Redis } from 'ioredis';
import { timingSafeEqual } from 'node:crypto';
import { dingtalkSign } from '../src/bot/dingtalk/signature.js';
import { createHttpClient } from '../src/core/http-client.js';

const redis = new Redis(process.env.REDIS_URL!);
const secret = process.env.SECRET!;
const http = createHttpClient();
const app = new Koa();
app.use(async (ctx) => {
  const ts = ctx.get('timestamp');
  const a = Buffer.from(ctx.get('sign'));
  const b = Buffer.from(dingtalkSign(ts, secret));
  if (a.length !== b.length || !timingSafeEqual(a, b)) { ctx.status = 401; return; }
  const chunks: Buffer[] = [];
  for await (const c of ctx.req) chunks.push(c as Buffer);
  const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { msgId: string; conversationId: string; sessionWebhook: string; text: { content: string } };
  if ((await redis.set(`ref:idem:${m.msgId}`, '1', 'EX', 600, 'NX')) !== 'OK') { ctx.body = {}; return; }
  const counters = await redis.hgetall(`ref:cnt:${m.conversationId}`);
  const text = `整改进度：${Object.entries(counters).map(([k, v]) => `${k} ${v}`).join('，')}（${m.text.content.trim()}）`;
  await (await http(m.sessionWebhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'text', text: { content: text } }) })).text();
  ctx.body = {};
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`reference up on ${(server.address() as { port: number }).port}\n`);
});
// Exit on SIGTERM (the bench stops it so) through process.exit, so a --cpu-prof profile is written.
process.on('SIGTERM', () => process.exit(0));
