/**
 * Text of a file's bytes: UTF-8 (a byte-order mark is dropped), or Latin-1
 * when the bytes are not valid UTF-8 (old Windows and European files).
 */
export function decodeText(bytes: Uint8Array): string {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return new TextDecoder('latin1').decode(body);
  }
}
