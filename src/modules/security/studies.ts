/**
 * A site's security study: threats, risks (a threat meeting a vulnerability, rated likelihood × impact on
 * 1–4 scales) and recommended measures with their cost estimate and status. One study per site.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Db } from '../../platform/db/database.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { actorOf, auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { visibleScope } from '../../platform/auth/policy.js';
import { notFound, validationFailed } from '../../platform/http/errors.js';
import { commonErrors, Uuid } from '../../platform/http/schemas.js';

const Scale = Type.Integer({ minimum: 1, maximum: 4, description: '1 faible … 4 très élevé' });
const Threat = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }), label: Type.String({ minLength: 1, maxLength: 200 }), description: Type.String({ maxLength: 2000 }) }, { additionalProperties: false });
const Risk = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 40 }),
    threatId: Type.String({ description: 'La menace (id de threats)' }),
    vulnerability: Type.String({ minLength: 1, maxLength: 500 }),
    likelihood: Scale,
    impact: Scale,
  },
  { additionalProperties: false },
);
const Measure = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 40 }),
    label: Type.String({ minLength: 1, maxLength: 300 }),
    riskIds: Type.Array(Type.String(), { description: 'Risques que la mesure réduit' }),
    costEuros: Type.Integer({ minimum: 0, description: 'Estimation TTC en euros' }),
    status: Type.Unsafe<'proposed' | 'approved' | 'in_progress' | 'done' | 'rejected'>({ type: 'string', enum: ['proposed', 'approved', 'in_progress', 'done', 'rejected'] }),
  },
  { additionalProperties: false },
);
export const StudyInput = Type.Object(
  { summary: Type.String({ maxLength: 5000 }), threats: Type.Array(Threat, { maxItems: 50 }), risks: Type.Array(Risk, { maxItems: 100 }), measures: Type.Array(Measure, { maxItems: 100 }) },
  { additionalProperties: false },
);
export type StudyInput = Static<typeof StudyInput>;
const Study = Type.Object(
  {
    siteId: Type.String(),
    siteName: Type.String(),
    memberId: Type.String(),
    ...StudyInput.properties,
    matrix: Type.Array(Type.Array(Type.Array(Type.String())), { description: 'matrix[likelihood-1][impact-1] : ids des risques' }),
    totalCostEuros: Type.Integer(),
    updatedAt: Type.String(),
    updatedBy: Type.String(),
  },
  { $id: 'SecurityStudy' },
);

export class StudiesService {
  constructor(private readonly db: Db) {}

  private query() {
    return this.db.selectFrom('security_studies as t').innerJoin('sites as s', 's.id', 't.site_id').selectAll('t').select('s.name as site_name');
  }

  private toStudy(r: Awaited<ReturnType<ReturnType<StudiesService['query']>['executeTakeFirstOrThrow']>>) {
    const risks = r.risks as StudyInput['risks'];
    const measures = r.measures as StudyInput['measures'];
    const matrix = Array.from({ length: 4 }, (_, l) => Array.from({ length: 4 }, (_, i) => risks.filter((k) => k.likelihood === l + 1 && k.impact === i + 1).map((k) => k.id)));
    return {
      siteId: r.site_id,
      siteName: r.site_name,
      memberId: r.member_id,
      summary: r.summary,
      threats: r.threats as StudyInput['threats'],
      risks,
      measures,
      matrix,
      totalCostEuros: measures.filter((m) => m.status !== 'rejected').reduce((sum, m) => sum + m.costEuros, 0),
      updatedAt: r.updated_at.toISOString(),
      updatedBy: r.updated_by,
    };
  }

  async list(memberIds: 'all' | string[]) {
    let q = this.query();
    if (memberIds !== 'all') q = q.where('t.member_id', 'in', memberIds.length ? memberIds : ['']);
    return (await q.orderBy('s.name').execute()).map((r) => this.toStudy(r));
  }

  async get(siteId: string) {
    const row = await this.query().where('t.site_id', '=', siteId).executeTakeFirst();
    if (!row) throw notFound('Étude de sûreté');
    return this.toStudy(row);
  }

  async save(actor: AuditActor, siteId: string, input: StudyInput) {
    const site = await this.db.selectFrom('sites').select('member_id').where('id', '=', siteId).executeTakeFirst();
    if (!site) throw notFound('Site');
    const threats = new Set(input.threats.map((t) => t.id));
    const risks = new Set(input.risks.map((r) => r.id));
    const details = [
      ...input.risks.filter((r) => !threats.has(r.threatId)).map((r) => ({ field: `/body/risks/${r.id}`, message: `menace inconnue : ${r.threatId}` })),
      ...input.measures.flatMap((m) => m.riskIds.filter((id) => !risks.has(id)).map((id) => ({ field: `/body/measures/${m.id}`, message: `risque inconnu : ${id}` }))),
    ];
    if (details.length) throw validationFailed(details);
    const values = { member_id: site.member_id, summary: input.summary, threats: JSON.stringify(input.threats), risks: JSON.stringify(input.risks), measures: JSON.stringify(input.measures), updated_at: new Date(), updated_by: actor.label };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('security_studies').values({ site_id: siteId, ...values }).onConflict((oc) => oc.column('site_id').doUpdateSet(values)).execute();
      await appendAudit(trx, { actor, action: 'security.study.save', entityType: 'security_study', entityId: siteId, memberId: site.member_id, summary: { threats: input.threats.length, risks: input.risks.length, measures: input.measures.length } });
    });
    return this.get(siteId);
  }
}

export const studyRoutes: FastifyPluginAsyncTypebox<{ studies: StudiesService }> = async (app, { studies }) => {
  app.addSchema(Study);
  const SiteParams = Type.Object({ siteId: Uuid }, { additionalProperties: false });

  app.get('/api/security/studies', { schema: { tags: ['security'], summary: 'Études de sûreté des sites visibles', response: { 200: Type.Array(Type.Ref('SecurityStudy')), ...commonErrors } } }, async (request) => {
    const actor = authorize(request, 'read', 'security_study', actorOf(request).memberId);
    const scope = visibleScope(actor, 'security_study');
    return studies.list(scope === 'none' ? [] : scope);
  });

  app.get(
    '/api/security/studies/:siteId',
    { schema: { tags: ['security'], summary: 'L’étude de sûreté d’un site (menaces, risques, matrice vraisemblance × impact, mesures)', params: SiteParams, response: { 200: Type.Ref('SecurityStudy'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      const study = await studies.get(request.params.siteId);
      authorize(request, 'read', 'security_study', study.memberId);
      return study;
    },
  );

  app.put(
    '/api/security/studies/:siteId',
    { schema: { tags: ['security'], summary: 'Enregistrer l’étude de sûreté d’un site (remplace la précédente)', params: SiteParams, body: StudyInput, response: { 200: Type.Ref('SecurityStudy'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      authorize(request, 'update', 'security_study', null);
      return studies.save(auditActorOf(request), request.params.siteId, request.body);
    },
  );
};
