/**
 * Fault injection shared by every sandbox: a Fastify hook that adds latency, drops connections
 * during outage windows and answers a share of calls with the channel's own 5xx, plus helpers
 * the sandboxes use for outbound deliveries (duplicates, reordering, late delivery).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { defaultFaults, type FaultConfig } from './types';

export class Faults {
  private config: FaultConfig;

  constructor(initial: Partial<FaultConfig> = {}) {
    this.config = { ...defaultFaults(), ...initial };
  }

  get(): FaultConfig {
    return { ...this.config, outages: [...this.config.outages] };
  }

  set(patch: Partial<FaultConfig> & { outageForMs?: number }): FaultConfig {
    const { outageForMs, ...rest } = patch;
    this.config = { ...this.config, ...rest };
    if (outageForMs && outageForMs > 0) {
      const from = Date.now();
      this.config.outages = [...this.config.outages, { from, to: from + outageForMs }];
    }
    return this.get();
  }

  inOutage(now = Date.now()): boolean {
    return this.config.outages.some((w) => now >= w.from && now < w.to);
  }

  shouldFail(): boolean {
    return this.config.errorRate > 0 && Math.random() < this.config.errorRate;
  }

  shouldDuplicate(): boolean {
    return this.config.duplicateRate > 0 && Math.random() < this.config.duplicateRate;
  }

  get throttling(): boolean {
    return this.config.throttling;
  }

  /**
   * Registers the hook on the channel API routes (everything outside /_sandbox).
   * `failWith` writes the channel's own 5xx body.
   */
  install(app: FastifyInstance, failWith: (reply: FastifyReply) => FastifyReply): void {
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/_sandbox')) return;
      if (this.inOutage()) {
        // A real outage: the connection is dropped, the client sees a network error.
        request.raw.socket.destroy();
        return reply;
      }
      if (this.config.latencyMs > 0) await new Promise((r) => setTimeout(r, this.config.latencyMs));
      if (this.shouldFail()) return failWith(reply);
    });
  }

  /**
   * Turns a list of outbound deliveries into what the faults say actually goes out:
   * duplicates, shuffled order, all after the configured delivery delay.
   */
  shapeDeliveries<T>(items: T[]): T[] {
    const out: T[] = [];
    for (const item of items) {
      out.push(item);
      if (this.shouldDuplicate()) out.push(item);
    }
    if (this.config.reorder) {
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
    }
    return out;
  }

  get deliveryDelayMs(): number {
    return this.config.deliveryDelayMs;
  }
}
