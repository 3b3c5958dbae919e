import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { deviceRoutes } from './devices.routes.js';
import { alarmRoutes } from './alarms.routes.js';
import { studyRoutes } from './studies.js';
import type { SecurityService } from './security.service.js';

/** One plugin scope for the module's routes, so that the alarm routes can refer to the device schema. */
export async function securityRoutes(app: FastifyInstance, { security }: { security: SecurityService }): Promise<void> {
  const scoped = app.withTypeProvider<TypeBoxTypeProvider>();
  await deviceRoutes(scoped as never, { devices: security.devices });
  await alarmRoutes(scoped as never, { security });
  await studyRoutes(scoped as never, { studies: security.studies });
}
