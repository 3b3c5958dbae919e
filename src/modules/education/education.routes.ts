import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { badRequest } from '../../platform/http/errors.js';
import { listQuery, pageOf } from '../../platform/http/pagination.js';
import { commonErrors, IdParams, Nullable, Uuid } from '../../platform/http/schemas.js';
import { ASSET_STATES, ASSET_TYPES, CHECKLIST_ITEMS, LEAVER_RULES, LEVELS, LICENCE_PROFILES, REPAIR_KINDS, REPAIR_OUTCOMES, REPAIR_STATUSES } from './education.tables.js';
import type { EducationService } from './education.service.js';
import type { Holder } from './asset.service.js';

const TAGS = ['education'];
const Enum = <T extends string>(values: readonly T[], description?: string) => Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description && { description }) });
const YearId = Type.String({ pattern: '^\\d{4}-\\d{4}$', description: 'Année scolaire, ex. 2026-2027' });
const IsoDate = Type.String({ format: 'date' });
const Uai = Type.String({ pattern: '^\\d{7}[A-Za-z]$', description: 'Code UAI de l’école (7 chiffres et une lettre)' });
const errors = { ...commonErrors, 404: Type.Ref('Error'), 409: Type.Ref('Error') };
const route = <const S extends object>(summary: string, schema: S) => ({ schema: { tags: TAGS, summary, ...schema } });

const SchoolYear = Type.Object({ id: YearId, startDate: IsoDate, endDate: IsoDate }, { $id: 'EducationSchoolYear' });
const School = Type.Object({ id: Type.String(), uai: Type.String(), name: Type.String(), memberId: Type.String(), pupils: Type.Integer(), classes: Type.Integer(), assets: Type.Integer() }, { $id: 'EducationSchool' });
const Class = Type.Object({ id: Type.String(), schoolId: Type.String(), schoolYear: Type.String(), name: Type.String(), levels: Type.Array(Type.String()), pupils: Type.Integer() }, { $id: 'EducationClass' });
const Pupil = Type.Object(
  {
    id: Type.String(),
    schoolId: Type.String(),
    schoolRef: Type.String({ description: 'Identifiant propre à l’école (jamais l’INE)' }),
    firstName: Type.String(),
    lastInitial: Type.String(),
    level: Type.String(),
    classId: Nullable(Type.String()),
    className: Nullable(Type.String()),
    guardians: Type.Integer({ description: 'Nombre de responsables légaux (pour les licences parents)' }),
    leftAt: Nullable(Type.String()),
    tablet: Nullable(Type.String({ description: 'Numéro de série de la tablette attribuée' })),
  },
  { $id: 'EducationPupil' },
);
const Staff = Type.Object({ id: Type.String(), schoolRef: Type.String(), firstName: Type.String(), lastName: Type.String(), role: Type.String(), email: Nullable(Type.String()), devices: Type.Integer() }, { $id: 'EducationStaff' });
const Asset = Type.Object(
  {
    id: Type.String(),
    memberId: Type.String(),
    schoolId: Nullable(Type.String()),
    schoolName: Nullable(Type.String()),
    type: Type.String(),
    serial: Type.String(),
    label: Type.String(),
    supplier: Nullable(Type.String()),
    orderRef: Nullable(Type.String()),
    purchaseDate: Nullable(Type.String()),
    warrantyEnd: Nullable(Type.String()),
    unitPrice: Nullable(Type.Number()),
    state: Type.String(),
    room: Nullable(Type.String()),
    holder: Nullable(Type.String()),
  },
  { $id: 'EducationAsset' },
);
const History = Type.Object({ at: Type.String(), actor: Type.String(), event: Type.String(), fromState: Nullable(Type.String()), toState: Type.String(), detail: Type.String() });
const Repair = Type.Object(
  {
    id: Type.String(),
    assetId: Type.String(),
    serial: Type.String(),
    assetType: Type.String(),
    memberId: Type.String(),
    schoolId: Nullable(Type.String()),
    schoolName: Nullable(Type.String()),
    kind: Type.String(),
    description: Type.String(),
    status: Type.String(),
    outcome: Nullable(Type.String()),
    holder: Nullable(Type.String()),
    loanSerial: Nullable(Type.String()),
    reportedBy: Type.String(),
    reportedAt: Type.String(),
    closedAt: Nullable(Type.String()),
  },
  { $id: 'EducationRepair' },
);
const Licence = Type.Object({ profile: Type.String(), purchased: Type.Integer(), needed: Type.Integer(), allocated: Type.Integer() }, { $id: 'EducationLicencePool' });
const RolloverSummary = Type.Object(
  {
    schoolId: Type.String(),
    schoolName: Type.String(),
    fromYear: Type.String(),
    toYear: Type.String(),
    rule: Type.String(),
    changed: Type.Boolean({ description: 'false : école déjà basculée vers cette année, rien n’a changé' }),
    classesCreated: Type.Integer(),
    pupilsMovedUp: Type.Integer(),
    pupilsLeft: Type.Integer(),
    tabletsToCollect: Type.Integer(),
    tabletsLeftWithPupils: Type.Integer(),
  },
  { $id: 'EducationRolloverSummary' },
);
const Targets = Type.Object({ devices: Type.Integer({ minimum: 0 }), teachersEquipped: Type.Integer({ minimum: 0 }), projectors: Type.Integer({ minimum: 0 }), licences: Type.Integer({ minimum: 0 }) });
const Programme = Type.Object(
  {
    memberId: Type.String(),
    name: Type.String(),
    startYear: Type.Integer(),
    leaverRule: Type.String(),
    targets: Targets,
    actuals: Type.Object({ devices: Type.Integer(), teachersEquipped: Type.Integer(), teachers: Type.Integer(), projectors: Type.Integer(), licences: Type.Integer() }),
    plan: Type.Array(Type.Object({ year: Type.Integer(), budget: Type.Number(), spent: Type.Number() })),
    waves: Type.Array(Type.Object({ schoolId: Type.String(), schoolName: Type.String(), uai: Type.String(), wave: Type.Integer(), plannedDate: Type.String(), devices: Type.Integer(), pupils: Type.Integer() })),
    byType: Type.Array(Type.Object({ type: Type.String(), count: Type.Integer() })),
    indicators: Type.Object({
      devicesPer100Pupils: Nullable(Type.Number()),
      shareClassesEquipped: Nullable(Type.Number()),
      spendAgainstPlan: Nullable(Type.Number()),
      spendAgainstPlanToDate: Nullable(Type.Number()),
      budgetTotal: Type.Number(),
      spentTotal: Type.Number(),
      averageFleetAgeYears: Nullable(Type.Number()),
    }),
  },
  { $id: 'EducationProgramme' },
);
const Reject = Type.Object({ file: Type.String(), line: Type.Integer(), reason: Type.String() });
const HolderBody = Type.Union([
  Type.Object({ kind: Type.Literal('pupil'), pupilId: Uuid }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('teacher'), staffId: Uuid }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('class'), classId: Uuid }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('room'), room: Type.String({ minLength: 1, maxLength: 60 }) }, { additionalProperties: false }),
]);
const SchoolParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const Base64 = Type.String({ contentEncoding: 'base64', maxLength: 14_000_000, description: 'Contenu du fichier CSV en base64 (octets d’origine, UTF-8 ou ISO-8859-1)' });
const fromBase64 = (value: string | undefined) => (value === undefined ? undefined : Buffer.from(value, 'base64'));

export const educationRoutes: FastifyPluginAsyncTypebox<{ education: EducationService }> = async (app, { education }) => {
  for (const schema of [SchoolYear, School, Class, Pupil, Staff, Asset, Repair, Licence, RolloverSummary, Programme]) app.addSchema(schema);
  // Asset files arrive as raw CSV bytes: the importer detects their encoding itself.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  // School years and schools

  app.get('/api/education/school-years', route('Les années scolaires', { response: { 200: Type.Array(Type.Ref('EducationSchoolYear')), ...commonErrors } }), async (request) => {
    authorize(request, 'read', 'education_school', actorOf(request).memberId);
    return education.listSchoolYears();
  });

  app.post(
    '/api/education/school-years',
    route('Créer une année scolaire (calendrier national, réservé au syndicat)', { body: Type.Object({ id: YearId, startDate: IsoDate, endDate: IsoDate }, { additionalProperties: false }), response: { 201: Type.Ref('EducationSchoolYear'), ...errors } }),
    async (request, reply) => {
      authorize(request, 'create', 'education_school', null);
      return reply.status(201).send(await education.createSchoolYear(auditActorOf(request), request.body));
    },
  );

  app.get('/api/education/schools', route('Les écoles visibles (pour le personnel scolaire : ses écoles seulement)', { response: { 200: Type.Array(Type.Ref('EducationSchool')), ...commonErrors } }), async (request) =>
    education.listSchools(actorOf(request)),
  );

  app.post(
    '/api/education/schools',
    route('Inscrire un site scolaire du territoire (avec son UAI) au module éducation', { body: Type.Object({ siteId: Uuid }, { additionalProperties: false }), response: { 201: Type.Ref('EducationSchool'), ...errors } }),
    async (request, reply) => {
      const school = await education.registerSchool(actorOf(request), request.body.siteId);
      return reply.status(201).send(await education.getSchool(actorOf(request), school.id));
    },
  );

  app.get('/api/education/schools/:id', route('Une école', { params: SchoolParams, response: { 200: Type.Ref('EducationSchool'), ...errors } }), async (request) => education.getSchool(actorOf(request), request.params.id));

  app.get(
    '/api/education/schools/:id/staff-access',
    route('Les comptes du personnel scolaire ayant accès à l’école', { params: SchoolParams, response: { 200: Type.Array(Type.Object({ userId: Type.String(), email: Type.String(), displayName: Type.String() })), ...errors } }),
    async (request) => education.listStaffAccess(actorOf(request), request.params.id),
  );

  app.post(
    '/api/education/schools/:id/staff-access',
    route('Donner accès à l’école à un compte « personnel scolaire »', { params: SchoolParams, body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 200 }) }, { additionalProperties: false }), response: { 204: Type.Null(), ...errors } }),
    async (request, reply) => {
      await education.grantStaffAccess(actorOf(request), request.params.id, request.body.email);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/education/schools/:id/classes',
    route('Les classes d’une école pour une année (par défaut l’année en cours)', { params: SchoolParams, querystring: Type.Object({ year: Type.Optional(YearId) }, { additionalProperties: false }), response: { 200: Type.Array(Type.Ref('EducationClass')), ...errors } }),
    async (request) => education.listClasses(actorOf(request), request.params.id, request.query.year),
  );

  app.post(
    '/api/education/schools/:id/classes',
    route('Créer une classe (éventuellement multiniveau)', {
      params: SchoolParams,
      body: Type.Object({ schoolYear: YearId, name: Type.String({ minLength: 1, maxLength: 60 }), levels: Type.Array(Enum(LEVELS), { minItems: 1, maxItems: 3, uniqueItems: true }) }, { additionalProperties: false }),
      response: { 201: Type.Ref('EducationClass'), ...errors },
    }),
    async (request, reply) => reply.status(201).send(await education.createClass(actorOf(request), request.params.id, request.body)),
  );

  app.get(
    '/api/education/schools/:id/pupils',
    route('Les élèves d’une école (personnel de l’école et gestionnaires seulement)', {
      params: SchoolParams,
      querystring: listQuery(['name', 'schoolRef', 'level', 'className'], { classId: Type.Optional(Uuid), includeLeft: Type.Optional(Type.Boolean()) }),
      response: { 200: pageOf(Type.Ref('EducationPupil')), ...errors },
    }),
    async (request) => education.listPupils(actorOf(request), request.params.id, request.query),
  );

  app.get('/api/education/schools/:id/staff', route('Les enseignants et personnels d’une école', { params: SchoolParams, response: { 200: Type.Array(Type.Ref('EducationStaff')), ...errors } }), async (request) =>
    education.listStaff(actorOf(request), request.params.id),
  );

  app.get(
    '/api/education/pupils/:id/export',
    route('Toutes les données d’un élève (droit d’accès RGPD), accès journalisé', { params: IdParams, response: { 200: Type.Object({}, { additionalProperties: true }), ...errors } }),
    async (request) => education.exportPupil(actorOf(request), request.params.id),
  );

  app.post(
    '/api/education/imports/onde',
    {
      bodyLimit: 40 * 1024 * 1024,
      ...route('Importer l’extraction ONDE d’une école (élèves, enseignants, responsables ; CSV « ; » en base64)', {
        description: 'Un fichier illisible (encodage, colonne manquante, colonne INE) refuse tout l’import (422 file_refused) ; une ligne invalide est rejetée avec son numéro et sa raison.',
        body: Type.Object(
          { uai: Uai, schoolYear: YearId, files: Type.Object({ pupils: Base64, teachers: Type.Optional(Base64), guardians: Type.Optional(Base64) }, { additionalProperties: false }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            schoolId: Type.String(),
            uai: Type.String(),
            schoolYear: Type.String(),
            lines: Type.Integer(),
            pupils: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
            staff: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
            classes: Type.Object({ created: Type.Integer() }),
            encodings: Type.Record(Type.String(), Type.String()),
            rejects: Type.Array(Reject),
          }),
          ...errors,
        },
      }),
    },
    async (request) => {
      const { files } = request.body;
      return education.importOnde(actorOf(request), { uai: request.body.uai.toUpperCase(), schoolYear: request.body.schoolYear, files: { pupils: fromBase64(files.pupils)!, teachers: fromBase64(files.teachers), guardians: fromBase64(files.guardians) } });
    },
  );

  // Rollover and personal data

  app.post(
    '/api/education/rollover',
    route('Bascule d’année scolaire d’une école ou de toutes celles gérées (transactionnelle, sans effet la seconde fois)', {
      body: Type.Object({ toYear: YearId, schoolId: Type.Optional(Uuid) }, { additionalProperties: false }),
      response: { 200: Type.Array(Type.Ref('EducationRolloverSummary')), ...errors },
    }),
    async (request) => education.rollover.run(actorOf(request), request.body),
  );

  app.get(
    '/api/education/schools/:id/rollover-checklist',
    route('La liste des tâches de la dernière bascule d’une école (tablettes à récupérer…)', {
      params: SchoolParams,
      querystring: Type.Object({ toYear: Type.Optional(YearId) }, { additionalProperties: false }),
      response: {
        200: Nullable(Type.Object({ summary: Type.Ref('EducationRolloverSummary'), doneAt: Type.String(), doneBy: Type.String(), items: Type.Array(Type.Object({ item: Enum(CHECKLIST_ITEMS), label: Type.String(), done: Type.Boolean(), serial: Nullable(Type.String()) })) })),
        ...errors,
      },
    }),
    async (request) => education.rollover.checklist(actorOf(request), request.params.id, request.query.toYear),
  );

  app.post(
    '/api/education/purge',
    route('Supprimer les données des élèves partis depuis plus que la durée de conservation', { response: { 200: Type.Object({ purged: Type.Integer(), before: Type.String() }), ...errors } }),
    async (request) => {
      authorize(request, 'delete', 'education_pupil', null);
      return education.purgeLeftPupils(auditActorOf(request));
    },
  );

  // Assets

  app.get(
    '/api/education/assets',
    route('Le parc d’équipements', {
      querystring: listQuery(['serial', 'type', 'state', 'purchaseDate'], { schoolId: Type.Optional(Uuid), type: Type.Optional(Enum(ASSET_TYPES)), state: Type.Optional(Enum(ASSET_STATES)) }),
      response: { 200: pageOf(Type.Ref('EducationAsset')), ...errors },
    }),
    async (request) => education.assets.list(actorOf(request), request.query),
  );

  app.get(
    '/api/education/assets/by-serial/:serial',
    route('Un équipement par son numéro de série (scan)', { params: Type.Object({ serial: Type.String({ minLength: 1, maxLength: 80 }) }), response: { 200: Type.Ref('EducationAsset'), ...errors } }),
    async (request) => education.assets.bySerial(actorOf(request), request.params.serial),
  );

  app.get(
    '/api/education/assets/:id',
    route('Un équipement et son historique complet', { params: IdParams, response: { 200: Type.Intersect([Type.Ref('EducationAsset'), Type.Object({ history: Type.Array(History) })]), ...errors } }),
    async (request) => education.assets.get(actorOf(request), request.params.id),
  );

  app.post(
    '/api/education/assets/imports',
    route('Importer des équipements dans plusieurs écoles ou membres (corps brut text/csv « ; »)', {
      description: 'Colonnes : voir docs/education.md. Une ligne invalide (UAI inconnu, numéro de série en double…) est rejetée avec son numéro ; le reste est importé ensemble.',
      response: { 200: Type.Object({ lines: Type.Integer(), created: Type.Integer(), encoding: Type.String(), rejects: Type.Array(Type.Object({ line: Type.Integer(), serial: Nullable(Type.String()), reason: Type.String() })) }), ...errors },
    }),
    async (request) => {
      authorize(request, 'create', 'education_asset', actorOf(request).memberId);
      if (!Buffer.isBuffer(request.body)) throw badRequest('Envoyez le fichier CSV brut dans le corps de la requête (Content-Type: text/csv).');
      return education.assets.importCsv(actorOf(request), request.body);
    },
  );

  app.post(
    '/api/education/assets/:id/assign',
    route('Attribuer un équipement en stock à un élève, un enseignant, une classe ou une salle (409 s’il est déjà attribué)', {
      params: IdParams,
      body: Type.Object({ schoolId: Uuid, holder: HolderBody }, { additionalProperties: false }),
      response: { 200: Type.Ref('EducationAsset'), ...errors },
    }),
    async (request) => education.assets.assign(actorOf(request), request.params.id, request.body.schoolId, request.body.holder as Holder),
  );

  app.post('/api/education/assets/:id/check-in', route('Restituer un équipement (retour en stock)', { params: IdParams, response: { 200: Type.Ref('EducationAsset'), ...errors } }), async (request) =>
    education.assets.checkIn(actorOf(request), request.params.id),
  );

  app.post(
    '/api/education/classes/:id/class-set',
    route('Attribuer un lot de classe : un équipement du stock de l’école à chaque élève qui n’en a pas (tout ou rien)', {
      params: IdParams,
      body: Type.Object({ type: Enum(ASSET_TYPES) }, { additionalProperties: false }),
      response: { 200: Type.Object({ classId: Type.String(), type: Type.String(), assigned: Type.Array(Type.Object({ pupilId: Type.String(), serial: Type.String() })) }), ...errors },
    }),
    async (request) => education.assets.assignClassSet(actorOf(request), request.params.id, request.body.type),
  );

  app.post(
    '/api/education/classes/:id/check-in',
    route('Restituer les équipements d’une classe (de ses élèves et de la classe)', {
      params: IdParams,
      body: Type.Object({ type: Type.Optional(Enum(ASSET_TYPES)) }, { additionalProperties: false }),
      response: { 200: Type.Object({ classId: Type.String(), returned: Type.Integer() }), ...errors },
    }),
    async (request) => education.assets.checkInClass(actorOf(request), request.params.id, request.body.type),
  );

  app.post(
    '/api/education/schools/:id/room-audits',
    route('Inventaire d’une salle par scan des numéros de série : attendus, trouvés, manquants, inattendus', {
      params: SchoolParams,
      body: Type.Object({ room: Type.String({ minLength: 1, maxLength: 60 }), serials: Type.Array(Type.String({ maxLength: 80 }), { maxItems: 2000 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          schoolId: Type.String(),
          room: Type.String(),
          expected: Type.Integer(),
          found: Type.Array(Type.String()),
          missing: Type.Array(Type.Object({ serial: Type.String(), type: Type.String(), label: Type.String() })),
          unexpected: Type.Array(Type.Object({ serial: Type.String(), registeredAt: Type.String() })),
        }),
        ...errors,
      },
    }),
    async (request) => education.assets.auditRoom(actorOf(request), request.params.id, request.body.room, request.body.serials),
  );

  app.get(
    '/api/education/deliveries',
    route('Les livraisons reçues des achats (acceptées ou rejetées avec leur raison)', {
      response: { 200: Type.Array(Type.Object({ deliveryId: Type.String(), memberId: Nullable(Type.String()), status: Type.String(), reason: Nullable(Type.String()), assets: Type.Integer(), receivedAt: Type.String() })), ...errors },
    }),
    async (request) => education.assets.listDeliveries(actorOf(request)),
  );

  // Repairs

  app.get(
    '/api/education/repairs',
    route('Les tickets de réparation', { querystring: Type.Object({ status: Type.Optional(Enum(REPAIR_STATUSES)), schoolId: Type.Optional(Uuid) }, { additionalProperties: false }), response: { 200: Type.Array(Type.Ref('EducationRepair')), ...errors } }),
    async (request) => education.repairs.list(actorOf(request), request.query),
  );

  app.post(
    '/api/education/repairs',
    route('Signaler un équipement en panne, perdu ou volé', {
      body: Type.Object({ assetId: Uuid, kind: Enum(REPAIR_KINDS), description: Type.String({ minLength: 3, maxLength: 1000 }) }, { additionalProperties: false }),
      response: { 201: Type.Ref('EducationRepair'), ...errors },
    }),
    async (request, reply) => reply.status(201).send(await education.repairs.report(actorOf(request), request.body)),
  );

  app.post('/api/education/repairs/:id/start', route('Prendre en charge un ticket (technicien)', { params: IdParams, response: { 200: Type.Ref('EducationRepair'), ...errors } }), async (request) =>
    education.repairs.start(actorOf(request), request.params.id),
  );

  app.post(
    '/api/education/repairs/:id/loan',
    route('Prêter un équipement du stock pendant la réparation', { params: IdParams, body: Type.Object({ loanAssetId: Uuid }, { additionalProperties: false }), response: { 200: Type.Ref('EducationRepair'), ...errors } }),
    async (request) => education.repairs.lend(actorOf(request), request.params.id, request.body.loanAssetId),
  );

  app.post(
    '/api/education/repairs/:id/close',
    route('Clore un ticket : réparé (retour au détenteur), remplacé (réforme) ou non retrouvé', {
      params: IdParams,
      body: Type.Object({ outcome: Enum(REPAIR_OUTCOMES) }, { additionalProperties: false }),
      response: { 200: Type.Ref('EducationRepair'), ...errors },
    }),
    async (request) => education.repairs.close(actorOf(request), request.params.id, request.body.outcome),
  );

  // ENT licences

  app.get('/api/education/schools/:id/licences', route('Licences ENT par profil : achetées, nécessaires, attribuées', { params: SchoolParams, response: { 200: Type.Array(Type.Ref('EducationLicencePool')), ...errors } }), async (request) =>
    education.programme.licences(actorOf(request), request.params.id),
  );

  app.put(
    '/api/education/schools/:id/licences/:profile',
    route('Fixer le nombre de licences achetées d’un profil', {
      params: Type.Object({ id: Uuid, profile: Enum(LICENCE_PROFILES) }, { additionalProperties: false }),
      body: Type.Object({ purchased: Type.Integer({ minimum: 0, maximum: 100000 }) }, { additionalProperties: false }),
      response: { 200: Type.Array(Type.Ref('EducationLicencePool')), ...errors },
    }),
    async (request) => education.programme.setPurchased(actorOf(request), request.params.id, request.params.profile, request.body.purchased),
  );

  app.get(
    '/api/education/schools/:id/provisioning.csv',
    route('Export de provisionnement des comptes ENT de l’école (CSV « ; », colonnes documentées)', { params: SchoolParams, produces: ['text/csv'], response: { 200: Type.String(), ...errors } }),
    async (request, reply) => {
      const csv = await education.programme.provisioningCsv(actorOf(request), request.params.id);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="provisionnement-ent.csv"').send(csv);
    },
  );

  // Programme

  const MemberParams = Type.Object({ memberId: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }) }, { additionalProperties: false });
  app.get('/api/education/programmes/:memberId', route('Le programme pluriannuel d’un membre : plan, vagues, réalisé et indicateurs', { params: MemberParams, response: { 200: Type.Ref('EducationProgramme'), ...errors } }), async (request) =>
    education.programme.get(actorOf(request), request.params.memberId),
  );

  app.put(
    '/api/education/programmes/:memberId',
    route('Créer ou remplacer le programme d’un membre', {
      params: MemberParams,
      body: Type.Object(
        {
          name: Type.String({ minLength: 3, maxLength: 200 }),
          startYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
          leaverRule: Enum(LEAVER_RULES, 'return : la tablette d’un élève qui part au collège est récupérée ; keep : elle le suit'),
          targets: Targets,
          budgets: Type.Array(Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }), budget: Type.Number({ minimum: 0 }) }, { additionalProperties: false }), { maxItems: 20 }),
          waves: Type.Array(Type.Object({ schoolId: Uuid, wave: Type.Integer({ minimum: 1, maximum: 20 }), plannedDate: IsoDate }, { additionalProperties: false }), { maxItems: 200 }),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Ref('EducationProgramme'), ...errors },
    }),
    async (request) => education.programme.save(actorOf(request), request.params.memberId, request.body),
  );
};
