/**
 * The register of viewings, extractions, handovers, holds, releases and deletions. It is not a table of its
 * own: it is the `evidence.*` part of the hash-chained audit trail, which is append-only and never purged, so
 * the three years the register must be kept are met and its integrity is checked by `mutualis audit verify`.
 */
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';

export const REGISTER_ACTIONS = {
  'evidence.recording.view': 'Visionnage',
  'evidence.requisition.create': 'Réquisition enregistrée',
  'evidence.hold.place': 'Gel des images',
  'evidence.hold.release': 'Levée du gel',
  'evidence.package.extract': 'Extraction',
  'evidence.package.fail': 'Extraction échouée',
  'evidence.package.download': 'Téléchargement du scellé',
  'evidence.package.handover': 'Remise',
  'evidence.recording.delete': 'Suppression (conservation expirée)',
  'evidence.authorisation.save': 'Autorisation préfectorale',
} as const;
export type RegisterAction = keyof typeof REGISTER_ACTIONS;

export interface RegisterEntry {
  seq: number;
  at: string;
  actor: string;
  action: RegisterAction;
  actionLabel: string;
  reason: string;
  cameras: string[];
  from: string | null;
  to: string | null;
  siteName: string | null;
  requisition: string | null;
  media: string | null;
  service: string | null;
  hash: string;
}

export interface RegisterFilter {
  from?: string | undefined;
  to?: string | undefined;
  action?: RegisterAction | undefined;
  cameraId?: string | undefined;
  requisition?: string | undefined;
  q?: string | undefined;
}

interface Summary {
  reason?: string;
  cameras?: Array<{ id: string; code: string }>;
  from?: string | null;
  to?: string | null;
  siteName?: string;
  requisition?: string;
  media?: string;
  service?: string;
}

export class RegisterService {
  constructor(private readonly db: Db) {}

  private query(memberIds: 'all' | string[], filter: RegisterFilter) {
    let q = this.db.selectFrom('audit_log').where('action', 'in', Object.keys(REGISTER_ACTIONS));
    if (memberIds !== 'all') q = q.where('member_id', 'in', memberIds.length ? memberIds : ['']);
    if (filter.from) q = q.where('at', '>=', new Date(filter.from));
    if (filter.to) q = q.where('at', '<', new Date(filter.to));
    if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.cameraId) q = q.where(sql<boolean>`summary->'cameras' @> ${JSON.stringify([{ id: filter.cameraId }])}::jsonb`);
    if (filter.requisition) q = q.where(sql<boolean>`summary->>'requisition' = ${filter.requisition}`);
    if (filter.q) q = q.where((eb) => eb.or([eb('actor_label', 'ilike', `%${filter.q}%`), eb(sql<string>`summary::text`, 'ilike', `%${filter.q}%`)]));
    return q;
  }

  async list(memberIds: 'all' | string[], filter: RegisterFilter & { page: number; pageSize: number; sort?: string | undefined }) {
    const q = this.query(memberIds, filter);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('seq', filter.sort === 'at' ? 'asc' : 'desc').limit(filter.pageSize).offset((filter.page - 1) * filter.pageSize).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toEntry), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  /** Every matching entry, oldest first, for the exports. */
  async all(memberIds: 'all' | string[], filter: RegisterFilter): Promise<RegisterEntry[]> {
    return (await this.query(memberIds, filter).selectAll().orderBy('seq').execute()).map(toEntry);
  }

  csv(entries: RegisterEntry[]): string {
    return stringify(
      entries.map((e) => [e.seq, e.at, e.actor, e.actionLabel, e.reason, e.cameras.join(' '), e.from ?? '', e.to ?? '', e.siteName ?? '', e.requisition ?? '', e.media ?? '', e.service ?? '', e.hash]),
      { header: true, columns: ['n°', 'date', 'auteur', 'action', 'motif', 'caméras', 'début des images', 'fin des images', 'site', 'réquisition', 'support', 'service destinataire', 'empreinte'], bom: true, delimiter: ';' },
    );
  }

  html(entries: RegisterEntry[], title: string): string {
    const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const date = (iso: string | null) => (iso ? new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris' }) : '');
    const rows = entries
      .map((e) => `<tr><td>${e.seq}</td><td>${date(e.at)}</td><td>${escape(e.actor)}</td><td>${escape(e.actionLabel)}</td><td>${escape(e.reason)}</td><td>${escape(e.cameras.join(', '))}</td><td>${date(e.from)} – ${date(e.to)}</td><td>${escape(e.siteName ?? '')}</td><td>${escape(e.requisition ?? '')}</td><td>${escape(e.media ?? '')}</td><td>${escape(e.service ?? '')}</td></tr>`)
      .join('\n');
    return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;margin:1.5rem;color:#111}table{border-collapse:collapse;width:100%;font-size:.8rem}th,td{border:1px solid #888;padding:.25rem;text-align:left;vertical-align:top}@media print{body{margin:0}}</style></head>
<body><h1>${escape(title)}</h1>
<p>Extrait du journal d'audit chaîné de la plateforme Mutualis, édité le ${escape(date(new Date().toISOString()))} — ${entries.length} entrées. Chaque entrée porte l'empreinte qui la lie à la précédente ; le registre est conservé trois ans au moins.</p>
<table><thead><tr><th>N°</th><th>Date</th><th>Auteur</th><th>Action</th><th>Motif</th><th>Caméras</th><th>Images concernées</th><th>Site</th><th>Réquisition</th><th>Support</th><th>Destinataire</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
  }
}

function toEntry(r: { seq: number; at: Date; actor_label: string; action: string; summary: unknown; hash: string }): RegisterEntry {
  const s = (r.summary ?? {}) as Summary;
  const action = r.action as RegisterAction;
  return {
    seq: r.seq,
    at: r.at.toISOString(),
    actor: r.actor_label,
    action,
    actionLabel: REGISTER_ACTIONS[action],
    reason: s.reason ?? '',
    cameras: (s.cameras ?? []).map((c) => c.code),
    from: s.from ?? null,
    to: s.to ?? null,
    siteName: s.siteName ?? null,
    requisition: s.requisition ?? null,
    media: s.media ?? null,
    service: s.service ?? null,
    hash: r.hash,
  };
}

/** The register's fields, the same in every evidence audit record so that the register reads as one table. */
export function registerSummary(entry: {
  reason: string;
  cameras: Array<{ id: string; code: string }>;
  from: string | null;
  to: string | null;
  siteName?: string | undefined;
  requisition?: string | undefined;
  media?: string | undefined;
  service?: string | undefined;
  [extra: string]: unknown;
}): Record<string, unknown> {
  return { ...entry };
}
