// The Faro test page: the unmodified Grafana Faro web SDK and its tracing instrumentation,
// configured as its README shows, pointed at the collector the test started.
import { getWebInstrumentations, initializeFaro, faro } from '@grafana/faro-web-sdk';
import { TracingInstrumentation } from '@grafana/faro-web-tracing';
import { runVisit } from './visit.js';

const cfg = window.BEACONFLOW_TEST;
initializeFaro({
  url: cfg.collector + '/collect',
  app: { name: cfg.app, version: '1.0.0', environment: 'ci' },
  user: { id: cfg.user },
  instrumentations: [...getWebInstrumentations(), new TracingInstrumentation()],
});
window.beaconflowSessionId = () => faro.api.getSession()?.id;
runVisit('/faro');
