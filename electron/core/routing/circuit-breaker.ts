import type { ErrorCode } from '../../../shared/ipc/errors';
import type { RoutingSettings } from '../../../shared/ipc/routes/routing';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** One provider's circuit, as the Usage page or `tandem` shows it (times in epoch ms). */
export interface CircuitSnapshot {
  state: CircuitState;
  /** Unhealthy failures within the window (kept while open, for display). */
  recentFailures: number;
  openedAt: number | null;
  /** When an open circuit lets one probe request through; null when closed. */
  retryAt: number | null;
}

/** Failures that say the provider itself is unwell; anything else (a bad prompt, a key, a budget, a cancel) says nothing about its health. */
const UNHEALTHY: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['SERVER', 'RATE_LIMITED', 'TIMEOUT', 'NETWORK', 'BAD_RESPONSE']);

/** Whether a failure with this code counts toward opening a provider's circuit. */
export function isUnhealthyFailure(code: ErrorCode): boolean {
  return UNHEALTHY.has(code);
}

interface Circuit {
  state: CircuitState;
  failures: number[];
  openedAt: number | null;
  retryAt: number | null;
  probing: boolean;
}

export interface CircuitBreakerOptions {
  settings: () => RoutingSettings['circuit'];
  now?: () => number;
}

/**
 * Per-provider circuit breaker: after `failures` unhealthy failures within
 * `windowMs` the provider's circuit opens and requests are refused at once;
 * after `cooldownMs` exactly one probe request goes through (half-open): its
 * success closes the circuit, its failure opens it for another cool-down.
 * State lives in memory only (a restart starts closed).
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /** The provider's state now (an open circuit whose cool-down has passed stays 'open' until `allow` lets the probe through). */
  state(provider: string): CircuitState {
    return this.circuits.get(provider)?.state ?? 'closed';
  }

  /**
   * Whether a request to the provider may go now, without taking the probe
   * slot (for a router deciding which candidates are eligible).
   */
  available(provider: string): boolean {
    const circuit = this.circuits.get(provider);
    if (!circuit || circuit.state === 'closed') return true;
    if (circuit.state === 'open') return this.now() >= (circuit.retryAt ?? 0);
    return !circuit.probing;
  }

  /**
   * Asks to send a request: true when closed; when the cool-down of an open
   * circuit has passed it turns half-open and lets exactly one probe through
   * (further calls get false until that probe settles).
   */
  allow(provider: string): boolean {
    const circuit = this.circuits.get(provider);
    if (!circuit || circuit.state === 'closed') return true;
    if (circuit.state === 'open') {
      if (this.now() < (circuit.retryAt ?? 0)) return false;
      circuit.state = 'half-open';
    }
    if (circuit.probing) return false;
    circuit.probing = true;
    return true;
  }

  /** A request to the provider succeeded: the circuit closes and its failures are forgotten. */
  success(provider: string): void {
    this.circuits.delete(provider);
  }

  /**
   * A request failed with `code`. Unhealthy codes count within the window and
   * open the circuit at the threshold; a failed probe re-opens it for another
   * cool-down. Other codes only free the probe slot (see `release`).
   */
  failure(provider: string, code: ErrorCode): void {
    if (!isUnhealthyFailure(code)) {
      this.release(provider);
      return;
    }
    const { failures, windowMs } = this.options.settings();
    const now = this.now();
    const circuit = this.circuit(provider);
    circuit.failures = circuit.failures.filter((at) => at > now - windowMs);
    circuit.failures.push(now);
    if (circuit.state === 'half-open' || (circuit.state === 'closed' && circuit.failures.length >= failures)) this.open(circuit, now);
  }

  /**
   * A request ended saying nothing about the provider's health (cancelled, or
   * failed for a reason of its own): a half-open probe slot is freed for the next request.
   */
  release(provider: string): void {
    const circuit = this.circuits.get(provider);
    if (circuit) circuit.probing = false;
  }

  /** Every provider whose circuit is not plainly closed and clean, for display. */
  snapshot(): Record<string, CircuitSnapshot> {
    const { windowMs } = this.options.settings();
    const now = this.now();
    const out: Record<string, CircuitSnapshot> = {};
    for (const [provider, circuit] of this.circuits) {
      const recentFailures = circuit.state === 'closed' ? circuit.failures.filter((at) => at > now - windowMs).length : circuit.failures.length;
      if (circuit.state === 'closed' && recentFailures === 0) continue;
      out[provider] = { state: circuit.state, recentFailures, openedAt: circuit.openedAt, retryAt: circuit.retryAt };
    }
    return out;
  }

  private open(circuit: Circuit, now: number): void {
    circuit.state = 'open';
    circuit.openedAt = now;
    circuit.retryAt = now + this.options.settings().cooldownMs;
    circuit.probing = false;
  }

  private circuit(provider: string): Circuit {
    let circuit = this.circuits.get(provider);
    if (!circuit) {
      circuit = { state: 'closed', failures: [], openedAt: null, retryAt: null, probing: false };
      this.circuits.set(provider, circuit);
    }
    return circuit;
  }
}
