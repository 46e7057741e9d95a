import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { DocumentParseError, type ParsedDocument } from '../types';
import { parseHtml } from './html-parser';
import { buildDocument, type SectionDraft } from './sections';

// HTML-only mail is turned into text by parseHtml (mailparser's own conversion shouts headings in capitals).
const PARSER_OPTIONS = { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true } as const;
/** Headers of which an email has at least one; a file with none is not an email. */
const EMAIL_HEADERS = ['from', 'to', 'subject', 'date', 'message-id'];

/**
 * An email (.eml) or a mailbox (.mbox) as one section per message: the
 * subject, sender, recipients and date, then the body (the plain-text part,
 * else the HTML part as text); attachments are not read. Cited as
 * "Email: SUBJECT — SENDER, DATE". A file that is not mail is PARSE_FAILED.
 */
export async function parseEmail(bytes: Buffer, fileName: string): Promise<ParsedDocument> {
  const drafts: SectionDraft[] = [];
  if (/\.mbox$/i.test(fileName)) {
    const messages = splitMbox(bytes);
    if (messages === null) throw new DocumentParseError('PARSE_FAILED', 'The file is not an mbox mailbox: it does not start with a "From " line');
    for (const message of messages) {
      const mail = await simpleParser(message, PARSER_OPTIONS).catch(() => null);
      if (mail && isEmail(mail)) drafts.push(messageSection(mail));
    }
  } else {
    let mail: ParsedMail;
    try {
      mail = await simpleParser(bytes, PARSER_OPTIONS);
    } catch (error) {
      throw new DocumentParseError('PARSE_FAILED', `The email could not be read (${(error as Error)?.message?.slice(0, 160) ?? 'unknown error'})`);
    }
    if (!isEmail(mail)) throw new DocumentParseError('PARSE_FAILED', 'The file is not an email message: it has no From, To, Subject or Date header');
    drafts.push(messageSection(mail));
  }
  return buildDocument('email', drafts);
}

/**
 * The messages of an mbox: split at envelope lines ("From sender Tue Mar  5 09:15:00 2024": a
 * time in it) that start the file or follow a blank line, so a body line "From the top." is
 * not a split even where a writer did not escape it; ">From " is unescaped.
 */
export function splitMbox(bytes: Buffer): Buffer[] | null {
  const text = bytes.toString('latin1'); // byte-preserving: each message is decoded by its own charset
  if (!text.startsWith('From ')) return null;
  const starts: number[] = [0];
  const separator = /\n\r?\n(?=From \S+ [^\n]*\d{1,2}:\d{2})/g;
  let match: RegExpExecArray | null;
  while ((match = separator.exec(text)) !== null) starts.push(match.index + match[0].length);
  return starts.map((start, i) => {
    const end = i + 1 < starts.length ? (starts[i + 1] ?? text.length) : text.length;
    const message = text.slice(start, end);
    const body = message.slice(message.indexOf('\n') + 1).replace(/^>(>*From )/gm, '$1');
    return Buffer.from(body, 'latin1');
  });
}

function isEmail(mail: ParsedMail): boolean {
  return EMAIL_HEADERS.some((name) => mail.headers.has(name));
}

function messageSection(mail: ParsedMail): SectionDraft {
  const subject = mail.subject?.trim() || '(no subject)';
  const sender = firstName(mail.from);
  const date = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString().slice(0, 16).replace('T', ' ') : '';
  const head = [`Subject: ${subject}`];
  if (mail.from?.text) head.push(`From: ${mail.from.text}`);
  const to = addressText(mail.to);
  if (to) head.push(`To: ${to}`);
  if (date) head.push(`Date: ${date}`);
  let body = mail.text?.trim() ?? '';
  if (!body && typeof mail.html === 'string') body = parseHtml(mail.html).sections.map((s) => s.text).join('\n\n');
  const who = [sender, date].filter(Boolean).join(', ');
  return { page: null, headingPath: [subject], text: `${head.join('\n')}\n\n${body}`, location: `Email: ${subject}${who ? ` — ${who}` : ''}` };
}

function firstName(from: AddressObject | undefined): string {
  const first = from?.value[0];
  return first?.name || first?.address || '';
}

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((v) => v.text).join(', ');
}
