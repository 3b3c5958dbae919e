import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Scope } from './charging.service.js';

const DAY = 86_400_000;

export interface AvailabilityShare {
  stationId: string;
  stationName: string;
  connectorId: number;
  idPdcItinerance: string;
  /** Shares of the period, from 0 to 1, adding up to 1. */
  usable: number;
  faulted: number;
  unavailable: number;
  offline: number;
  unknown: number;
}

type State = 'usable' | 'faulted' | 'unavailable' | 'offline' | 'unknown';

/** A charge point's state from its own status, its station's (connector 0) and the connection. */
function stateOf(online: boolean, station: string | null, point: string | null): State {
  if (!online) return 'offline';
  if (station === 'Faulted' || point === 'Faulted') return 'faulted';
  if (station === 'Unavailable' || point === 'Unavailable') return 'unavailable';
  return point === null ? 'unknown' : 'usable';
}

interface Change {
  at: number;
  apply: (s: { online: boolean; station: string | null; point: string | null }) => void;
}

/** Availability, faults and usage figures, computed from the status history, connection log and sessions. */
export class ChargingIndicators {
  constructor(private readonly db: Db) {}

  async compute(scope: Scope, period: { from?: string | undefined; to?: string | undefined }) {
    const to = period.to ? new Date(`${period.to}T00:00:00Z`).getTime() + DAY : Date.now();
    const from = period.from ? new Date(`${period.from}T00:00:00Z`).getTime() : to - 30 * DAY;
    let stations = this.db.selectFrom('charging_stations as s').innerJoin('charging_points as p', 'p.station_id', 's.id').select(['s.id', 's.name', 's.member_id', 'p.connector_id', 'p.id_pdc_itinerance']).where('s.registration', '=', 'accepted');
    if (scope !== 'all') stations = stations.where('s.member_id', 'in', scope.length ? scope : ['']);
    const points = await stations.orderBy('s.name').orderBy('p.connector_id').execute();
    const ids = [...new Set(points.map((p) => p.id))];
    if (!ids.length) return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), availability: [], faults: [], monthly: [] };

    const [history, connections, monthly] = await Promise.all([
      this.db.selectFrom('charging_status_history').select(['station_id', 'connector_id', 'status', 'at']).where('station_id', 'in', ids).where('at', '<', new Date(to)).orderBy('at').orderBy('id').execute(),
      this.db.selectFrom('charging_station_events').select(['station_id', 'kind', 'at']).where('station_id', 'in', ids).where('kind', 'in', ['connected', 'disconnected']).where('at', '<', new Date(to)).orderBy('at').orderBy('id').execute(),
      this.db
        .selectFrom('charging_sessions as x')
        .innerJoin('charging_stations as s', 's.id', 'x.station_id')
        .leftJoin('communes as c', 'c.insee', 's.commune_insee')
        .select((eb) => [
          's.commune_insee',
          'c.name as commune_name',
          sql<string>`to_char(x.started_at at time zone 'UTC', 'YYYY-MM')`.as('month'),
          eb.fn.countAll<number>().as('sessions'),
          sql<number>`coalesce(sum(x.energy_wh), 0)`.as('energy_wh'),
        ])
        .where('x.station_id', 'in', ids)
        .where('x.started_at', '>=', new Date(from))
        .where('x.started_at', '<', new Date(to))
        .groupBy(['s.commune_insee', 'c.name', sql`to_char(x.started_at at time zone 'UTC', 'YYYY-MM')`])
        .orderBy('month')
        .orderBy('c.name')
        .execute(),
    ]);

    const availability: AvailabilityShare[] = points.map((p) => {
      const changes: Change[] = [
        ...connections.filter((c) => c.station_id === p.id).map((c) => ({ at: c.at.getTime(), apply: (s: { online: boolean }) => void (s.online = c.kind === 'connected') })),
        ...history
          .filter((h) => h.station_id === p.id && (h.connector_id === 0 || h.connector_id === p.connector_id))
          .map((h) => ({ at: h.at.getTime(), apply: (s: { station: string | null; point: string | null }) => void (h.connector_id === 0 ? (s.station = h.status) : (s.point = h.status)) })),
      ].sort((a, b) => a.at - b.at);
      const state = { online: false, station: null as string | null, point: null as string | null };
      const totals: Record<State, number> = { usable: 0, faulted: 0, unavailable: 0, offline: 0, unknown: 0 };
      let cursor = from;
      for (const change of changes) {
        if (change.at > cursor) {
          totals[stateOf(state.online, state.station, state.point)] += Math.min(change.at, to) - cursor;
          cursor = change.at;
        }
        change.apply(state as never);
      }
      if (to > cursor) totals[stateOf(state.online, state.station, state.point)] += to - cursor;
      const total = to - from;
      const share = (n: number) => Math.round((n / total) * 10_000) / 10_000;
      return { stationId: p.id, stationName: p.name, connectorId: p.connector_id, idPdcItinerance: p.id_pdc_itinerance, usable: share(totals.usable), faulted: share(totals.faulted), unavailable: share(totals.unavailable), offline: share(totals.offline), unknown: share(totals.unknown) };
    });

    const names = new Map(points.map((p) => [p.id, p.name]));
    const faults = ids.map((id) => ({
      stationId: id,
      stationName: names.get(id)!,
      faults: history.filter((h) => h.station_id === id && h.status === 'Faulted' && h.at.getTime() >= from).length,
    }));

    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      availability,
      faults,
      monthly: monthly.map((m) => ({ communeInsee: m.commune_insee, communeName: m.commune_name, month: m.month, sessions: Number(m.sessions), energyKwh: Math.round(Number(m.energy_wh)) / 1000 })),
    };
  }
}
