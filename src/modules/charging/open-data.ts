import type { ChargingService, Station } from './charging.service.js';

/** The SMO as it appears in the IRVE files (aménageur and opérateur). */
export const SMO_NAME = 'Syndicat mixte Mutualis';
export const BRAND = 'Mutualis Recharge';

/** Columns of the IRVE static schema v2.3, in its order. */
export const STATIC_COLUMNS = [
  'nom_amenageur', 'siren_amenageur', 'contact_amenageur', 'nom_operateur', 'contact_operateur', 'telephone_operateur', 'nom_enseigne',
  'id_station_itinerance', 'id_station_local', 'nom_station', 'implantation_station', 'adresse_station', 'code_insee_commune', 'coordonneesXY',
  'nbre_pdc', 'id_pdc_itinerance', 'id_pdc_local', 'puissance_nominale', 'prise_type_ef', 'prise_type_2', 'prise_type_combo_ccs',
  'prise_type_chademo', 'prise_type_autre', 'gratuit', 'paiement_acte', 'paiement_cb', 'paiement_autre', 'tarification', 'condition_acces',
  'reservation', 'horaires', 'accessibilite_pmr', 'restriction_gabarit', 'station_deux_roues', 'raccordement', 'num_pdl',
  'date_mise_en_service', 'observations', 'date_maj', 'cable_t2_attache',
] as const;

export const DYNAMIC_COLUMNS = [
  'id_pdc_itinerance', 'etat_pdc', 'occupation_pdc', 'horodatage', 'etat_prise_type_2', 'etat_prise_type_combo_ccs', 'etat_prise_type_chademo', 'etat_prise_type_ef',
] as const;

type Value = string | number | boolean | number[] | null;
export type OpenDataRow = Record<string, Value>;

const euros = (n: number) => n.toFixed(2).replace('.', ',');

function tariffText(s: Station): string {
  const parts = [
    s.tariff.fixedFee > 0 ? `${euros(s.tariff.fixedFee)} € par session` : null,
    s.tariff.perKwh > 0 ? `${euros(s.tariff.perKwh)} €/kWh` : null,
    s.tariff.perMinute > 0 ? `${euros(s.tariff.perMinute)} €/min` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' + ') : 'Gratuit';
}

/** UTC datetime without milliseconds: the Table Schema default datetime format. */
export const utcSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function staticRows(stations: Station[], contact: string): OpenDataRow[] {
  return stations.flatMap((s) =>
    s.chargePoints.map((p) => {
      const free = s.tariff.fixedFee === 0 && s.tariff.perKwh === 0 && s.tariff.perMinute === 0;
      return {
        nom_amenageur: SMO_NAME,
        siren_amenageur: null,
        contact_amenageur: contact,
        nom_operateur: SMO_NAME,
        contact_operateur: contact,
        telephone_operateur: null,
        nom_enseigne: BRAND,
        id_station_itinerance: s.idStationItinerance,
        id_station_local: s.code,
        nom_station: s.name,
        implantation_station: s.implantation,
        adresse_station: s.address,
        code_insee_commune: s.communeInsee,
        coordonneesXY: [s.longitude!, s.latitude!],
        nbre_pdc: s.chargePoints.length,
        id_pdc_itinerance: p.idPdcItinerance,
        id_pdc_local: `${s.code}-${p.connectorId}`,
        puissance_nominale: p.maxPowerKw,
        prise_type_ef: p.sockets.includes('EF'),
        prise_type_2: p.sockets.includes('T2'),
        prise_type_combo_ccs: p.sockets.includes('CCS'),
        prise_type_chademo: p.sockets.includes('CHADEMO'),
        prise_type_autre: p.sockets.includes('OTHER'),
        gratuit: free,
        // Charging starts with an RFID badge of the network: no payment at the station.
        paiement_acte: false,
        paiement_cb: false,
        paiement_autre: true,
        tarification: tariffText(s),
        condition_acces: s.accessCondition,
        reservation: true,
        horaires: s.openingHours,
        accessibilite_pmr: s.pmr,
        restriction_gabarit: s.heightRestriction,
        station_deux_roues: false,
        raccordement: s.gridConnection,
        num_pdl: s.pdl,
        date_mise_en_service: s.commissioningDate,
        observations: null,
        date_maj: s.updatedAt.slice(0, 10),
        cable_t2_attache: false,
      };
    }),
  );
}

const UNUSABLE = new Set(['Faulted', 'Unavailable']);
const BUSY = new Set(['Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing']);

/**
 * The live state of each charge point. A point in a session is occupe whatever its last status; a
 * station that is not connected is inconnu (we cannot vouch for it).
 */
export function dynamicRows(stations: Station[], now = new Date()): OpenDataRow[] {
  return stations.flatMap((s) =>
    s.chargePoints.map((p) => {
      const known = s.online && p.status !== null;
      const state = !known ? 'inconnu' : UNUSABLE.has(p.status!) ? 'hors_service' : 'en_service';
      const occupation = p.occupied || (known && BUSY.has(p.status!)) ? 'occupe' : !known ? 'inconnu' : p.status === 'Reserved' ? 'reserve' : p.status === 'Available' ? 'libre' : 'inconnu';
      const socket = state === 'en_service' ? 'fonctionnel' : state;
      return {
        id_pdc_itinerance: p.idPdcItinerance,
        etat_pdc: state,
        occupation_pdc: occupation,
        horodatage: utcSeconds(p.statusAt && known ? new Date(p.statusAt) : now),
        etat_prise_type_2: p.sockets.includes('T2') ? socket : null,
        etat_prise_type_combo_ccs: p.sockets.includes('CCS') ? socket : null,
        etat_prise_type_chademo: p.sockets.includes('CHADEMO') ? socket : null,
        etat_prise_type_ef: p.sockets.includes('EF') ? socket : null,
      };
    }),
  );
}

/** Every registered (not pending) station, for the open data files. */
export async function publishedStations(service: ChargingService): Promise<Station[]> {
  const stations: Station[] = [];
  for (let page = 1; ; page += 1) {
    const batch = await service.listStations('all', { page, pageSize: 200, registration: 'accepted', sort: 'code' });
    stations.push(...batch.items);
    if (stations.length >= batch.total || !batch.items.length) return stations;
  }
}

/** A CSV cell as the IRVE files write it: booleans true/false, coordinates "[lon,lat]", empty for null. */
export function csvCell(value: Value): string {
  if (value === null) return '';
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  return String(value);
}
