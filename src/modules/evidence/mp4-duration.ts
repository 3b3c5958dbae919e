import fs from 'node:fs';

/**
 * The duration of an MP4 file from its movie header (moov/mvhd), read by seeking from box to box so that a
 * segment is never loaded whole. Frigate's and most NVRs' file names give a segment's start but not its end.
 */
export async function mp4DurationSeconds(file: string): Promise<number | null> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(16);
    const boxAt = async (offset: number, end: number) => {
      if (offset + 8 > end) return null;
      await handle.read(header, 0, 16, offset);
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      let headerSize = 8;
      if (boxSize === 1) {
        boxSize = Number(header.readBigUInt64BE(8));
        headerSize = 16;
      } else if (boxSize === 0) boxSize = end - offset;
      return boxSize < headerSize ? null : { type, boxSize, headerSize };
    };
    for (let offset = 0; ; ) {
      const box = await boxAt(offset, size);
      if (!box) return null;
      if (box.type === 'moov') {
        const end = offset + box.boxSize;
        for (let child = offset + box.headerSize; ; ) {
          const inner = await boxAt(child, end);
          if (!inner) return null;
          if (inner.type === 'mvhd') {
            const body = Buffer.alloc(32);
            await handle.read(body, 0, 32, child + inner.headerSize);
            const version = body.readUInt8(0);
            const timescale = version === 1 ? body.readUInt32BE(20) : body.readUInt32BE(12);
            const duration = version === 1 ? Number(body.readBigUInt64BE(24)) : body.readUInt32BE(16);
            return timescale > 0 ? duration / timescale : null;
          }
          child += inner.boxSize;
        }
      }
      offset += box.boxSize;
    }
  } finally {
    await handle.close();
  }
}
