import type { TestProject } from 'vitest/node';
import { ADMIN_URL, postgresReachable } from './databases.js';
import { buildTemplates, type Templates } from './templates.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templates: Templates;
  }
}

/** Builds the run's database templates once, before any test file, and removes them afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { templates, remove } = await buildTemplates((await postgresReachable()) ? ADMIN_URL : null);
  project.provide('templates', templates);
  return remove;
}
