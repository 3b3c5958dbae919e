/** Each site's prefectoral authorisation of video protection, which sets how long its recordings are kept. */
import type { Db } from '../../platform/db/database.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { notFound, validationFailed, type FieldError } from '../../platform/http/errors.js';
import { MAX_RETENTION_DAYS } from './evidence.tables.js';
import { registerSummary } from './register.js';

export interface Authorisation {
  siteId: string;
  siteName: string;
  memberId: string;
  reference: string;
  issuedOn: string;
  expiresOn: string;
  retentionDays: number;
  /** The authorisation's end has passed: the site records without a valid authorisation. */
  expired: boolean;
  updatedAt: string;
  updatedBy: string;
}

export interface AuthorisationInput {
  reference: string;
  issuedOn: string;
  expiresOn: string;
  retentionDays: number;
}

export class AuthorisationsService {
  constructor(private readonly db: Db) {}

  private query() {
    return this.db.selectFrom('evidence_authorisations as a').innerJoin('sites as s', 's.id', 'a.site_id').selectAll('a').select('s.name as site_name');
  }

  private toAuthorisation(r: Awaited<ReturnType<ReturnType<AuthorisationsService['query']>['executeTakeFirstOrThrow']>>, today = new Date().toISOString().slice(0, 10)): Authorisation {
    return {
      siteId: r.site_id,
      siteName: r.site_name,
      memberId: r.member_id,
      reference: r.reference,
      issuedOn: r.issued_on,
      expiresOn: r.expires_on,
      retentionDays: r.retention_days,
      expired: r.expires_on < today,
      updatedAt: r.updated_at.toISOString(),
      updatedBy: r.updated_by,
    };
  }

  async list(memberIds: 'all' | string[]): Promise<Authorisation[]> {
    let q = this.query();
    if (memberIds !== 'all') q = q.where('a.member_id', 'in', memberIds.length ? memberIds : ['']);
    return (await q.orderBy('s.name').execute()).map((r) => this.toAuthorisation(r));
  }

  async get(siteId: string): Promise<Authorisation> {
    const row = await this.query().where('a.site_id', '=', siteId).executeTakeFirst();
    if (!row) throw notFound('Autorisation préfectorale');
    return this.toAuthorisation(row);
  }

  async find(siteId: string): Promise<Authorisation | null> {
    const row = await this.query().where('a.site_id', '=', siteId).executeTakeFirst();
    return row ? this.toAuthorisation(row) : null;
  }

  async save(actor: AuditActor, siteId: string, input: AuthorisationInput): Promise<Authorisation> {
    const details: FieldError[] = [];
    if (input.retentionDays > MAX_RETENTION_DAYS) {
      details.push({ field: '/body/retentionDays', message: `${input.retentionDays} jours refusés : la loi limite la conservation des images à ${MAX_RETENTION_DAYS} jours (CSI, art. L252-5)` });
    }
    if (input.expiresOn <= input.issuedOn) details.push({ field: '/body/expiresOn', message: 'l’échéance doit suivre la date de l’arrêté' });
    if (details.length) throw validationFailed(details);
    const site = await this.db.selectFrom('sites').select(['member_id', 'name']).where('id', '=', siteId).executeTakeFirst();
    if (!site) throw notFound('Site');
    const before = await this.find(siteId);
    const values = { member_id: site.member_id, reference: input.reference, issued_on: input.issuedOn, expires_on: input.expiresOn, retention_days: input.retentionDays, updated_at: new Date(), updated_by: actor.label };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('evidence_authorisations').values({ site_id: siteId, ...values }).onConflict((oc) => oc.column('site_id').doUpdateSet(values)).execute();
      await appendAudit(trx, {
        actor,
        action: 'evidence.authorisation.save',
        entityType: 'evidence_authorisation',
        entityId: siteId,
        memberId: site.member_id,
        summary: registerSummary({
          reason: `Autorisation préfectorale ${input.reference} : conservation ${input.retentionDays} jours jusqu’au ${input.expiresOn}`,
          cameras: [],
          from: null,
          to: null,
          siteName: site.name,
          before: before && { reference: before.reference, retentionDays: before.retentionDays, expiresOn: before.expiresOn },
          after: input,
        }),
      });
    });
    return this.get(siteId);
  }
}
