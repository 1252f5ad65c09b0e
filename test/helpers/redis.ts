/** Test Redis URL: the suite's real redis-server, one database per vitest worker. */
export function testRedisUrl(): string {
  const base = process.env.REDIS_URL;
  if (!base) throw new Error('REDIS_URL is not set: run the suite with `npm test`');
  const db = Number(process.env.VITEST_POOL_ID ?? '1') % 60 + 1;
  return `${base.replace(/\/\d+$/, '')}/${db}`;
}
