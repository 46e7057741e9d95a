import { describe, expect, test } from 'vitest';
import { ApprovalBroker } from '../../electron/core/mcp/approval-broker';

describe('ApprovalBroker', () => {
  test('the owning client answers once; the answer is what the wait gets', async () => {
    const broker = new ApprovalBroker();
    const pending = broker.request({ signal: new AbortController().signal, clientId: 'window-1' });
    expect(pending.approvalId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(broker.resolve(pending.approvalId, 'allow-once', 'window-1')).toBe(true);
    expect(broker.resolve(pending.approvalId, 'deny', 'window-1')).toBe(false);
    await expect(pending.outcome).resolves.toBe('allow-once');
    expect(broker.pending).toBe(0);
  });

  test('unknown ids, and ids of another client\'s stream, resolve nothing', async () => {
    const broker = new ApprovalBroker();
    const pending = broker.request({ signal: new AbortController().signal, clientId: 'window-1' });
    expect(broker.resolve('not-an-id', 'always-allow', 'window-1')).toBe(false);
    expect(broker.resolve(pending.approvalId, 'always-allow', 'intruder')).toBe(false);
    expect(broker.resolve(pending.approvalId, 'always-allow')).toBe(false);
    expect(broker.pending).toBe(1);
    broker.dispose();
    await expect(pending.outcome).resolves.toBe('cancelled');
  });

  test('ids are never reused', () => {
    const broker = new ApprovalBroker();
    const signal = new AbortController().signal;
    const ids = new Set(Array.from({ length: 200 }, () => broker.request({ signal }).approvalId));
    expect(ids.size).toBe(200);
    broker.dispose();
  });

  test('Stop ends the wait as cancelled, and a late answer does nothing', async () => {
    const broker = new ApprovalBroker();
    const controller = new AbortController();
    const pending = broker.request({ signal: controller.signal });
    controller.abort();
    await expect(pending.outcome).resolves.toBe('cancelled');
    expect(broker.resolve(pending.approvalId, 'allow-once')).toBe(false);
  });

  test('nobody answering ends the wait as a timeout, and the id expires', async () => {
    const broker = new ApprovalBroker(30);
    const pending = broker.request({ signal: new AbortController().signal });
    await expect(pending.outcome).resolves.toBe('timeout');
    expect(broker.resolve(pending.approvalId, 'allow-once')).toBe(false);
  });
});
