import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { stringify } from 'csv-stringify/sync';
import { auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { AppError, badRequest } from '../../platform/http/errors.js';
import { listQuery, pageOf } from '../../platform/http/pagination.js';
import { commonErrors, IdParams, Nullable } from '../../platform/http/schemas.js';
import { STATES, type StateCode } from './fibre.tables.js';
import type { CommuneProgress, FibreService } from './fibre.service.js';

const Insee = Type.String({ pattern: '^(78|92)\\d{3}$', description: 'Code INSEE de commune (78xxx ou 92xxx)' });
const IsoDate = Type.String({ format: 'date', description: 'AAAA-MM-JJ' });
const Operator = Type.String({ pattern: '^[A-Z0-9][A-Z0-9_-]{1,31}$', description: 'Code de l’opérateur (ex. ORANGE, XPFIBRE, THD78)' });
const Status = Type.Union([Type.Literal('accepted'), Type.Literal('superseded'), Type.Literal('refused')]);
const Figures = Type.Object({ buildings: Type.Integer(), dwellings: Type.Integer() });
const ByState = Type.Object(Object.fromEntries(STATES.map((s) => [s, Figures])) as Record<StateCode, typeof Figures>, {
  description: 'Par état : CI cible, SI signé, EC en cours de déploiement, DE déployé (raccordable), AB abandonné',
});
const Change = Nullable(Type.Object({ connectableDwellings: Type.Integer(), shareConnectable: Nullable(Type.Number()) }));

const ImportSchema = Type.Object(
  {
    id: Type.String(),
    operator: Type.String(),
    snapshotDate: Type.String(),
    status: Status,
    format: Nullable(Type.String()),
    fileName: Type.String(),
    contentHash: Nullable(Type.String()),
    encoding: Nullable(Type.String()),
    refusal: Nullable(Type.String()),
    lines: Type.Integer(),
    accepted: Type.Integer(),
    rejected: Type.Integer(),
    dwellings: Type.Integer(),
    importedAt: Type.String(),
    importedBy: Type.String(),
  },
  { $id: 'FibreImport' },
);
const RejectSchema = Type.Object({ line: Type.Integer(), buildingId: Nullable(Type.String()), reason: Type.String() }, { $id: 'FibreReject' });
const ProgressSchema = Type.Object(
  {
    insee: Type.String(),
    name: Type.String(),
    departement: Type.String(),
    population: Nullable(Type.Integer()),
    designated: Type.Boolean({ description: 'Commune du programme THD du syndicat' }),
    buildings: Type.Integer(),
    dwellings: Type.Integer({ description: 'Logements des immeubles non abandonnés' }),
    connectableDwellings: Type.Integer(),
    shareConnectable: Nullable(Type.Number()),
    byState: ByState,
    change: Change,
  },
  { $id: 'FibreCommuneProgress' },
);
const Geometry = Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) });
const FeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(Type.Object({ type: Type.Literal('Feature'), properties: Type.Record(Type.String(), Type.Unknown()), geometry: Geometry })),
});
const ProgressQuery = { date: Type.Optional(IsoDate) };

/** Per-commune progress as a flat CSV row (French column names, for spreadsheets and open data). */
function csvRow(c: CommuneProgress, date: string | null) {
  return {
    insee: c.insee,
    commune: c.name,
    departement: c.departement,
    population: c.population ?? '',
    programme: c.designated ? 'oui' : 'non',
    date_releve: date ?? '',
    immeubles: c.buildings,
    logements: c.dwellings,
    logements_cible: c.byState.CI.dwellings,
    logements_signe: c.byState.SI.dwellings,
    logements_en_cours: c.byState.EC.dwellings,
    logements_deploye: c.byState.DE.dwellings,
    logements_abandonne: c.byState.AB.dwellings,
    part_raccordable: c.shareConnectable ?? '',
    evolution_raccordables: c.change?.connectableDwellings ?? '',
  };
}

export const fibreRoutes: FastifyPluginAsyncTypebox<{ fibre: FibreService }> = async (app, { fibre }) => {
  app.addSchema(ImportSchema);
  app.addSchema(RejectSchema);
  app.addSchema(ProgressSchema);
  // Uploaded files reach the importer as a stream: it bounds memory and size itself, so the JSON body limit
  // of the rest of the API does not apply here (this parser is scoped to the fibre routes).
  app.addContentTypeParser(['text/csv', 'application/octet-stream'], async (_request: unknown, payload: Readable) => payload);

  app.post(
    '/api/fibre/imports',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Importer un fichier IPE ou d’immeubles ARCEP (corps brut text/csv) comme relevé daté d’un opérateur',
        description:
          'Une ligne invalide est rejetée avec son numéro et sa raison, le reste importé ; un fichier illisible (encodage, en-tête, séparateur) est refusé en entier (422 file_refused). Le même fichier pour le même opérateur et la même date ne change rien (200, outcome unchanged).',
        querystring: Type.Object({ operator: Operator, date: IsoDate, fileName: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ outcome: Type.Literal('unchanged'), import: Type.Ref('FibreImport'), rejects: Type.Array(Type.Ref('FibreReject')) }),
          201: Type.Object({ outcome: Type.Literal('accepted'), import: Type.Ref('FibreImport'), rejects: Type.Array(Type.Ref('FibreReject')) }),
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'fibre_import', null);
      const body = request.body as unknown;
      if (!body || typeof (body as Readable).pipe !== 'function') throw badRequest('Envoyez le fichier brut dans le corps de la requête (Content-Type: text/csv).');
      const { operator, date, fileName } = request.query;
      const result = await fibre.importFile(auditActorOf(request), { operator, date, fileName: fileName ?? `${operator}-${date}.csv`, source: body as Readable });
      if (result.outcome === 'refused') {
        throw new AppError(422, 'file_refused', `Fichier refusé : ${result.import.refusal}`, [{ field: '/body', message: result.import.refusal ?? '' }]);
      }
      return reply.status(result.outcome === 'accepted' ? 201 : 200).send(result);
    },
  );

  app.get(
    '/api/fibre/imports',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Historique des imports (les plus récents d’abord)',
        querystring: listQuery(['importedAt', 'snapshotDate', 'operator'], { operator: Type.Optional(Operator), status: Type.Optional(Status) }),
        response: { 200: pageOf(Type.Ref('FibreImport')), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'fibre_import', null);
      return fibre.listImports(request.query);
    },
  );

  app.get(
    '/api/fibre/imports/:id',
    { schema: { tags: ['fibre'], summary: 'Un import et son rapport', params: IdParams, response: { 200: Type.Ref('FibreImport'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      authorize(request, 'read', 'fibre_import', null);
      return fibre.getImport(request.params.id);
    },
  );

  app.get(
    '/api/fibre/imports/:id/rejects',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Les lignes rejetées d’un import, avec leur numéro et leur raison',
        params: IdParams,
        querystring: Type.Object({ page: Type.Integer({ minimum: 1, default: 1 }), pageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }),
        response: { 200: pageOf(Type.Ref('FibreReject')), 404: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'fibre_import', null);
      return fibre.listRejects(request.params.id, request.query);
    },
  );

  app.get(
    '/api/fibre/operators',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Les opérateurs et leur dernier relevé',
        response: { 200: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), latestSnapshot: Nullable(Type.String()), snapshots: Type.Integer() })), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'fibre', null);
      return fibre.listOperators();
    },
  );

  app.get(
    '/api/fibre/communes',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Avancement par commune au dernier relevé (ou à une date), avec l’évolution depuis le relevé précédent',
        querystring: listQuery(['name', 'insee', 'shareConnectable', 'dwellings', 'connectableDwellings', 'change'], {
          ...ProgressQuery,
          departement: Type.Optional(Type.Union([Type.Literal('78'), Type.Literal('92')])),
          designated: Type.Optional(Type.Boolean({ description: 'Seulement les communes du programme (true) ou hors programme (false)' })),
        }),
        response: {
          200: Type.Intersect([pageOf(Type.Ref('FibreCommuneProgress')), Type.Object({ date: Nullable(Type.String()), previousDate: Nullable(Type.String()) })]),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      authorize(request, 'read', 'fibre', null);
      return fibre.listCommuneProgress(request.query);
    },
  );

  app.get(
    '/api/fibre/communes.geojson',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Contours des communes suivies avec leur part de logements raccordables (carte)',
        querystring: Type.Object(ProgressQuery, { additionalProperties: false }),
        response: { 200: FeatureCollection, ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'read', 'fibre', null);
      reply.header('cache-control', 'private, max-age=60');
      return fibre.communesGeoJson(request.query.date);
    },
  );

  app.get(
    '/api/fibre/communes/:insee',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Historique d’une commune : ses chiffres à chaque date de relevé',
        params: Type.Object({ insee: Insee }),
        response: {
          200: Type.Object({
            insee: Type.String(),
            name: Type.String(),
            departement: Type.String(),
            population: Nullable(Type.Integer()),
            designated: Type.Boolean(),
            points: Type.Array(
              Type.Object({
                date: Type.String(),
                buildings: Type.Integer(),
                dwellings: Type.Integer(),
                connectableDwellings: Type.Integer(),
                shareConnectable: Nullable(Type.Number()),
                byState: ByState,
                change: Change,
              }),
            ),
          }),
          404: Type.Ref('Error'),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      authorize(request, 'read', 'fibre', null);
      return fibre.communeHistory(request.params.insee);
    },
  );

  app.get(
    '/api/fibre/communes/:insee/buildings',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Les immeubles d’une commune au dernier relevé de chaque opérateur (points GeoJSON, WGS84)',
        params: Type.Object({ insee: Insee }),
        response: { 200: FeatureCollection, 404: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'fibre', null);
      return fibre.communeBuildings(request.params.insee);
    },
  );

  app.get(
    '/api/fibre/programme',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Le programme THD : objectif de 100 000 foyers, avancement, rythme, prévision, communes classées par besoin',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 20, description: 'Nombre de communes du classement' }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            targetHouseholds: Type.Integer(),
            designatedCommunes: Type.Integer(),
            date: Nullable(Type.String()),
            connectableDwellings: Type.Integer(),
            dwellings: Type.Integer(),
            progress: Type.Number({ description: 'Logements raccordables / objectif' }),
            pacePerMonth: Nullable(Type.Integer({ description: 'Logements rendus raccordables par mois sur les douze derniers mois' })),
            forecastDate: Nullable(Type.String({ description: 'Date où l’objectif serait atteint à ce rythme' })),
            reached: Type.Boolean(),
            timeline: Type.Array(Type.Object({ date: Type.String(), connectableDwellings: Type.Integer(), dwellings: Type.Integer() })),
            rankedByNeed: Type.Array(
              Type.Object({
                rank: Type.Integer(),
                insee: Type.String(),
                name: Type.String(),
                population: Nullable(Type.Integer()),
                dwellings: Type.Integer(),
                connectableDwellings: Type.Integer(),
                shareNotConnectable: Type.Number(),
              }),
            ),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      authorize(request, 'read', 'fibre', null);
      return fibre.programme(request.query.limit);
    },
  );

  app.get(
    '/api/fibre/export/communes.json',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Export de l’avancement par commune (JSON, toutes les communes)',
        querystring: Type.Object(ProgressQuery, { additionalProperties: false }),
        response: { 200: Type.Object({ date: Nullable(Type.String()), previousDate: Nullable(Type.String()), communes: Type.Array(Type.Ref('FibreCommuneProgress')) }), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'read', 'fibre', null);
      const progress = await fibre.communeProgress(request.query.date);
      reply.header('content-disposition', `attachment; filename="fibre-communes-${progress.date ?? 'vide'}.json"`);
      return progress;
    },
  );

  app.get(
    '/api/fibre/export/communes.csv',
    {
      schema: {
        tags: ['fibre'],
        summary: 'Export de l’avancement par commune (CSV « ; », UTF-8 avec BOM pour les tableurs)',
        querystring: Type.Object(ProgressQuery, { additionalProperties: false }),
        response: { 200: Type.String(), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'read', 'fibre', null);
      const progress = await fibre.communeProgress(request.query.date);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="fibre-communes-${progress.date ?? 'vide'}.csv"`);
      return stringify(progress.communes.map((c) => csvRow(c, progress.date)), { header: true, delimiter: ';', bom: true });
    },
  );
};
