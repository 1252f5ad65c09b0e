import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one service instance (served at GET /metrics). */
export class Metrics {
  readonly registry = new Registry();
  readonly messages = new Counter({
    name: 'rectify_messages_total', help: 'Inbound chat messages by platform and outcome',
    labelNames: ['platform', 'outcome'] as const, registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'rectify_commands_total', help: 'Commands run by command and outcome',
    labelNames: ['command', 'outcome'] as const, registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'rectify_pipeline_duration_seconds', help: 'Time from message in to reply out (pipeline only)',
    labelNames: ['platform'] as const, buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly redisErrors = new Counter({
    name: 'rectify_redis_errors_total', help: 'Redis errors seen by the service', registers: [this.registry],
  });
  readonly sends = new Counter({
    name: 'rectify_sends_total', help: 'Proactive sends by platform and outcome',
    labelNames: ['platform', 'outcome'] as const, registers: [this.registry],
  });

  constructor(defaults = false) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
