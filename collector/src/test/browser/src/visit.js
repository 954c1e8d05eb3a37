// The scripted visit both test pages run (BrowserEndToEndITCase drives it). The page's route is
// location.pathname under /<sdk>/: "/" fetches a product and throws a real TypeError; "/product/42"
// loads with an XHR, then a late banner shifts the layout (CLS) and "add-to-cart" fetches;
// "/checkout" has "place-order", whose POST the backend answers 500 the first time. Every fetch is
// same-origin, so the SDKs put a W3C traceparent on it. The page writes what it did into #log so
// the driver waits for a condition, not for a fixed time.

function log(line) {
  const li = document.createElement('li');
  li.textContent = line;
  document.getElementById('log').appendChild(li);
}

async function getJson(url, init) {
  const r = await fetch(url, init);
  log(`${init && init.method ? init.method : 'GET'} ${url} ${r.status}`);
  return r;
}

function xhr(url) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.open('GET', url);
    x.onloadend = () => {
      log(`XHR ${url} ${x.status}`);
      resolve(x.status);
    };
    x.send();
  });
}

export function runVisit(base) {
  const route = location.pathname.substring(base.length) || '/';
  const main = document.getElementById('main');
  if (route === '/') {
    main.innerHTML = '<h1>Beaconflow test shop</h1><p>Home.</p><a id="to-product" href="' + base + '/product/42">Product 42</a>';
    getJson('/api/products/1').then(() => {
      // A real bug, not a synthetic throw: the price lookup of a missing item.
      setTimeout(() => {
        log('reading price');
        const item = JSON.parse('null');
        log('price ' + item.price);
      }, 150);
    });
  } else if (route.startsWith('/product/')) {
    const id = route.substring('/product/'.length);
    main.innerHTML =
      '<h1>Product ' + id + '</h1><p id="desc">A fine product with a long description.</p>' +
      '<button id="add-to-cart" data-faro-user-action-name="add-to-cart">Add to cart</button> ' +
      '<a id="to-checkout" href="' + base + '/checkout">Checkout</a>';
    xhr('/api/products/' + id).then(() => {
      // A late banner above the content: a layout shift the CLS vital must report.
      setTimeout(() => {
        const b = document.createElement('div');
        b.style.height = '120px';
        b.textContent = 'Free shipping today';
        main.insertBefore(b, main.firstChild);
        log('banner');
      }, 300);
    });
    document.getElementById('add-to-cart').addEventListener('click', () => {
      getJson('/api/products/' + id + '?cart=1');
    });
  } else if (route === '/checkout') {
    main.innerHTML =
      '<h1>Checkout</h1><button id="place-order" data-faro-user-action-name="place-order">Place order</button>';
    document.getElementById('place-order').addEventListener('click', () => {
      getJson('/api/checkout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":[42]}' });
    });
  }
}
