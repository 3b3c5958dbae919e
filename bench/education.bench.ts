/**
 * Education benchmark on PostgreSQL, each figure with a baseline measured in the same run:
 * - the school-year rollover of EDUCATION_BENCH_PUPILS pupils (default 20,000: 40 schools of 20 classes),
 *   each with a tablet assigned and a projector per class, against the bare SQL updates of the same pupils
 *   (levels and leavers, in a transaction rolled back);
 * - the import of EDUCATION_BENCH_ASSETS asset rows (default 50,000) by the CSV importer, against a plain
 *   COPY of the same rows into an unlogged table of text columns.
 * Usage: npm run bench:education   (EDUCATION_BENCH_PUPILS=2000 EDUCATION_BENCH_ASSETS=5000 for a quick run)
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/platform/config.js';
import { openPlatform } from '../src/platform/platform.js';
import { CLI_ACTOR } from '../src/modules/education/index.js';
import { createScratchDatabase } from '../test/support/databases.js';

const size = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 100) throw new Error(`${name} must be a whole number of at least 100`);
  return value;
};
const PUPILS = size('EDUCATION_BENCH_PUPILS', 20_000);
const ASSETS = size('EDUCATION_BENCH_ASSETS', 50_000);
const PER_CLASS = 25;
const CLASSES_PER_SCHOOL = 20;
const LEVELS = ['CP', 'CE1', 'CE2', 'CM1', 'CM2'];
const UAI_KEYS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const seconds = (start: number) => (performance.now() - start) / 1000;
/** Thrown to roll the baseline's transaction back. */
class Rollback extends Error {}

const scratch = await createScratchDatabase();
const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', DATABASE_URL: scratch.url, LOG_LEVEL: 'warn' }), { poolSize: 4 });
try {
  const db = platform.database.db;
  await db.insertInto('edu_school_years').values([
    { id: '2030-2031', start_date: '2030-09-01', end_date: '2031-07-05' },
    { id: '2031-2032', start_date: '2031-09-01', end_date: '2032-07-03' },
  ]).execute();

  // Schools, classes, pupils and their tablets, written straight into the tables (setup, not measured).
  const schools = Math.ceil(PUPILS / (PER_CLASS * CLASSES_PER_SCHOOL));
  const uais: string[] = [];
  const setup = performance.now();
  for (let s = 0; s < schools; s += 1) {
    const number = 920000 + s;
    const uai = `0${number}${UAI_KEYS[number % 23]}`;
    uais.push(uai);
    const id = randomUUID();
    await db.insertInto('sites').values({ id, kind: 'school', name: `École du banc ${s}`, uai, address: 'Clamart', longitude: 2.26, latitude: 48.8, commune_insee: '92023', member_id: 'com-92023' }).execute();
    await db.insertInto('edu_schools').values({ id, member_id: 'com-92023', uai, name: `École du banc ${s}` }).execute();
    const classes = Array.from({ length: CLASSES_PER_SCHOOL }, (_, c) => ({ id: randomUUID(), school_id: id, school_year: '2030-2031', name: `${LEVELS[c % 5]} ${String.fromCharCode(65 + Math.floor(c / 5))}`, levels: [LEVELS[c % 5]!], previous_class_id: null }));
    await db.insertInto('edu_classes').values(classes).execute();
    const pupils = classes.flatMap((c) => Array.from({ length: PER_CLASS }, (_, p) => ({ id: randomUUID(), school_id: id, school_ref: `${c.name}-${p}`, first_name: 'Élève', last_initial: 'B', level: c.levels[0]!, class_id: c.id, guardians: 2, left_at: null })));
    const assets = [...pupils, ...classes].map((holder, i) => ({ id: randomUUID(), member_id: 'com-92023', school_id: id, type: (i < pupils.length ? 'tablet' : 'interactive_projector') as 'tablet', serial: `B${s}-${i}`, label: 'Banc', supplier: null, order_ref: null, purchase_date: '2030-06-01', warranty_end: null, unit_price: '300.00', state: 'assigned' as const, room: null, delivery_key: null, holder }));
    for (let i = 0; i < pupils.length; i += 1000) await db.insertInto('edu_pupils').values(pupils.slice(i, i + 1000)).execute();
    for (let i = 0; i < assets.length; i += 1000) {
      const batch = assets.slice(i, i + 1000);
      await db.insertInto('edu_assets').values(batch.map(({ holder: _h, ...a }) => a)).execute();
      await db
        .insertInto('edu_assignments')
        .values(batch.map((a) => ({ id: randomUUID(), asset_id: a.id, school_id: id, holder_kind: a.type === 'tablet' ? ('pupil' as const) : ('class' as const), pupil_id: a.type === 'tablet' ? a.holder.id : null, staff_id: null, class_id: a.type === 'tablet' ? null : a.holder.id, room: null, loan: false, returned_at: null, end_reason: null })))
        .execute();
    }
  }
  const pupilCount = schools * CLASSES_PER_SCHOOL * PER_CLASS;
  await sql`analyze`.execute(db);
  console.log(`setup: ${schools} schools, ${pupilCount.toLocaleString('en')} pupils with a tablet each, ${(schools * CLASSES_PER_SCHOOL).toLocaleString('en')} classes with a projector (${seconds(setup).toFixed(1)} s)`);

  // Rollover baseline: the bare updates of the same pupils, rolled back.
  let start = performance.now();
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`update edu_pupils set left_at = '2031-07-05' where level = 'CM2' and left_at is null`.execute(trx);
      await sql`update edu_pupils set level = case level when 'CP' then 'CE1' when 'CE1' then 'CE2' when 'CE2' then 'CM1' when 'CM1' then 'CM2' else level end where left_at is null`.execute(trx);
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  const baseline = seconds(start);
  start = performance.now();
  const summaries = await platform.education.rollover.run(CLI_ACTOR, { toYear: '2031-2032' });
  const rollover = seconds(start);
  const left = summaries.reduce((n, s) => n + s.pupilsLeft, 0);
  const moved = summaries.reduce((n, s) => n + s.pupilsMovedUp, 0);
  console.log(`rollover baseline (bare SQL updates of the pupils, rolled back): ${baseline.toFixed(2)} s`);
  console.log(`rollover of ${pupilCount.toLocaleString('en')} pupils (${moved.toLocaleString('en')} moved up, ${left.toLocaleString('en')} left, tablets to collect, classes and checklists): ${rollover.toFixed(2)} s (target < 5 s) — ratio ${(rollover / baseline).toFixed(1)}× the baseline`);
  start = performance.now();
  await platform.education.rollover.run(CLI_ACTOR, { toYear: '2031-2032' });
  console.log(`second rollover (changes nothing): ${seconds(start).toFixed(2)} s`);

  // Asset import: the CSV importer against a plain COPY of the same rows.
  const header = 'UAI;Type;Numéro de série;Libellé;Fournisseur;Référence commande;Date d’achat;Fin de garantie;Prix unitaire HT;Salle\n';
  const lines = Array.from({ length: ASSETS }, (_, i) => `${uais[i % uais.length]};${i % 7 ? 'tablet' : 'pc'};IMP-${String(i).padStart(7, '0')};Tablette 10 pouces;Numérique Scolaire SA;BC-2031-${i % 50};2031-06-15;2034-06-30;329,00;`);
  const csv = Buffer.from(header + lines.join('\n') + '\n');
  const client = await platform.database.pool!.connect();
  try {
    await client.query(`create unlogged table asset_baseline (uai text, type text, serial text, label text, supplier text, order_ref text, purchased text, warranty text, price text, room text)`);
    start = performance.now();
    await pipeline(Readable.from([csv]), client.query(copyFrom(`copy asset_baseline from stdin with (format csv, delimiter ';', header true)`)));
  } finally {
    client.release();
  }
  const copySeconds = seconds(start);
  start = performance.now();
  const result = await platform.education.assets.importCsv(CLI_ACTOR, csv);
  const importSeconds = seconds(start);
  if (result.created !== ASSETS) throw new Error(`import created ${result.created} of ${ASSETS} rows: ${JSON.stringify(result.rejects.slice(0, 3))}`);
  console.log(`asset import baseline (COPY of the same rows into an unlogged text table): ${copySeconds.toFixed(2)} s, ${Math.round(ASSETS / copySeconds).toLocaleString('en')} rows/s`);
  console.log(`asset import of ${ASSETS.toLocaleString('en')} rows (checks, duplicate serials, history, audit): ${importSeconds.toFixed(2)} s, ${Math.round(ASSETS / importSeconds).toLocaleString('en')} rows/s (target ≥ 20,000) — ratio ${(importSeconds / copySeconds).toFixed(1)}× the baseline's time`);
} finally {
  await platform.close();
  await scratch.drop();
}

