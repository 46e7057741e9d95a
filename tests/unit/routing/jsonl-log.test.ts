import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonlLog } from '../../../electron/core/routing/jsonl-log';
import { TempDirs } from '../../support/temp-dir';

const temps = new TempDirs();
afterAll(() => temps.removeAll());
const Schema = z.object({ n: z.number() });

describe('append-only JSONL logs (outcomes, decisions, spend)', () => {
  it('replays valid lines in order and reports each damaged one by number, never failing', async () => {
    const path = join(await temps.make(), 'log.jsonl');
    await writeFile(path, '{"n":1}\nnot json\n{"n":"two"}\n\n{"n":3}\n');
    const { records, problems } = await new JsonlLog(path, Schema).replay();
    expect(records).toEqual([{ n: 1 }, { n: 3 }]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/log\.jsonl:2: not JSON; line skipped/);
    expect(problems[1]).toMatch(/log\.jsonl:3: n: .*line skipped/);
  });

  it('a torn last line (a write cut short) does not swallow the next record', async () => {
    const path = join(await temps.make(), 'log.jsonl');
    await writeFile(path, '{"n":1}\n{"n":2');
    const log = new JsonlLog(path, Schema);
    const first = await log.replay();
    expect(first.records).toEqual([{ n: 1 }]);
    log.append({ n: 3 });
    await log.flush();
    const again = await new JsonlLog(path, Schema).replay();
    expect(again.records).toEqual([{ n: 1 }, { n: 3 }]);
    expect(again.problems).toHaveLength(1);
  });

  it('a missing file is an empty log; appends create it; a tail replay reads only the end', async () => {
    const path = join(await temps.make(), 'nested', 'log.jsonl');
    const log = new JsonlLog(path, Schema);
    expect(await log.replay()).toEqual({ records: [], problems: [] });
    for (let n = 0; n < 1000; n++) log.append({ n });
    await log.flush();
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(1001);
    const tail = await log.replay({ tailBytes: 100 });
    expect(tail.problems).toEqual([]);
    expect(tail.records.length).toBeGreaterThan(5);
    expect(tail.records.length).toBeLessThan(15);
    expect(tail.records.at(-1)).toEqual({ n: 999 });
    await appendFile(path, 'garbage\n');
    expect((await log.replay({ tailBytes: 100 })).problems[0]).toMatch(/tail line \d+: not JSON/);
  });
});
