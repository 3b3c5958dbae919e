/** Evidence packages: built from a requisition's held segments, verified, downloaded and handed over. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../platform/db/database.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { conflict, notFound } from '../../platform/http/errors.js';
import type { PackageStatus } from './evidence.tables.js';
import { removePartialBuilds, verifyPackage, type SegmentSource, type VerificationResult } from './package-format.js';
import { buildInChildProcess } from './package-builder.js';
import type { RecordingsService } from './recordings.js';
import { registerSummary } from './register.js';
import type { Requisition, RequisitionsService } from './requisitions.js';
import type { AuthorisationsService } from './authorisations.js';
import type { SigningKey } from './signing-key.js';

export interface EvidencePackage {
  id: string;
  requisitionId: string;
  status: PackageStatus;
  name: string;
  segmentCount: number;
  sizeBytes: number | null;
  manifestSha256: string | null;
  error: string | null;
  createdAt: string;
  createdBy: string;
  readyAt: string | null;
  handedTo: string | null;
  handoverMedia: string | null;
  handedOverAt: string | null;
  handedOverBy: string | null;
}

type Row = Awaited<ReturnType<ReturnType<PackagesService['query']>['executeTakeFirstOrThrow']>>;

const toPackage = (r: Row): EvidencePackage => ({
  id: r.id,
  requisitionId: r.requisition_id,
  status: r.status,
  name: r.name,
  segmentCount: r.segment_count,
  sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
  manifestSha256: r.manifest_sha256,
  error: r.error,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  readyAt: r.ready_at?.toISOString() ?? null,
  handedTo: r.handed_to,
  handoverMedia: r.handover_media,
  handedOverAt: r.handed_over_at?.toISOString() ?? null,
  handedOverBy: r.handed_over_by,
});

export class PackagesService {
  /** Builds under way, so that callers (tests, the CLI) can wait for one. */
  private readonly building = new Map<string, Promise<void>>();
  /** The builder process of each build under way, by package id (operators' diagnostics, tests). */
  readonly builders = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly recordings: RecordingsService,
    private readonly requisitions: RequisitionsService,
    private readonly authorisations: AuthorisationsService,
    private readonly signingKey: () => SigningKey,
    readonly root: string,
  ) {}

  private query() {
    return this.db.selectFrom('evidence_packages').selectAll();
  }

  /** After a crash: builds that were running failed, and their partial folders go. */
  async recover(): Promise<void> {
    await this.db.updateTable('evidence_packages').set({ status: 'failed', error: 'construction interrompue (arrêt du serveur) : relancez l’extraction' }).where('status', '=', 'building').execute();
    await removePartialBuilds(this.root);
  }

  async list(requisitionId: string): Promise<EvidencePackage[]> {
    return (await this.query().where('requisition_id', '=', requisitionId).orderBy('created_at', 'desc').execute()).map(toPackage);
  }

  async get(id: string): Promise<EvidencePackage> {
    const row = await this.query().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Scellé');
    return toPackage(row);
  }

  /** Resolves when the build of `id` has ended (successfully or not). */
  async settled(id: string): Promise<EvidencePackage> {
    await this.building.get(id);
    return this.get(id);
  }

  /** Starts an extraction; the package is `building` until every file is written, then `ready` or `failed`. */
  async extract(actor: AuditActor, requisitionId: string, reason: string): Promise<EvidencePackage> {
    const requisition = await this.requisitions.get(requisitionId);
    if (requisition.status === 'closed') throw conflict('La réquisition est close : ses images ne sont plus gelées.');
    const running = await this.db.selectFrom('evidence_packages').select('id').where('requisition_id', '=', requisitionId).where('status', '=', 'building').executeTakeFirst();
    if (running) throw conflict('Une extraction de cette réquisition est déjà en cours.');
    const segments = await this.recordings
      .query()
      .innerJoin('evidence_holds as hh', 'hh.segment_id', 'g.id')
      .where('hh.requisition_id', '=', requisitionId)
      .where('hh.released_at', 'is', null)
      .where('g.deleted_at', 'is', null)
      .orderBy('d.code')
      .orderBy('g.starts_at')
      .execute();
    if (!segments.length) throw conflict('Aucun enregistrement gelé pour cette réquisition : rien à extraire.');
    const id = randomUUID();
    const createdAt = new Date();
    const name = `REQ-${requisition.number.replace(/[^\w-]+/g, '_')}-${createdAt.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
    await this.db.insertInto('evidence_packages').values({ id, requisition_id: requisitionId, status: 'building', name, segment_count: segments.length, created_by: actor.label, size_bytes: null, manifest_sha256: null, error: null, ready_at: null, handed_to: null, handover_media: null, handed_over_at: null, handed_over_by: null }).execute();
    const authorisation = await this.authorisations.find(requisition.siteId);
    const sources = segments.map((s) => ({
      source: this.recordings.resolve(s.location)!,
      expectedSha256: s.sha256,
      camera: { id: s.camera_id, code: s.camera_code, name: s.camera_name },
      from: s.starts_at.toISOString(),
      to: s.ends_at.toISOString(),
    }));
    const build = this.build(actor, requisition, { id, name, createdAt, reason, authorisation: authorisation?.reference ?? null }, sources);
    this.building.set(id, build);
    void build.finally(() => {
      this.building.delete(id);
      this.builders.delete(id);
    });
    return this.get(id);
  }

  private async build(actor: AuditActor, requisition: Requisition, pkg: { id: string; name: string; createdAt: Date; reason: string; authorisation: string | null }, sources: SegmentSource[]): Promise<void> {
    const cameras = requisition.coverage.map((c) => ({ id: c.cameraId, code: c.cameraCode }));
    const register = { cameras, from: requisition.from, to: requisition.to, siteName: requisition.siteName, requisition: requisition.number, service: `${requisition.authority} — ${requisition.officerService}` };
    try {
      await fs.promises.mkdir(this.root, { recursive: true });
      const built = await buildInChildProcess({
        root: this.root,
        name: pkg.name,
        segments: sources,
        manifest: {
          package: { id: pkg.id, name: pkg.name, createdAt: pkg.createdAt.toISOString(), extractedBy: actor.label, reason: pkg.reason },
          requisition: { number: requisition.number, authority: requisition.authority, officerName: requisition.officerName, officerService: requisition.officerService, legalBasis: requisition.legalBasis, from: requisition.from, to: requisition.to, deadline: requisition.deadline },
          site: { id: requisition.siteId, name: requisition.siteName, memberId: requisition.memberId, authorisation: pkg.authorisation },
        },
      }, this.signingKey(), (pid) => this.builders.set(pkg.id, pid));
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('evidence_packages').set({ status: 'ready', size_bytes: built.size, manifest_sha256: built.manifestSha256, ready_at: new Date() }).where('id', '=', pkg.id).execute();
        await trx.updateTable('evidence_requisitions').set({ status: 'extracted' }).where('id', '=', requisition.id).where('status', '=', 'open').execute();
        await appendAudit(trx, {
          actor,
          action: 'evidence.package.extract',
          entityType: 'evidence_package',
          entityId: pkg.id,
          memberId: requisition.memberId,
          summary: registerSummary({ reason: pkg.reason, ...register, media: pkg.name, segments: sources.length, bytes: built.size, manifestSha256: built.manifestSha256 }),
        });
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('evidence_packages').set({ status: 'failed', error: message }).where('id', '=', pkg.id).execute();
        await appendAudit(trx, { actor, action: 'evidence.package.fail', entityType: 'evidence_package', entityId: pkg.id, memberId: requisition.memberId, summary: registerSummary({ reason: pkg.reason, ...register, media: pkg.name, error: message }) });
      });
    }
  }

  /** The folder of a ready package. */
  async folder(id: string): Promise<{ pkg: EvidencePackage; dir: string }> {
    const pkg = await this.get(id);
    if (pkg.status !== 'ready') throw conflict(pkg.status === 'building' ? 'Le scellé est en cours de construction.' : `L’extraction a échoué : ${pkg.error ?? 'erreur inconnue'}`);
    return { pkg, dir: path.join(this.root, pkg.name) };
  }

  async verify(id: string): Promise<VerificationResult> {
    const { dir } = await this.folder(id);
    return verifyPackage(dir, this.signingKey().publicKeyPem);
  }

  /** Records a download in the register before the archive is sent. */
  async recordDownload(actor: AuditActor, id: string): Promise<{ pkg: EvidencePackage; dir: string }> {
    const found = await this.folder(id);
    const requisition = await this.requisitions.get(found.pkg.requisitionId);
    await this.db.transaction().execute((trx) =>
      appendAudit(trx, {
        actor,
        action: 'evidence.package.download',
        entityType: 'evidence_package',
        entityId: id,
        memberId: requisition.memberId,
        summary: registerSummary({ reason: `Téléchargement du scellé de la réquisition n° ${requisition.number}`, cameras: requisition.coverage.map((c) => ({ id: c.cameraId, code: c.cameraCode })), from: requisition.from, to: requisition.to, siteName: requisition.siteName, requisition: requisition.number, media: `${found.pkg.name}.tar`, service: requisition.officerService }),
      }),
    );
    return found;
  }

  async handover(actor: AuditActor, id: string, input: { handedTo: string; media: string; handedOverAt?: string | undefined; reason: string }): Promise<EvidencePackage> {
    const { pkg } = await this.folder(id);
    if (pkg.handedOverAt) throw conflict(`Ce scellé a déjà été remis le ${pkg.handedOverAt} à ${pkg.handedTo ?? '?'}.`);
    const requisition = await this.requisitions.get(pkg.requisitionId);
    const at = input.handedOverAt ? new Date(input.handedOverAt) : new Date();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('evidence_packages').set({ handed_to: input.handedTo, handover_media: input.media, handed_over_at: at, handed_over_by: actor.label }).where('id', '=', id).execute();
      await trx.updateTable('evidence_requisitions').set({ status: 'handed_over' }).where('id', '=', requisition.id).where('status', '<>', 'closed').execute();
      await appendAudit(trx, {
        actor,
        action: 'evidence.package.handover',
        entityType: 'evidence_package',
        entityId: id,
        memberId: requisition.memberId,
        summary: registerSummary({ reason: input.reason, cameras: requisition.coverage.map((c) => ({ id: c.cameraId, code: c.cameraCode })), from: requisition.from, to: requisition.to, siteName: requisition.siteName, requisition: requisition.number, media: input.media, service: input.handedTo, package: pkg.name, handedOverAt: at.toISOString(), manifestSha256: pkg.manifestSha256 }),
      });
    });
    return this.get(id);
  }
}
