export {
  startXEmulator,
  XEmulator,
  type XEmulatorOptions,
  type RequestLogEntry,
  type SentMessages,
} from './server';
export { EmulatorClock } from './clock';
export {
  parseScenario,
  scenarioSchema,
  type Scenario,
  type FaultRuleInput,
  type DmSetting,
} from './scenario';
export { faultPresetNames, type FaultPresetName } from './faults';
export {
  endpointKeys,
  defaultRateLimits,
  type EndpointKey,
  type EndpointRateLimit,
} from './endpoints';
export { applyAction, emulatorActionSchema, type EmulatorAction } from './admin-routes';
export {
  eventEnvelope,
  type WebhookDelivery,
  type CrcResult,
  type ReplayJob,
  type WebhookConfigView,
} from './webhooks';
export {
  demoScenario,
  demoSenderCredentials,
  DEMO_SENDER_USERNAME,
  DEMO_SENDER_USER_ID,
  DEMO_CAMPAIGN_POST_ID,
  DEMO_CONSUMER_SECRET,
  DEMO_OAUTH_CLIENT,
} from './demo';
export { AUTHORIZE_PATH } from './oauth-consent';
export { answerConsent } from './consent-driver';
