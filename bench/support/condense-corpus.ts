import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A question whose answer is one sentence of one file. */
export interface CorpusQuestion {
  question: string;
  /** The file name that holds the answer. */
  file: string;
  /** The sentence that answers it. */
  fact: string;
}

const TOPICS = [
  ['lighthouse', 'The Brandholm lighthouse was first lit in 1873.', 'When was the Brandholm lighthouse first lit?'],
  ['bakery', 'The Oakridge bakery bakes 340 loaves every morning.', 'How many loaves does the Oakridge bakery bake every morning?'],
  ['bridge', 'The Vellan bridge spans 212 metres across the river.', 'How long is the Vellan bridge?'],
  ['observatory', 'The Kestrel observatory sits at 2,450 metres above sea level.', 'At what altitude is the Kestrel observatory?'],
  ['library', 'The Marlow library lends out about 9,000 books a month.', 'How many books does the Marlow library lend each month?'],
  ['ferry', 'The Solvik ferry crossing takes 47 minutes.', 'How long does the Solvik ferry crossing take?'],
  ['orchard', 'The Penhallow orchard grows eleven kinds of apple.', 'How many kinds of apple does the Penhallow orchard grow?'],
  ['railway', 'The Dunmere railway line opened in 1902.', 'When did the Dunmere railway line open?'],
] as const;

const FILLER = [
  'Visitors often arrive early in the day to avoid the crowds that gather later.',
  'Local volunteers keep a small museum with photographs from the last century.',
  'The surrounding paths are well signposted and suitable for families.',
  'A café near the entrance serves soup, bread and hot drinks all year.',
  'Guided tours run on weekends between April and October.',
  'The town council publishes a yearly report on maintenance and costs.',
  'Parking is limited, so most people come by bus or bicycle.',
  'Several festivals take place nearby during the summer months.',
];

/**
 * Writes one Markdown file per topic: a few paragraphs of filler around one
 * fact, so retrieval brings back whole chunks of which one sentence matters.
 */
export async function condenseCorpus(dir: string): Promise<CorpusQuestion[]> {
  await mkdir(dir, { recursive: true });
  const questions: CorpusQuestion[] = [];
  for (const [index, [topic, fact, question]] of TOPICS.entries()) {
    const filler = (offset: number) => Array.from({ length: 4 }, (_, i) => FILLER[(index + offset + i) % FILLER.length]).join(' ');
    const text = `# The ${topic}\n\n${filler(0)}\n\n${filler(2)} ${fact} ${filler(5)}\n\n${filler(3)}\n`;
    const file = `${topic}.md`;
    await writeFile(join(dir, file), text);
    questions.push({ question, file, fact });
  }
  return questions;
}
