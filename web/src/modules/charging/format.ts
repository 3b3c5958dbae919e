import { TONE } from '../../app/theme';
import { T } from './strings';
import type { ChargePoint, Station } from './types';

/** What a charge point is doing, in French: a point in a session is occupé, a station not connected is hors ligne. */
export function pointState(station: Station, point: ChargePoint): string {
  if (point.occupied) return T.occupied;
  if (!station.online) return T.offline;
  return point.status ? (T.status[point.status] ?? point.status) : T.unknownStatus;
}

/** Text colour of a state, with AA contrast on white. */
export function stateColour(station: Station, point: ChargePoint): string | undefined {
  if (point.occupied) return TONE.warning;
  if (!station.online || point.status === 'Faulted' || point.status === 'Unavailable') return '#c92a2a';
  return point.status === 'Available' ? TONE.success : undefined;
}
