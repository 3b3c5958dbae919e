import { SYSTEM_ACTOR } from '../platform/audit/audit.service.js';
import type { Platform } from '../platform/platform.js';
import { SMO_MEMBER_ID } from '../modules/territory/index.js';
import { loadFibreDemo } from '../modules/fibre/index.js';
import { loadPurchasingDemo } from '../modules/purchasing/index.js';
import { loadEducationDemo } from '../modules/education/index.js';
import { loadChargingDemo } from '../modules/charging/index.js';
import { loadEvidenceDemo } from '../modules/evidence/index.js';
import { loadSecurityDemo } from '../modules/security/index.js';
import { DEMO_PASSWORD, DEMO_SITES, DEMO_USERS } from './demo-data.js';

export class DemoRefusedError extends Error {}

/** EPCIs whose communes all joined the SMO in the demo: the rural ones that the fibre and charging programmes serve. */
const ADHERENT_EPCIS = ['200073344', '247800550', '247800618', '200033173', '247800584'];
const ADHERENT_COMMUNES = ['92023', '92050', '92012', '92040'];

export interface SeedReport {
  users: number;
  sites: number;
  adhesions: number;
  fibreSnapshots: number;
  purchasingAgreements: number;
  educationPupils: number;
  chargingStations: number;
  securityDevices: number;
  evidenceRecordings: number;
}

/** Loads the demo data; running it again adds only what is missing. */
export async function seedDemo(platform: Platform): Promise<SeedReport> {
  if (platform.config.nodeEnv === 'production') throw new DemoRefusedError('Demo data is refused when NODE_ENV=production.');
  const { db } = platform.database;
  const report: SeedReport = { users: 0, sites: 0, adhesions: 0, fibreSnapshots: 0, purchasingAgreements: 0, educationPupils: 0, chargingStations: 0, securityDevices: 0, evidenceRecordings: 0 };

  const pending = await db
    .selectFrom('members')
    .select(['id', 'kind', 'code'])
    .where('adhesion_status', '=', 'non_adherent')
    .where((eb) =>
      eb.or([
        eb('kind', 'in', ['departement', 'epci']).and('code', 'in', [...ADHERENT_EPCIS, '78', '92']),
        eb('kind', '=', 'commune').and(
          eb.or([
            eb('code', 'in', ADHERENT_COMMUNES),
            eb('code', 'in', eb.selectFrom('communes').select('insee').where('epci_siren', 'in', ADHERENT_EPCIS)),
          ]),
        ),
      ]),
    )
    .orderBy('id')
    .execute();
  for (const [i, member] of pending.entries()) {
    const date = member.kind === 'departement' ? '2016-06-01' : `${2017 + (i % 6)}-0${1 + (i % 9)}-01`;
    await platform.territory.updateAdhesion(SYSTEM_ACTOR, member.id, 'adherent', date);
    report.adhesions += 1;
  }

  for (const user of DEMO_USERS) {
    if (await platform.accounts.findByEmail(user.email)) continue;
    await platform.accounts.create(SYSTEM_ACTOR, { ...user, password: DEMO_PASSWORD });
    report.users += 1;
  }

  for (const site of DEMO_SITES) {
    const exists = await db.selectFrom('sites').select('id').where('member_id', '=', site.memberId).where('name', '=', site.name).executeTakeFirst();
    if (exists) continue;
    await platform.territory.createSite(SYSTEM_ACTOR, site);
    report.sites += 1;
  }

  report.fibreSnapshots = await loadFibreDemo(db, platform.fibre, platform.territory, SYSTEM_ACTOR);
  report.purchasingAgreements = await loadPurchasingDemo(db, platform.purchasing);
  report.educationPupils = await loadEducationDemo(db, platform.education, platform.territory);
  report.chargingStations = (await loadChargingDemo(db, platform.charging.service, platform.territory, SYSTEM_ACTOR)).stations;
  const operator = (await platform.accounts.findByEmail('operateur@mutualis.demo'))!;
  report.securityDevices = await loadSecurityDemo({
    db,
    security: platform.security,
    territory: platform.territory,
    operatorUserId: operator.id,
    operator: () => platform.accounts.actorFor(operator),
  });
  report.evidenceRecordings = await loadEvidenceDemo(platform.evidence, platform.security.devices);
  return report;
}

/** Creates the bootstrap administrator from MUTUALIS_ADMIN_EMAIL / MUTUALIS_ADMIN_PASSWORD when it does not exist. */
export async function ensureBootstrapAdmin(platform: Platform): Promise<boolean> {
  const { adminEmail, adminPassword } = platform.config;
  if (!adminEmail || !adminPassword) return false;
  if (await platform.accounts.findByEmail(adminEmail)) return false;
  await platform.accounts.create(SYSTEM_ACTOR, { email: adminEmail, displayName: 'Administrateur', password: adminPassword, role: 'smo_admin', memberId: SMO_MEMBER_ID });
  return true;
}
