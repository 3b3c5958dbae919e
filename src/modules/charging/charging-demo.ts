import { randomUUID } from 'node:crypto';
import type { AuditActor } from '../../platform/audit/audit.service.js';
import type { Db } from '../../platform/db/database.js';
import type { SiteInput, TerritoryService } from '../territory/index.js';
import { sessionCost, type ChargingService } from './charging.service.js';

/** Basic-auth password of the demo stations DEMO-CS-01 to DEMO-CS-07 (demo data only). */
export const DEMO_OCPP_PASSWORD = 'demo-ocpp-secret';

/** Car parks of three more small Yvelines communes, beside the four the platform's demo already has. */
const EXTRA_SITES: SiteInput[] = [
  { kind: 'car_park', name: 'Parking de la place du Marché', address: 'Place du Marché, 78790 Septeuil', longitude: 1.6806, latitude: 48.8925, memberId: 'com-78591' },
  { kind: 'car_park', name: 'Parking de la salle des fêtes', address: 'Rue de la Mairie, 78125 Saint-Hilarion', longitude: 1.7377, latitude: 48.6237, memberId: 'com-78557' },
  { kind: 'car_park', name: 'Parking de la mairie', address: 'Place de la Mairie, 78830 Bullion', longitude: 1.9895, latitude: 48.6484, memberId: 'com-78120' },
];

/** The seven demo stations, by the commune (member) of their car park. */
const STATION_MEMBERS = ['com-78517', 'com-78310', 'com-78420', 'com-78160', 'com-78591', 'com-78557', 'com-78120'];
const STATION_NAMES = ['Rambouillet – Gare', 'Houdan – Place des Halles', 'Montfort-l’Amaury – Le Mail', 'Chevreuse – Mairie', 'Septeuil – Place du Marché', 'Saint-Hilarion – Salle des fêtes', 'Bullion – Mairie'];
const COMMISSIONING = ['2024-03-12', '2024-05-21', '2024-06-18', '2024-09-03', '2025-01-14', '2025-04-08', '2025-06-24'];

export const DEMO_TAGS = [...Array.from({ length: 10 }, (_, i) => `DEMO-TAG-${String(i + 1).padStart(3, '0')}`)];

/** Loads the demo stations, badges and a past of sessions and states; adds only what is missing. */
export async function loadChargingDemo(db: Db, charging: ChargingService, territory: TerritoryService, actor: AuditActor): Promise<{ stations: number; badges: number; sessions: number }> {
  const report = { stations: 0, badges: 0, sessions: 0 };
  for (const site of EXTRA_SITES) {
    const exists = await db.selectFrom('sites').select('id').where('member_id', '=', site.memberId).where('name', '=', site.name).executeTakeFirst();
    if (!exists) await territory.createSite(actor, site);
  }

  for (const [i, idTag] of [...DEMO_TAGS, 'DEMO-TAG-BLOCKED', 'DEMO-TAG-EXPIRED'].entries()) {
    if (await db.selectFrom('charging_badges').select('id_tag').where('id_tag', '=', idTag).executeTakeFirst()) continue;
    const status = idTag.endsWith('BLOCKED') ? 'Blocked' : idTag.endsWith('EXPIRED') ? 'Expired' : 'Accepted';
    await charging.createBadge(actor, {
      idTag,
      label: status === 'Accepted' ? `Badge agent n° ${i + 1}` : `Badge ${status === 'Blocked' ? 'bloqué (perdu)' : 'expiré'}`,
      status,
      ownerMemberId: STATION_MEMBERS[i % STATION_MEMBERS.length]!,
      expiresAt: status === 'Expired' ? '2025-12-31T23:00:00Z' : null,
    });
    report.badges += 1;
  }

  for (const [i, memberId] of STATION_MEMBERS.entries()) {
    const identity = `DEMO-CS-${String(i + 1).padStart(2, '0')}`;
    if (await charging.findStationByIdentity(identity)) continue;
    const site = await db.selectFrom('sites').select('id').where('member_id', '=', memberId).where('kind', '=', 'car_park').orderBy('created_at').executeTakeFirstOrThrow();
    const station = await charging.createStation(actor, {
      name: STATION_NAMES[i]!,
      siteId: site.id,
      ocppIdentity: identity,
      password: DEMO_OCPP_PASSWORD,
      commissioningDate: COMMISSIONING[i],
      gridConnection: 'Direct',
      pdl: `3000${String(78_000_000_00 + i * 1_111).padStart(10, '0')}`,
      tariff: { perKwh: 0.35, perMinute: i % 2 === 0 ? 0 : 0.02, fixedFee: 0.5 },
      openingHours: i === 3 ? 'Mo-Su 07:00-22:00' : '24/7',
    });
    report.stations += 1;
    report.sessions += await pastOf(db, station.id, memberId, station.tariff, i);
  }
  return report;
}

/** Forty days of history for one station: connections, statuses, sessions and a fault, so that the indicators show something. */
async function pastOf(db: Db, stationId: string, memberId: string, tariff: { perKwh: number; perMinute: number; fixedFee: number }, n: number): Promise<number> {
  const day = 86_400_000;
  const start = Date.now() - 40 * day;
  await db.insertInto('charging_station_events').values([{ station_id: stationId, kind: 'connected', detail: '{}', at: new Date(start) }]).execute();
  await db
    .insertInto('charging_status_history')
    .values([0, 1, 2].map((c) => ({ station_id: stationId, connector_id: c, status: 'Available', error_code: 'NoError', info: null, at: new Date(start) })))
    .execute();
  // One fault of a few hours on connector 2, and an outage of the link on some stations.
  const fault = start + (12 + n) * day;
  await db
    .insertInto('charging_status_history')
    .values([
      { station_id: stationId, connector_id: 2, status: 'Faulted', error_code: 'GroundFailure', info: null, at: new Date(fault) },
      { station_id: stationId, connector_id: 2, status: 'Available', error_code: 'NoError', info: null, at: new Date(fault + (3 + n) * 3_600_000) },
    ])
    .execute();
  if (n % 3 === 0) {
    const outage = start + 25 * day;
    await db
      .insertInto('charging_station_events')
      .values([
        { station_id: stationId, kind: 'disconnected', detail: '{}', at: new Date(outage) },
        { station_id: stationId, kind: 'connected', detail: '{}', at: new Date(outage + 5 * 3_600_000) },
      ])
      .execute();
  }
  // The demo's stations are not connected until the simulator runs: their last known link ends now.
  await db.insertInto('charging_station_events').values([{ station_id: stationId, kind: 'disconnected', detail: '{}', at: new Date() }]).execute();

  let meter = 1_000_000 + n * 250_000;
  const sessions = [];
  for (let d = 1; d < 40; d += 3 + (n % 2)) {
    const startedAt = new Date(start + d * day + (8 + ((d * 7 + n) % 10)) * 3_600_000);
    const minutes = 35 + ((d * 13 + n * 7) % 150);
    const energy = Math.round(minutes * (7_000 + ((d + n) % 4) * 2_500) / 60);
    const stoppedAt = new Date(startedAt.getTime() + minutes * 60_000);
    sessions.push({
      id: randomUUID(),
      station_id: stationId,
      connector_id: 1 + (d % 2),
      member_id: memberId,
      id_tag: DEMO_TAGS[(d + n) % DEMO_TAGS.length]!,
      auth_status: 'Accepted',
      reservation_id: null,
      meter_start: meter,
      started_at: startedAt,
      meter_stop: meter + energy,
      stopped_at: stoppedAt,
      stop_reason: d % 5 === 0 ? 'Remote' : 'EVDisconnected',
      energy_wh: energy,
      cost: sessionCost(tariff, energy, minutes),
    });
    meter += energy;
  }
  await db.insertInto('charging_sessions').values(sessions).execute();
  return sessions.length;
}
