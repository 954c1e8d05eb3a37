// The single-page-app test page: the unmodified Grafana Faro web SDK with its default web
// instrumentations and tracing, over a tiny History API router. Faro 2.12's NavigationInstrumentation
// (a pointerdown/keydown, then a URL change and DOM changes that settle, pushed as a
// `faro.navigation` event) is experimental: initializeFaro drops it unless
// `experimental: { trackNavigation: true }`, so an SPA must turn it on (docs/rum-events.md). Every route change also calls faro.api.setView, as Faro's docs suggest for
// single-page apps, so the capture shows what `view_changed` carries next to `faro.navigation`.
// SpaNavigationCaptureITCase drives it; each render writes `view <n> <route>` into #log.
import { getWebInstrumentations, initializeFaro, faro } from '@grafana/faro-web-sdk';
import { TracingInstrumentation } from '@grafana/faro-web-tracing';

const cfg = window.BEACONFLOW_TEST;
initializeFaro({
  url: cfg.collector + '/collect',
  app: { name: cfg.app, version: '1.0.0', environment: 'ci' },
  user: { id: cfg.user },
  instrumentations: [...getWebInstrumentations(), new TracingInstrumentation()],
  experimental: { trackNavigation: true },
});
window.beaconflowSessionId = () => faro.api.getSession()?.id;

const BASE = '/spa';
let renders = 0;

function log(line) {
  const li = document.createElement('li');
  li.textContent = line;
  document.getElementById('log').appendChild(li);
}

function viewName(route) {
  if (route === '/') return 'home';
  if (route.startsWith('/product/')) return 'product';
  if (route === '/checkout') return 'checkout';
  return 'not-found';
}

function link(id, route, text) {
  return '<a id="' + id + '" data-route="' + route + '" href="' + BASE + (route === '/' ? '' : route) + '">' + text + '</a>';
}

// Renders a route in place (no document load): the new content, then what it fetches.
async function render(route) {
  faro.api.setView({ name: viewName(route) });
  const n = ++renders;
  const main = document.getElementById('main');
  if (route === '/') {
    main.innerHTML = '<h1>SPA shop</h1><p>Home.</p>' + link('to-product', '/product/42', 'Product 42');
    await fetch('/api/products/1');
  } else if (route.startsWith('/product/')) {
    const id = route.substring('/product/'.length);
    main.innerHTML = '<h1>Product ' + id + '</h1>' + link('to-checkout', '/checkout', 'Checkout');
    const r = await fetch('/api/products/' + id);
    const p = document.createElement('p');
    p.textContent = 'In stock (' + r.status + ')';
    main.appendChild(p);
  } else if (route === '/checkout') {
    main.innerHTML = '<h1>Checkout</h1>' + link('to-home', '/', 'Continue shopping');
    await fetch('/api/cart');
  }
  log('view ' + n + ' ' + route);
}

// The router: same-origin links with data-route change the URL with pushState and render.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-route]');
  if (!a) return;
  ev.preventDefault();
  history.pushState({}, '', a.getAttribute('href'));
  render(a.dataset.route);
});
window.addEventListener('popstate', () => render(location.pathname.substring(BASE.length) || '/'));

render(location.pathname.substring(BASE.length) || '/');
