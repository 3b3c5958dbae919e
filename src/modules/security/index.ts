export { securityMigrations } from './security.migrations.js';
export { securityRoutes } from './security.routes.js';
export { SecurityService, type SecurityOptions } from './security.service.js';
export { DevicesService, type Device, type DeviceInput, type Centre, type SiteScope } from './devices.service.js';
export { AlarmsService, TRANSITIONS, type Alarm, type AlarmVerb, type QualificationInput } from './alarms.service.js';
export type { MqttState } from './mqtt-link.js';
export { DEVICE_KINDS, ZONES, ALARM_STATES, QUALIFICATIONS, type DeviceKind, type Zone, type AlarmState, type Qualification } from './security.tables.js';
export { EVENT_TYPES, type EventType } from './event-formats.js';
export { loadSecurityDemo, DEMO_DEVICES } from './security-demo.js';
