import fs from 'node:fs';
import path from 'node:path';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.service.js';
import { PROJECT_ROOT } from '../../platform/paths.js';
import type { DevicesService } from '../security/index.js';
import type { EvidenceService } from './evidence.service.js';

const SAMPLE = path.join(PROJECT_ROOT, 'src/modules/evidence/samples/demo-segment.mp4');
const QUARTER = 15 * 60_000;

/** The demo sites' prefectoral authorisations. */
const DEMO_AUTHORISATIONS: Record<string, { reference: string; issuedOn: string; expiresOn: string; retentionDays: number }> = {
  'Collège Jean Racine': { reference: 'AP-78-2024-0117', issuedOn: '2024-02-12', expiresOn: '2029-02-12', retentionDays: 30 },
  'Hôtel de ville de Versailles': { reference: 'AP-78-2025-0412', issuedOn: '2025-03-01', expiresOn: '2030-03-01', retentionDays: 15 },
  'Gymnase Montbauron': { reference: 'AP-78-2021-0093', issuedOn: '2021-06-20', expiresOn: '2026-06-20', retentionDays: 20 },
};

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A copy of the sample segment made unique by a trailing MP4 `free` box (which players skip), so that each
 * demo recording has a hash of its own as a real one would.
 */
function uniqueSegment(sample: Buffer, label: string): Buffer {
  const text = Buffer.from(label);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + text.length, 0);
  header.write('free', 4, 'latin1');
  return Buffer.concat([sample, header, text]);
}

/**
 * Demo recordings of the college's three outdoor cameras, one Frigate segment every quarter of an hour over the
 * last day, written under RECORDINGS_DIR and indexed; the demo sites' authorisations; and an open requisition of
 * the OPJ demo account whose segments are held. Idempotent: nothing is done when an authorisation exists.
 */
export async function loadEvidenceDemo(evidence: EvidenceService, devices: DevicesService, now = new Date()): Promise<number> {
  if ((await evidence.authorisations.list('all')).length) return 0;
  const cameras = await devices.cameras();
  for (const [siteName, authorisation] of Object.entries(DEMO_AUTHORISATIONS)) {
    const site = cameras.find((c) => c.siteName === siteName);
    if (site) await evidence.authorisations.save(SYSTEM_ACTOR, site.siteId, authorisation);
  }
  const recorded = cameras.filter((c) => ['DEMO-CAM-01', 'DEMO-CAM-02', 'DEMO-CAM-04'].includes(c.code));
  const sample = fs.readFileSync(SAMPLE);
  const last = Math.floor(now.getTime() / QUARTER) * QUARTER - QUARTER;
  for (const camera of recorded) {
    for (let t = last - 24 * 3_600_000; t <= last; t += QUARTER) {
      const at = new Date(t);
      const relative = `${at.toISOString().slice(0, 10)}/${pad(at.getUTCHours())}/${camera.frigateCamera}/${pad(at.getUTCMinutes())}.00.mp4`;
      const file = path.join(evidence.recordings.dir, relative);
      if (fs.existsSync(file)) continue;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, uniqueSegment(sample, `${camera.code} ${at.toISOString()}`));
    }
  }
  const report = await evidence.recordings.scan(0);
  const college = recorded[0];
  if (college) {
    const deadline = new Date(now.getTime() + 5 * 86_400_000).toISOString().slice(0, 10);
    await evidence.requisitions.create(SYSTEM_ACTOR, {
      number: 'PV-2026-004217',
      siteId: college.siteId,
      authority: 'Parquet de Versailles',
      officerName: 'Capitaine Leroy',
      officerService: 'Commissariat de Versailles — brigade de sûreté urbaine',
      officerEmail: 'opj@mutualis.demo',
      legalBasis: 'art. 60-1 du code de procédure pénale',
      cameraIds: recorded.filter((c) => c.code !== 'DEMO-CAM-04').map((c) => c.id),
      from: new Date(last - 20 * 3_600_000).toISOString(),
      to: new Date(last - 19 * 3_600_000).toISOString(),
      deadline,
    });
  }
  return report.indexed;
}
