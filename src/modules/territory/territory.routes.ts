import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { visibleScope } from '../../platform/auth/policy.js';
import { forbidden, notFound } from '../../platform/http/errors.js';
import { listQuery, pageOf } from '../../platform/http/pagination.js';
import { commonErrors, IdParams, Nullable } from '../../platform/http/schemas.js';
import { SITE_KINDS, type SiteKind } from './territory.tables.js';
import type { TerritoryService } from './territory.service.js';

const AdhesionStatus = Type.Union([Type.Literal('adherent'), Type.Literal('non_adherent'), Type.Literal('withdrawn')]);
const MemberKind = Type.Union([Type.Literal('smo'), Type.Literal('departement'), Type.Literal('epci'), Type.Literal('commune')]);
const SiteKindSchema = Type.Unsafe<SiteKind>({ type: 'string', enum: [...SITE_KINDS] });
const Departement = Type.Union([Type.Literal('78'), Type.Literal('92')]);
const Insee = Type.String({ pattern: '^(78|92)\\d{3}$', description: 'Code INSEE de commune (78xxx ou 92xxx)' });
const MemberId = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9-]+$' });

const MemberSchema = Type.Object(
  {
    id: Type.String(),
    kind: MemberKind,
    name: Type.String(),
    code: Type.String(),
    epciType: Nullable(Type.String()),
    departement: Nullable(Type.String()),
    adhesionStatus: AdhesionStatus,
    adhesionDate: Nullable(Type.String()),
  },
  { $id: 'Member' },
);

const CommuneSchema = Type.Object(
  {
    insee: Type.String(),
    name: Type.String(),
    departement: Type.String(),
    population: Nullable(Type.Integer()),
    postalCodes: Type.Array(Type.String()),
    epci: Nullable(Type.Object({ siren: Type.String(), name: Type.String() })),
    ept: Nullable(Type.Object({ siren: Type.String(), name: Type.String() })),
    memberId: Type.String(),
    adhesionStatus: AdhesionStatus,
    adhesionDate: Nullable(Type.String()),
  },
  { $id: 'Commune' },
);

const SiteSchema = Type.Object(
  {
    id: Type.String(),
    kind: SiteKindSchema,
    name: Type.String(),
    uai: Nullable(Type.String()),
    address: Type.String(),
    longitude: Type.Number(),
    latitude: Type.Number(),
    communeInsee: Type.String(),
    communeName: Type.String(),
    memberId: Type.String(),
    memberName: Type.String(),
    notes: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'Site' },
);

const siteFields = {
  kind: SiteKindSchema,
  name: Type.String({ minLength: 1, maxLength: 160, pattern: '\\S' }),
  uai: Type.Optional(Nullable(Type.String({ minLength: 8, maxLength: 8, description: 'Code UAI, obligatoire pour une école (ex. 0780422K)' }))),
  address: Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' }),
  longitude: Type.Number({ minimum: -180, maximum: 180 }),
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  communeInsee: Type.Optional(Insee),
  memberId: Type.Optional(MemberId),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
};

const Geometry = Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) });

export const territoryRoutes: FastifyPluginAsyncTypebox<{ territory: TerritoryService }> = async (app, { territory }) => {
  app.addSchema(MemberSchema);
  app.addSchema(CommuneSchema);
  app.addSchema(SiteSchema);

  app.get(
    '/api/members',
    {
      schema: {
        tags: ['territory'],
        summary: 'Lister les membres (syndicat, départements, intercommunalités, communes)',
        querystring: listQuery(['name', 'kind', 'code', 'adhesionDate'], {
          kind: Type.Optional(MemberKind),
          departement: Type.Optional(Departement),
          adhesionStatus: Type.Optional(AdhesionStatus),
          parentId: Type.Optional(MemberId),
        }),
        response: { 200: pageOf(Type.Ref('Member')), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'member', null);
      return territory.listMembers(request.query);
    },
  );

  app.get(
    '/api/members/:id',
    {
      schema: {
        tags: ['territory'],
        summary: 'Un membre, ses rattachements et le nombre de membres rattachés',
        params: Type.Object({ id: MemberId }),
        response: {
          200: Type.Intersect([Type.Ref('Member'), Type.Object({ parents: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })), childCount: Type.Integer() })]),
          404: Type.Ref('Error'),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      authorize(request, 'read', 'member', null);
      return territory.getMember(request.params.id);
    },
  );

  app.patch(
    '/api/members/:id',
    {
      schema: {
        tags: ['territory'],
        summary: "Modifier l'adhésion d'un membre",
        params: Type.Object({ id: MemberId }),
        body: Type.Object({ adhesionStatus: AdhesionStatus, adhesionDate: Type.Optional(Nullable(Type.String({ format: 'date' }))) }, { additionalProperties: false }),
        response: { 200: Type.Ref('Member'), 404: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'update', 'member', request.params.id);
      return territory.updateAdhesion(auditActorOf(request), request.params.id, request.body.adhesionStatus, request.body.adhesionDate ?? null);
    },
  );

  app.get(
    '/api/communes',
    {
      schema: {
        tags: ['territory'],
        summary: 'Chercher des communes (nom, code INSEE ou code postal)',
        querystring: listQuery(['name', 'insee', 'population'], {
          departement: Type.Optional(Departement),
          epci: Type.Optional(Type.String({ pattern: '^\\d{9}$', description: "SIREN de l'EPCI ou de l'EPT" })),
          adhesionStatus: Type.Optional(AdhesionStatus),
        }),
        response: { 200: pageOf(Type.Ref('Commune')), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'commune', null);
      return territory.listCommunes(request.query);
    },
  );

  app.get(
    '/api/communes.geojson',
    {
      schema: {
        tags: ['territory'],
        summary: 'Les contours des communes (GeoJSON, WGS84) avec leur statut d’adhésion',
        querystring: Type.Object({ departement: Type.Optional(Departement) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            type: Type.Literal('FeatureCollection'),
            features: Type.Array(Type.Object({ type: Type.Literal('Feature'), properties: Type.Record(Type.String(), Type.Unknown()), geometry: Geometry })),
          }),
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      authorize(request, 'read', 'commune', null);
      reply.header('cache-control', 'private, max-age=60');
      return territory.communesGeoJson(request.query.departement);
    },
  );

  app.get(
    '/api/communes/:insee',
    {
      schema: {
        tags: ['territory'],
        summary: 'Une commune, son contour et le nombre de sites visibles',
        params: Type.Object({ insee: Insee }),
        response: { 200: Type.Intersect([Type.Ref('Commune'), Type.Object({ geometry: Geometry, sitesCount: Type.Integer() })]), 404: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'commune', null);
      return territory.getCommune(request.params.insee, visibleScope(actorOf(request), 'site'));
    },
  );

  app.get(
    '/api/territory/figures',
    {
      schema: {
        tags: ['territory'],
        summary: 'Chiffres clés du tableau de bord : communes, membres adhérents, sites visibles par type',
        querystring: Type.Object({ memberId: Type.Optional(MemberId) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            communes: Type.Integer(),
            adherentCommunes: Type.Integer(),
            adherentMembers: Type.Integer(),
            sitesByKind: Nullable(Type.Record(Type.String(), Type.Integer())),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      authorize(request, 'read', 'commune', null);
      return territory.figures(visibleScope(actorOf(request), 'site'), request.query.memberId);
    },
  );

  app.get(
    '/api/sites',
    {
      schema: {
        tags: ['territory'],
        summary: 'Lister les sites visibles',
        querystring: listQuery(['name', 'kind', 'commune', 'createdAt', 'updatedAt'], {
          kind: Type.Optional(SiteKindSchema),
          communeInsee: Type.Optional(Insee),
          memberId: Type.Optional(MemberId),
          departement: Type.Optional(Departement),
        }),
        response: { 200: pageOf(Type.Ref('Site')), ...commonErrors },
      },
    },
    async (request) => {
      const scope = visibleScope(actorOf(request), 'site');
      if (scope === 'none') throw forbidden();
      return territory.listSites(scope, request.query);
    },
  );

  app.get(
    '/api/sites/:id',
    { schema: { tags: ['territory'], summary: 'Un site', params: IdParams, response: { 200: Type.Ref('Site'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      const site = await territory.getSite(request.params.id);
      // Another member's site is reported as absent, so that its existence is not disclosed.
      if (!seesSite(request, site.memberId)) throw notFound('Site');
      return site;
    },
  );

  app.post(
    '/api/sites',
    {
      schema: {
        tags: ['territory'],
        summary: 'Créer un site (la commune est déduite des coordonnées)',
        body: Type.Object(siteFields, { additionalProperties: false }),
        response: { 201: Type.Ref('Site'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const memberId = request.body.memberId ?? actorOf(request).memberId;
      authorize(request, 'create', 'site', memberId);
      const site = await territory.createSite(auditActorOf(request), { ...request.body, memberId });
      return reply.status(201).send(site);
    },
  );

  app.patch(
    '/api/sites/:id',
    {
      schema: {
        tags: ['territory'],
        summary: 'Modifier un site',
        params: IdParams,
        body: Type.Partial(Type.Object(siteFields), { additionalProperties: false, minProperties: 1 }),
        response: { 200: Type.Ref('Site'), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      const site = await territory.getSite(request.params.id);
      if (!seesSite(request, site.memberId)) throw notFound('Site');
      authorize(request, 'update', 'site', site.memberId);
      if (request.body.memberId) authorize(request, 'update', 'site', request.body.memberId);
      return territory.updateSite(auditActorOf(request), site.id, request.body);
    },
  );

  app.delete(
    '/api/sites/:id',
    { schema: { tags: ['territory'], summary: 'Supprimer un site', params: IdParams, response: { 204: Type.Null(), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request, reply) => {
      const site = await territory.getSite(request.params.id);
      if (!seesSite(request, site.memberId)) throw notFound('Site');
      authorize(request, 'delete', 'site', site.memberId);
      await territory.deleteSite(auditActorOf(request), site.id);
      return reply.status(204).send(null);
    },
  );

  function seesSite(request: Parameters<typeof actorOf>[0], memberId: string): boolean {
    const scope = visibleScope(actorOf(request), 'site');
    return scope === 'all' || (scope !== 'none' && scope.includes(memberId));
  }
};
