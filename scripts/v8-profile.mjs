// The V8 settings `npm start` gives the service (scripts/start.mjs), shared with the benchmarks so
// they measure the service as it runs. Two profiles, by RECTIFY_MEMORY:
//   (unset)  V8's defaults: young generation up to 16 MB semi-spaces, the heap grown as V8 sees fit.
//            Fastest: bench side_by_side measured 280 µs of CPU for 进度 and 500 µs for a 进展.
//            After 1,000 commands on a 100,000-measure ledger the service holds 140-145 MB (~180 MB
//            before src/store/lean-pipeline.ts stopped every Redis pipeline surviving into the old space).
//   small    --optimize-for-size and 2 MB semi-spaces: ~105-110 MB after those 1,000 commands, but
//            every message costs about twice the CPU (bench side_by_side: 800-890 instead of
//            350-460 µs for 进度 with 2 MB semi-spaces).
// RECTIFY_SEMI_SPACE_MB=<n> sets the semi-space size alone, RECTIFY_V8_FLAGS="--flag …" replaces the
// other flags (both win over the profile). Returns what to add to NODE_OPTIONS and the flags for
// the command line (V8 flags such as --optimize-for-size are not allowed in NODE_OPTIONS).
export function v8Profile(env) {
  const small = env.RECTIFY_MEMORY === 'small';
  if (env.RECTIFY_MEMORY && !small) throw new Error(`RECTIFY_MEMORY must be "small" or unset, not "${env.RECTIFY_MEMORY}"`);
  const semi = env.RECTIFY_SEMI_SPACE_MB ?? (small ? '2' : '');
  const nodeOptions = semi && !/--max-semi-space-size/.test(env.NODE_OPTIONS ?? '') ? `--max-semi-space-size=${semi}` : '';
  const flags = env.RECTIFY_V8_FLAGS !== undefined
    ? env.RECTIFY_V8_FLAGS.split(/\s+/).filter(Boolean)
    : small ? ['--optimize-for-size'] : [];
  return { nodeOptions, flags, name: small ? 'small' : 'default' };
}
