import iconv from 'iconv-lite';

/** Points inside communes of the territory, in WGS84 and Lambert-93, for hand-written building files. */
export const POINTS = {
  '78003': { wgs84: ['1.85826', '48.53157'], l93: ['615706.7', '6826313.2'] },
  '78020': { wgs84: ['1.72428', '48.90977'], l93: ['606495.3', '6868507.6'] },
  '92023': { wgs84: ['2.24936', '48.79268'], l93: ['644856.2', '6854995.2'] },
} as const;

/** The IPE columns the importer reads, in an unusual order and with a column it does not know. */
export const IPE_HEADER = ['CommuneImmeuble', 'EtatImmeuble', 'IdentifiantImmeuble', 'ColonneInconnue', 'CodeInseeImmeuble', 'NombreLogementsAdresseIPE', 'CoordonneeImmeubleX', 'CoordonneeImmeubleY', 'TypeProjectionGeographique'];

export interface Row {
  id: string;
  state: string;
  insee: string;
  dwellings: string | number;
  commune?: string;
  at?: keyof typeof POINTS;
}

export function ipeText(rows: Row[], projection: 'l93' | 'wgs84', options: { separator?: string } = {}): string {
  const sep = options.separator ?? ';';
  const lines = rows.map((r) => {
    const [x, y] = POINTS[r.at ?? (r.insee as keyof typeof POINTS)]?.[projection] ?? ['0', '0'];
    return [r.commune ?? 'COMMUNE', r.state, r.id, 'x', r.insee, String(r.dwellings), x, y, projection === 'l93' ? 'RGF93' : 'WGS84'].join(sep);
  });
  return [IPE_HEADER.join(sep), ...lines].join('\r\n') + '\r\n';
}

export const utf8 = (text: string, bom = false) => Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
export const latin1 = (text: string) => iconv.encode(text, 'latin1');

/** A file as a stream of small chunks, so that the decoder meets sequences cut between chunks. */
export async function* chunks(data: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** The first snapshot of the hand-computed case (30 June 2025). */
export const JUNE: Row[] = [
  { id: 'IMB/78003/A1', state: 'DEPLOYE', insee: '78003', dwellings: 1, commune: 'ABLIS' },
  { id: 'IMB/78003/A2', state: 'DEPLOYE', insee: '78003', dwellings: 4, commune: 'ABLIS' },
  { id: 'IMB/78003/A3', state: 'EN COURS DE DEPLOIEMENT', insee: '78003', dwellings: 2, commune: 'ABLIS' },
  { id: 'IMB/78003/A4', state: 'CIBLE', insee: '78003', dwellings: 1, commune: 'ABLIS' },
  { id: 'IMB/78003/A5', state: 'ABANDONNE', insee: '78003', dwellings: 3, commune: 'ABLIS' },
  { id: 'IMB/78020/B1', state: 'SIGNE', insee: '78020', dwellings: 6, commune: 'ARNOUVILLE-LÈS-MANTES' },
  { id: 'IMB/78020/B2', state: 'DEPLOYE', insee: '78020', dwellings: 2, commune: 'ARNOUVILLE-LÈS-MANTES' },
  { id: 'IMB/78020/B3', state: 'CIBLE', insee: '78020', dwellings: 1, commune: 'ARNOUVILLE-LÈS-MANTES' },
];

/** The second one (31 December 2025): accents in states, A5 gone after its three months. */
export const DECEMBER: Row[] = [
  { id: 'IMB/78003/A1', state: 'DEPLOYE', insee: '78003', dwellings: 1, commune: 'ABLIS' },
  { id: 'IMB/78003/A2', state: 'DEPLOYE', insee: '78003', dwellings: 4, commune: 'ABLIS' },
  { id: 'IMB/78003/A3', state: 'DÉPLOYÉ', insee: '78003', dwellings: 2, commune: 'ABLIS' },
  { id: 'IMB/78003/A4', state: 'EN COURS DE DÉPLOIEMENT', insee: '78003', dwellings: 1, commune: 'ABLIS' },
  { id: 'IMB/78020/B1', state: 'EN COURS DE DEPLOIEMENT', insee: '78020', dwellings: 6, commune: 'ARNOUVILLE-LÈS-MANTES' },
  { id: 'IMB/78020/B2', state: 'DEPLOYE', insee: '78020', dwellings: 2, commune: 'ARNOUVILLE-LÈS-MANTES' },
  { id: 'IMB/78020/B3', state: 'DEPLOYE', insee: '78020', dwellings: 1, commune: 'ARNOUVILLE-LÈS-MANTES' },
];
