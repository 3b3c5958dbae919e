import { createHash } from 'node:crypto';
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { FileRefused } from './building-file.js';

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'iso-8859-1';

/** What the decoder learnt of the file, complete once the stream has been read to its end. */
export interface FileFacts {
  encoding: FileEncoding;
  bytes: number;
  sha256: string;
}

/** Length of `buf` without a UTF-8 sequence cut by the end of the chunk. */
function completeLength(buf: Buffer): number {
  for (let i = buf.length - 1, back = 0; i >= 0 && back < 4; i--, back++) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need <= buf.length ? buf.length : i;
  }
  return buf.length;
}

const megabytes = (n: number) => `${Math.round(n / 1024 / 1024)} Mo`;

/**
 * Turns a file of unknown encoding into UTF-8 as it streams. A file is UTF-8 as long as its bytes are;
 * the first invalid sequence switches to ISO-8859-1 if everything before it was plain ASCII (the same in
 * both), and refuses the file otherwise, since a file mixing encodings cannot be read faithfully.
 * Latin-1 is decoded as Windows-1252, its superset that older French deliveries actually use (œ, ’, €).
 */
export async function* decodeToUtf8(source: AsyncIterable<Buffer | string>, facts: Partial<FileFacts>, maxBytes: number): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let bytes = 0;
  let mode: 'start' | 'utf-8' | 'latin-1' = 'start';
  let sawNonAscii = false;
  let carry: Buffer = Buffer.alloc(0);
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    hash.update(chunk);
    bytes += chunk.length;
    if (bytes > maxBytes) throw new FileRefused(`Fichier trop volumineux : plus de ${megabytes(maxBytes)}.`);
    if (chunk.includes(0)) throw new FileRefused('Encodage illisible : le fichier contient des octets nuls (fichier binaire, tableur ou UTF-16 ?). Enregistrez-le en CSV UTF-8 ou ISO-8859-1.');
    let data: Buffer = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    carry = Buffer.alloc(0);
    if (mode === 'start') {
      if (data.length < 3) {
        carry = data;
        continue;
      }
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
        facts.encoding = 'utf-8-bom';
        data = data.subarray(3);
      }
      mode = 'utf-8';
    }
    if (mode === 'utf-8') {
      const end = completeLength(data);
      const whole = data.subarray(0, end);
      if (isUtf8(whole)) {
        sawNonAscii ||= !isAscii(whole);
        carry = Buffer.from(data.subarray(end));
        if (whole.length) yield whole;
        continue;
      }
      if (sawNonAscii || facts.encoding === 'utf-8-bom') {
        throw new FileRefused('Encodage illisible : le fichier commence en UTF-8 puis contient des caractères d’un autre encodage. Enregistrez-le entièrement en UTF-8.');
      }
      mode = 'latin-1';
    }
    yield Buffer.from(iconv.decode(data, 'win1252'), 'utf8');
  }
  if (carry.length) {
    if (mode !== 'latin-1' && isUtf8(carry)) {
      yield carry;
    } else if (sawNonAscii || facts.encoding === 'utf-8-bom') {
      throw new FileRefused('Encodage illisible : le fichier se termine par une séquence UTF-8 incomplète.');
    } else {
      mode = 'latin-1';
      yield Buffer.from(iconv.decode(carry, 'win1252'), 'utf8');
    }
  }
  facts.encoding ??= mode === 'latin-1' ? 'iso-8859-1' : 'utf-8';
  facts.bytes = bytes;
  facts.sha256 = hash.digest('hex');
}
