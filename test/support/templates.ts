import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/platform/config.js';
import { openPlatform } from '../../src/platform/platform.js';
import { seedDemo } from '../../src/demo/seed.js';

/**
 * Migrating and seeding a database takes tens of seconds, and every test file needs one per driver.
 * The run builds each kind once (migrated only, and migrated with the demo data): an embedded dump
 * that test files load, and a PostgreSQL template database that they copy.
 */
export type TemplateKind = 'bare' | 'seeded';

export interface Templates {
  pglite: Record<TemplateKind, string>;
  postgres: Record<TemplateKind, string> | null;
}

/** The demo writes recordings and a signing key under DATA_DIR: a folder of the run's, never the project's ./data. */
const dataDir = (dir: string, name: string) => path.join(dir, `data-${name}`);

async function buildPglite(dir: string, kind: TemplateKind): Promise<string> {
  const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir(dir, `pglite-${kind}`) }), { inMemory: true });
  try {
    if (kind === 'seeded') await seedDemo(platform);
    const file = path.join(dir, `${kind}.tar`);
    fs.writeFileSync(file, Buffer.from(await (await platform.database.dump!()).arrayBuffer()));
    return file;
  } finally {
    await platform.close();
  }
}

async function buildPostgres(adminUrl: string, kind: TemplateKind, dir: string): Promise<string> {
  const name = `mutualis_tpl_${kind}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url.toString(), DATA_DIR: dataDir(dir, `postgres-${kind}`) }), { poolSize: 2 });
  try {
    if (kind === 'seeded') await seedDemo(platform);
  } finally {
    await platform.close();
  }
  return name;
}

export async function buildTemplates(adminUrl: string | null): Promise<{ templates: Templates; remove: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-templates-'));
  const [bare, seeded, pgBare, pgSeeded] = await Promise.all([
    buildPglite(dir, 'bare'),
    buildPglite(dir, 'seeded'),
    adminUrl ? buildPostgres(adminUrl, 'bare', dir) : null,
    adminUrl ? buildPostgres(adminUrl, 'seeded', dir) : null,
  ]);
  const postgres = pgBare && pgSeeded ? { bare: pgBare, seeded: pgSeeded } : null;
  return {
    templates: { pglite: { bare, seeded }, postgres },
    async remove() {
      fs.rmSync(dir, { recursive: true, force: true });
      if (!adminUrl || !postgres) return;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      for (const name of Object.values(postgres)) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
