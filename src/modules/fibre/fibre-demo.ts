import { Readable } from 'node:stream';
import type { AuditActor } from '../../platform/audit/audit.service.js';
import type { Db } from '../../platform/db/database.js';
import type { TerritoryService } from '../territory/index.js';
import type { FibreService } from './fibre.service.js';
import { ipeLines, type RolloutPlan } from './ipe-generator.js';

export const DEMO_OPERATOR = 'THD78';
/** Quarterly snapshots over two years. */
export const DEMO_DATES = ['2024-09-30', '2024-12-31', '2025-03-31', '2025-06-30', '2025-09-30', '2025-12-31', '2026-03-31', '2026-06-30', '2026-09-30'];
/**
 * One demo row per this many inhabitants keeps seeding to a second (about 1,700 rows); each row then counts
 * for as many dwellings as that many inhabitants have (2.3 a household), so that the programme's totals are
 * of the real order (about 100,000 households) while the shares and their progress stay those of the sample.
 */
const INHABITANTS_PER_BUILDING = 150;
const DWELLINGS_SCALE = Math.round(INHABITANTS_PER_BUILDING / 2.3 / 1.6);

/**
 * Loads the demo's IPE snapshots of the programme's communes through the real importer; a date already
 * loaded is skipped, so that seeding again adds nothing.
 */
export async function loadFibreDemo(db: Db, fibre: FibreService, territory: TerritoryService, actor: AuditActor): Promise<number> {
  const done = new Set((await db.selectFrom('fibre_imports').select('snapshot_date').where('operator_code', '=', DEMO_OPERATOR).where('status', '=', 'accepted').execute()).map((r) => r.snapshot_date));
  const pending = DEMO_DATES.filter((d) => !done.has(d));
  if (!pending.length) return 0;
  const [catalogue, designated] = await Promise.all([territory.communeCatalogue(), db.selectFrom('fibre_programme_communes').select('insee').orderBy('insee').execute()]);
  const plan: RolloutPlan = {
    communes: designated.map(({ insee }) => {
      const { commune, geometry } = catalogue.byInsee.get(insee)!;
      return { insee, name: commune.name, postalCode: commune.postalCodes[0] ?? '', geometry, buildings: Math.max(3, Math.round((commune.population ?? 0) / INHABITANTS_PER_BUILDING)) };
    }),
    operator: DEMO_OPERATOR,
    start: '2024-03-01',
    end: '2027-03-01',
    seed: 78,
    projection: 'lambert93',
    dwellingsScale: DWELLINGS_SCALE,
  };
  for (const date of pending) {
    const source = Readable.from((function* () {
      for (const line of ipeLines(plan, date)) yield `${line}\n`;
    })());
    await fibre.importFile(actor, { operator: DEMO_OPERATOR, date, fileName: `demo-${DEMO_OPERATOR}-${date}.csv`, source });
  }
  return pending.length;
}
