import { describe, expect, test } from 'vitest';
import { gradeRegex, REGEX_INPUT_LIMIT } from '../../../electron/core/lab/graders';
import { FailedAuthLimiter, isLoopbackAddress } from '../../../electron/core/server/api/failed-auth';
import { ResponseStore, RESPONSE_STORE_BYTES } from '../../../electron/core/server/api/response-store';
import { regexProblem } from '../../../electron/core/server/mcp/model-check';
import { routingRequest } from '../../../electron/core/server/mcp/routing-tools';

describe('the Responses store', () => {
  test('is bounded by bytes as well as entries: the oldest go first, and one larger than the store is not kept', () => {
    const store = new ResponseStore(512, 1000);
    const message = (n: number) => [{ role: 'user' as const, text: 'x'.repeat(n) }];
    store.put('a', { keyId: 'k', messages: message(150), instructions: null });
    store.put('b', { keyId: 'k', messages: message(150), instructions: null });
    store.put('c', { keyId: 'k', messages: message(150), instructions: null });
    expect(store.bytes).toBeLessThanOrEqual(1000);
    expect(store.get('a', 'k')).toBeNull();
    expect(store.get('c', 'k')).not.toBeNull();
    store.put('huge', { keyId: 'k', messages: message(5000), instructions: null });
    expect(store.get('huge', 'k')).toBeNull();
    expect(store.get('c', 'k')).not.toBeNull();
  });

  test('with the defaults, twenty 8 MB conversations do not all stay: at most 64 MB is held', () => {
    const store = new ResponseStore();
    const text = 'y'.repeat(4 * 1024 * 1024);
    for (let i = 0; i < 20; i++) store.put(`r${i}`, { keyId: 'k', messages: [{ role: 'user', text }], instructions: null });
    expect(store.size).toBeLessThan(9);
    expect(store.bytes).toBeLessThanOrEqual(RESPONSE_STORE_BYTES);
    expect(store.get('r19', 'k')).not.toBeNull();
    expect(store.get('r0', 'k')).toBeNull();
  });
});

describe('regex graders from the network', () => {
  test('nested quantifiers and long patterns are refused; ordinary ones pass', () => {
    for (const bad of ['(a+)+$', '(a*)*b', '(\\w+\\s?){2,}x', '((ab)*)+', '(x+x+)+y', 'a'.repeat(201)]) expect(regexProblem(bad), bad).not.toBeNull();
    for (const good of ['fake', '\\d+', '^(yes|no)$', '(ab)+', '[a+]+', 'colou?r', '\\(a+\\)+', '(\\d{3})-\\d{4}']) expect(regexProblem(good), good).toBeNull();
  });

  test('the lab runs a regex on at most the first 20,000 characters of an answer', () => {
    const answer = `${'a'.repeat(REGEX_INPUT_LIMIT + 5000)}needle`;
    expect(REGEX_INPUT_LIMIT).toBe(20_000);
    expect(gradeRegex(answer, 'needle').score).toBe(0);
    expect(gradeRegex(`needle${answer}`, 'needle').score).toBe(1);
  });
});

describe('failed key attempts per address', () => {
  test('past the limit in a minute the address waits; others do not; the window slides', () => {
    const clock = { now: 1_000_000 };
    const limiter = new FailedAuthLimiter(3, () => clock.now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.blockedFor('10.0.0.9')).toBeNull();
      limiter.fail('10.0.0.9');
      clock.now += 1000;
    }
    expect(limiter.blockedFor('10.0.0.9')).toBe(57);
    expect(limiter.blockedFor('10.0.0.10')).toBeNull();
    clock.now += 57_000;
    expect(limiter.blockedFor('10.0.0.9')).toBeNull();
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.9')).toBe(false);
  });
});

describe('routing tools', () => {
  test('context_length is not padded into the request (it goes to the router as a number)', () => {
    const request = routingRequest({ task: 'Summarise', expected_output_length: 200 }, 512);
    expect(request).toEqual({ messages: [{ role: 'user', text: 'Summarise' }], maxTokens: 200 });
    // The old tool padded a system prompt of ' x' × context_length and tokenized it.
    const old = routingRequest({ task: 'Summarise', context_length: 1_000_000 } as never, 512);
    expect(old.systemPrompt).toBeUndefined();
  });
});
