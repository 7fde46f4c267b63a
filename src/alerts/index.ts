/** Alerts and maintenance windows: see README "Alerts and maintenance". */
export {
  ALERTS_SCHEMA,
  loadAlertsFile,
  MAINTENANCE_SCHEMA,
  NO_ALERTS,
  readAlerts,
  readMaintenance,
} from './config.ts';
export { Dispatcher } from './dispatcher.ts';
export { alertEvents } from './events.ts';
export { MaintenanceSchedule, underMaintenance } from './maintenance.ts';
export { registerAlertMetrics } from './metrics.ts';
export { Alerts, holdOnVantageTrouble, outboxEventsOf } from './service.ts';
export type * from './types.ts';
