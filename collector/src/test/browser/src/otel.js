// The OpenTelemetry test page: the web tracer with the auto-instrumentations (document load, fetch,
// XHR, user interaction), the OTLP/HTTP JSON exporter and web-common's session span processor,
// pointed at the collector the test started.
import { WebTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-web';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZoneContextManager } from '@opentelemetry/context-zone';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { getWebAutoInstrumentations } from '@opentelemetry/auto-instrumentations-web';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  createSessionSpanProcessor,
  createSessionManager,
  createDefaultSessionIdGenerator,
  createLocalStorageSessionStore,
} from '@opentelemetry/web-common';
import { runVisit } from './visit.js';

const cfg = window.BEACONFLOW_TEST;
const sessions = createSessionManager({
  sessionIdGenerator: createDefaultSessionIdGenerator(),
  sessionStore: createLocalStorageSessionStore(),
  maxDuration: 4 * 3600,
  inactivityTimeout: 1800,
});
async function main() {
// Spans carry session.id only once the session is restored or started.
await sessions.start();
const provider = new WebTracerProvider({
  resource: resourceFromAttributes({
    'service.name': cfg.app,
    'service.version': '1.0.0',
    'deployment.environment.name': 'ci',
    'user.id': cfg.user,
  }),
  spanProcessors: [
    createSessionSpanProcessor(sessions),
    new BatchSpanProcessor(new OTLPTraceExporter({ url: cfg.collector + '/v1/traces' }), {
      scheduledDelayMillis: 1000,
    }),
  ],
});
provider.register({ contextManager: new ZoneContextManager() });
registerInstrumentations({
  instrumentations: [
    getWebAutoInstrumentations({
      '@opentelemetry/instrumentation-fetch': { ignoreUrls: [/\/v1\/traces$/] },
      '@opentelemetry/instrumentation-xml-http-request': { ignoreUrls: [/\/v1\/traces$/] },
    }),
  ],
});
window.beaconflowSessionId = () => sessions.getSessionId();
runVisit('/otel');
}
main();
