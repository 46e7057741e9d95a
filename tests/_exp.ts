import { createCore } from '../electron/core/app/create-core';
import { createLogger } from '../electron/core/app/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dataDir = mkdtempSync(join(tmpdir(), 'exp-'));
const core = await createCore({ dataDir, modelsDirs: [join(process.cwd(), '..', 'shared', 'models')], mode: 'serve', version: 't', logger: createLogger('info'), gpu: false });
console.log(await core.library.list());
for (const maxTokens of [100000, 100000, 100000]) {
  const model = core.runtime.languageModel((await core.library.list())[0]!);
  const t0 = performance.now(); let text = ''; let first = 0; let n = 0;
  for await (const p of model.stream({ messages: [{ role: 'user', text: 'Once upon a time' }], maxTokens }, { signal: new AbortController().signal })) {
    if (p.type === 'text-delta') { if (!first) first = performance.now() - t0; text += p.text; n++; }
    else console.log(p);
  }
  console.log({ ms: performance.now() - t0, first, n, len: text.length, text: text.slice(0, 300) });
}
await core.dispose();
