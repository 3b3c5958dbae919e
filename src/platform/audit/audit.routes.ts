import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/database.js';
import { authorize } from '../auth/http-auth.js';
import { commonErrors } from '../http/schemas.js';
import { listQuery, offsetOf, pageOf, parseSort } from '../http/pagination.js';
import { verifyAuditChain } from './audit.service.js';

const AuditRecord = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorLabel: Type.String(),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.Union([Type.String(), Type.Null()]),
  memberId: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Unknown(),
  hash: Type.String(),
});

export const auditRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/audit',
    {
      schema: {
        tags: ['audit'],
        summary: "Le journal d'audit (auditeurs et administrateurs du syndicat)",
        querystring: listQuery(['seq'], {
          action: Type.Optional(Type.String({ maxLength: 80, description: 'Action exacte ou préfixe terminé par "." (ex. "site.")' })),
          entityType: Type.Optional(Type.String({ maxLength: 40 })),
          entityId: Type.Optional(Type.String({ maxLength: 80 })),
          actorId: Type.Optional(Type.String({ format: 'uuid' })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 200: pageOf(AuditRecord), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'audit', null);
      const { q, action, entityType, entityId, actorId, from, to, page, pageSize } = request.query;
      const sort = parseSort(request.query.sort ?? '-seq', 'seq');
      let query = db.selectFrom('audit_log');
      if (action) query = action.endsWith('.') ? query.where('action', 'like', `${action}%`) : query.where('action', '=', action);
      if (entityType) query = query.where('entity_type', '=', entityType);
      if (entityId) query = query.where('entity_id', '=', entityId);
      if (actorId) query = query.where('actor_id', '=', actorId);
      if (from) query = query.where('at', '>=', new Date(from));
      if (to) query = query.where('at', '<', new Date(to));
      if (q) query = query.where((eb) => eb.or([eb('actor_label', 'ilike', `%${q}%`), eb('action', 'ilike', `%${q}%`), eb('entity_id', 'ilike', `%${q}%`)]));
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy('seq', sort.direction).limit(pageSize).offset(offsetOf({ page, pageSize })).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return {
        items: rows.map((r) => ({
          seq: r.seq,
          at: r.at.toISOString(),
          actorId: r.actor_id,
          actorLabel: r.actor_label,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
          memberId: r.member_id,
          summary: r.summary,
          hash: r.hash,
        })),
        total: Number(count.n),
        page,
        pageSize,
      };
    },
  );

  app.get(
    '/api/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Vérifier l'intégrité de la chaîne d'audit",
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            firstBad: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      authorize(request, 'read', 'audit', null);
      return verifyAuditChain(db);
    },
  );
};
