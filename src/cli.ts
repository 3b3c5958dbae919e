import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './platform/config.js';
import { openPlatform, type Platform } from './platform/platform.js';
import { verifyAuditChain } from './platform/audit/audit.service.js';
import { ROLES, type Role } from './platform/auth/policy.js';
import { AppError } from './platform/http/errors.js';
import { SYSTEM_ACTOR } from './platform/audit/audit.service.js';
import { DemoRefusedError, seedDemo } from './demo/seed.js';
import { CLI_ACTOR, ONDE_FILE_NAMES } from './modules/education/index.js';
import { DEMO_OCPP_PASSWORD, runSimulation } from './modules/charging/index.js';
import { simulate } from './modules/security/index.js';
import { verifyCommand } from './modules/evidence/verify-command.js';

const USAGE = `Usage: npm run mutualis -- <command> [options]

Commands:
  migrate                         apply pending database migrations
  seed-demo                       load the demo data (refused when NODE_ENV=production)
  user create --email E --name N --role R --member M [--password P]
                                  create an account (password from --password or MUTUALIS_USER_PASSWORD)
  token create --email E --name N [--days D]
                                  create an API token for an account; prints it once
  audit verify                    check the audit trail's hash chain; exit 1 on the first bad record
  security simulate [--url URL] [--rate N] [--duration S]
                                  publish realistic Frigate and access-control events for the demo devices to the
                                  broker (default: MQTT_URL, else the embedded broker on MQTT_PORT); N incidents a
                                  second (default 2) for S seconds (default 30)
  evidence verify PACKAGE [--public-key FILE]
                                  check an evidence package (its folder or .tar archive): the Ed25519 signature of
                                  the manifest, every file against the manifest and SHA256SUMS, no file added; names
                                  each file that fails; exit 1 when the package is not intact. The reference key is
                                  FILE (the PEM published at /api/evidence/public-key.pem), else this platform's own
  fibre import FILE --operator CODE --date YYYY-MM-DD
                                  import an operator's IPE or ARCEP building file as its snapshot for that date;
                                  prints the summary and the rejected lines; exit 1 when the file is refused
  education import-onde DIR --year YYYY-YYYY
                                  import ONDE extractions: DIR holds one folder per school named by its UAI (or is
                                  one), each with eleves.csv and optionally enseignants.csv, responsables.csv
  education import-assets FILE    import an asset CSV into schools (UAI column) or members' stock (Membre column)
  education purge                 delete the pupils who left more than EDUCATION_PUPIL_RETENTION_MONTHS ago
  charging simulate [--url ws://HOST:PORT] [--stations N|ID,ID…] [--password P] [--duration S]
                    [--session S] [--interval S] [--tags TAG,TAG…] [--ca FILE]
                                  connect simulated OCPP 1.6J stations to a running server (default: the demo's
                                  DEMO-CS-01… with their demo password, badges DEMO-TAG-001…010, 60 s); they boot,
                                  charge with meter values and answer commands; exit 1 if none was accepted

Roles: ${ROLES.join(', ')}
The database is chosen as for the server: DATABASE_URL, else the embedded one under DATA_DIR.`;

class UsageError extends Error {}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing --${name}`);
  return value;
}

async function run(platform: Platform, command: string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  // "fibre import" and the education imports end with an argument (the file or folder).
  const withFile = command.length === 3 && ['fibre import', 'education import-onde', 'education import-assets'].includes(`${command[0]} ${command[1]}`);
  switch (withFile ? `${command[0]} ${command[1]}` : command.join(' ')) {
    case 'migrate':
      console.log(platform.applied.length ? `applied: ${platform.applied.join(', ')}` : 'database is up to date');
      return 0;
    case 'seed-demo': {
      const report = await seedDemo(platform);
      console.log(`demo data: ${report.users} users, ${report.sites} sites, ${report.adhesions} adhesions, ${report.fibreSnapshots} fibre snapshots, ${report.purchasingAgreements} purchasing agreements, ${report.educationPupils} pupils, ${report.chargingStations} charging stations, ${report.securityDevices} security devices, ${report.evidenceRecordings} demo recordings added`);
      return 0;
    }
    case 'user create': {
      const role = required(values, 'role');
      if (!ROLES.includes(role as Role)) throw new UsageError(`unknown role "${role}" (one of ${ROLES.join(', ')})`);
      const password = typeof values.password === 'string' ? values.password : process.env.MUTUALIS_USER_PASSWORD;
      if (!password) throw new UsageError('missing --password (or MUTUALIS_USER_PASSWORD)');
      const user = await platform.accounts.create(SYSTEM_ACTOR, {
        email: required(values, 'email'),
        displayName: required(values, 'name'),
        role: role as Role,
        memberId: required(values, 'member'),
        password,
      });
      console.log(`created ${user.email} (${user.role}, member ${user.member_id}) id=${user.id}`);
      return 0;
    }
    case 'token create': {
      const email = required(values, 'email');
      const user = await platform.accounts.findByEmail(email);
      if (!user) throw new UsageError(`no account for ${email}`);
      const days = typeof values.days === 'string' ? Number(values.days) : undefined;
      if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new UsageError('--days must be a positive whole number');
      const { token } = await platform.accounts.createToken(SYSTEM_ACTOR, user, required(values, 'name'), days ? new Date(Date.now() + days * 86_400_000) : null);
      console.log(token);
      return 0;
    }
    case 'audit verify': {
      const result = await verifyAuditChain(platform.database.db);
      if (result.ok) {
        console.log(`audit trail intact: ${result.checked} records checked`);
        return 0;
      }
      console.error(`audit trail BROKEN at record ${result.firstBad!.seq}: ${result.firstBad!.reason} (${result.checked} records before it are intact)`);
      return 1;
    }
    case 'fibre import': {
      if (!withFile) throw new UsageError('missing the file to import');
      const file = command[2]!;
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
      const result = await platform.fibre.importFile(SYSTEM_ACTOR, {
        operator: required(values, 'operator'),
        date: required(values, 'date'),
        fileName: path.basename(file),
        source: fs.createReadStream(file),
      });
      const i = result.import;
      if (result.outcome === 'refused') {
        console.error(`refused: ${i.refusal}\nnothing was imported (import ${i.id})`);
        return 1;
      }
      if (result.outcome === 'unchanged') {
        console.log(`unchanged: this file is already the ${i.operator} snapshot of ${i.snapshotDate} (import ${i.id})`);
        return 0;
      }
      console.log(`imported ${i.fileName} as the ${i.operator} snapshot of ${i.snapshotDate} (${i.format}, ${i.encoding}): ${i.lines} lines, ${i.accepted} buildings (${i.dwellings} dwellings), ${i.rejected} rejected`);
      for (const r of result.rejects) console.log(`  line ${r.line}: ${r.reason}`);
      if (i.rejected > result.rejects.length) console.log(`  … ${i.rejected - result.rejects.length} more: GET /api/fibre/imports/${i.id}/rejects`);
      console.log(`import ${i.id}`);
      return 0;
    }
    case 'education import-onde': {
      if (!withFile) throw new UsageError('missing the folder to import');
      const dir = command[2]!;
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`no such folder: ${dir}`);
      const year = required(values, 'year');
      const folders = /^\d{7}[A-Z]$/i.test(path.basename(dir)) ? [dir] : fs.readdirSync(dir).filter((f) => /^\d{7}[A-Z]$/i.test(f)).map((f) => path.join(dir, f));
      if (!folders.length) throw new UsageError(`${dir} holds no school folder named by its UAI (e.g. 0921234S)`);
      let failed = 0;
      for (const folder of folders) {
        const read = (name: string) => (fs.existsSync(path.join(folder, name)) ? fs.readFileSync(path.join(folder, name)) : undefined);
        const pupils = read(ONDE_FILE_NAMES.pupils);
        const uai = path.basename(folder).toUpperCase();
        try {
          if (!pupils) throw new UsageError(`${folder} has no ${ONDE_FILE_NAMES.pupils}`);
          const r = await platform.education.importOnde(CLI_ACTOR, { uai, schoolYear: year, files: { pupils, teachers: read(ONDE_FILE_NAMES.teachers), guardians: read(ONDE_FILE_NAMES.guardians) } });
          console.log(`${uai}: ${r.lines} lines, pupils ${r.pupils.created} created ${r.pupils.updated} updated, staff ${r.staff.created} created ${r.staff.updated} updated, ${r.classes.created} classes created, ${r.rejects.length} rejected`);
          for (const j of r.rejects) console.log(`  ${j.file} line ${j.line}: ${j.reason}`);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          failed += 1;
          console.error(`${uai}: refused: ${error.message}`);
        }
      }
      return failed ? 1 : 0;
    }
    case 'education import-assets': {
      if (!withFile) throw new UsageError('missing the file to import');
      const file = command[2]!;
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
      const r = await platform.education.assets.importCsv(CLI_ACTOR, fs.readFileSync(file));
      console.log(`imported ${path.basename(file)} (${r.encoding}): ${r.lines} lines, ${r.created} assets created, ${r.rejects.length} rejected`);
      for (const j of r.rejects) console.log(`  line ${j.line}: ${j.reason}`);
      return 0;
    }
    case 'education purge': {
      const r = await platform.education.purgeLeftPupils();
      console.log(`purged ${r.purged} pupils who left before ${r.before} (retention ${platform.config.educationRetentionMonths} months)`);
      return 0;
    }
    default:
      throw new UsageError(command.length ? `unknown command "${command.join(' ')}"` : 'no command');
  }
}

function seconds(values: Record<string, string | boolean | undefined>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a number of seconds above 0`);
  return n;
}

/** `charging simulate` talks to a running server over OCPP: it opens no database of its own. */
async function simulateStations(values: Record<string, string | boolean | undefined>): Promise<number> {
  const config = loadConfig();
  const url = typeof values.url === 'string' ? values.url : `${config.tls ? 'wss' : 'ws'}://${config.host}:${config.port}`;
  if (!/^wss?:\/\/[^/]+$/.test(url)) throw new UsageError(`--url must look like ws://HOST:PORT or wss://HOST:PORT, not "${url}"`);
  const spec = typeof values.stations === 'string' ? values.stations : '7';
  const identities = /^\d+$/.test(spec) ? Array.from({ length: Number(spec) }, (_, i) => `DEMO-CS-${String(i + 1).padStart(2, '0')}`) : spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (!identities.length) throw new UsageError('--stations must be a number or a list of OCPP identities');
  const password = typeof values.password === 'string' ? values.password : DEMO_OCPP_PASSWORD;
  const idTags = typeof values.tags === 'string' ? values.tags.split(',').map((s) => s.trim()) : Array.from({ length: 10 }, (_, i) => `DEMO-TAG-${String(i + 1).padStart(3, '0')}`);
  const durationSeconds = seconds(values, 'duration', 60);
  console.log(`simulating ${identities.length} stations against ${url}/ocpp/… for ${durationSeconds} s`);
  const report = await runSimulation({
    url,
    stations: identities.map((identity) => ({ identity, password })),
    idTags,
    durationSeconds,
    sessionSeconds: seconds(values, 'session', Math.min(30, durationSeconds / 2)),
    meterIntervalSeconds: seconds(values, 'interval', 5),
    ...(typeof values.ca === 'string' && { ca: fs.readFileSync(values.ca) }),
    log: (line) => console.log(line),
  });
  console.log(`stations accepted: ${report.accepted}/${report.stations}, sessions: ${report.sessions}, refused badges: ${report.refused}`);
  return report.accepted > 0 ? 0 : 1;
}

/** Needs the broker only, not the database. */
async function simulateSecurityEvents(values: Record<string, string | boolean | undefined>): Promise<number> {
  try {
    const config = loadConfig();
    const number = (name: string, fallback: number, max: number) => {
      const raw = values[name];
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!(typeof raw === 'string' && n > 0 && n <= max)) throw new UsageError(`--${name} must be a number between 0 and ${max}`);
      return n;
    };
    const url = typeof values.url === 'string' ? values.url : (config.mqttUrl ?? `mqtt://127.0.0.1:${config.mqttPort}`);
    const rate = number('rate', 2, 10_000);
    const duration = number('duration', 30, 86_400);
    console.log(`publishing to ${url}: ${rate} incidents a second for ${duration} s (topics ${config.frigateTopicPrefix}/… and ${config.deviceTopicPrefix}/…)`);
    const { published } = await simulate({ url, rate, durationSec: duration, prefixes: { frigate: config.frigateTopicPrefix, devices: config.deviceTopicPrefix } });
    console.log(`published ${published} messages`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) console.error(`mutualis: ${error.message}\n\n${USAGE}`);
    else if (error instanceof ConfigError) console.error(`mutualis: ${error.message}`);
    else console.error(`mutualis: broker unreachable or refused: ${(error as Error).message}`);
    return 2;
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        member: { type: 'string' },
        password: { type: 'string' },
        days: { type: 'string' },
        operator: { type: 'string' },
        date: { type: 'string' },
        year: { type: 'string' },
        url: { type: 'string' },
        stations: { type: 'string' },
        duration: { type: 'string' },
        session: { type: 'string' },
        interval: { type: 'string' },
        tags: { type: 'string' },
        ca: { type: 'string' },
        rate: { type: 'string' },
        'public-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`mutualis: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    console.log(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  if (parsed.positionals.join(' ') === 'security simulate') return simulateSecurityEvents(parsed.values);
  if (parsed.positionals[0] === 'evidence' && parsed.positionals[1] === 'verify') {
    if (parsed.positionals.length !== 3) {
      console.error(`mutualis: evidence verify takes one package (folder or .tar)\n\n${USAGE}`);
      return 2;
    }
    const publicKey = parsed.values['public-key'];
    const { code, lines } = await verifyCommand(parsed.positionals[2]!, { publicKeyFile: typeof publicKey === 'string' ? publicKey : undefined, platformKeyFile: loadConfig().evidence.signingKeyFile });
    for (const line of lines) console.log(line);
    return code;
  }
  let platform: Platform | undefined;
  try {
    if (parsed.positionals.join(' ') === 'charging simulate') return await simulateStations(parsed.values);
    platform = await openPlatform(loadConfig());
    return await run(platform, parsed.positionals, parsed.values);
  } catch (error) {
    if (error instanceof UsageError) console.error(`mutualis: ${error.message}\n\n${USAGE}`);
    else if (error instanceof ConfigError || error instanceof DemoRefusedError) console.error(`mutualis: ${error.message}`);
    else if (error instanceof AppError) console.error(`mutualis: ${error.message}${error.details.length ? ` (${error.details.map((d) => `${d.field}: ${d.message}`).join('; ')})` : ''}`);
    else throw error;
    return 2;
  } finally {
    await platform?.close();
  }
}

process.exitCode = await main();
