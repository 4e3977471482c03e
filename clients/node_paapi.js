#!/usr/bin/env node
// amzsig adapter (protocol v1) for the npm package `amazon-product-api` (PA-API 4.x client,
// `createClient({awsId, awsSecret, awsTag})`, lib/utils.js `generateQueryString`).
//
// What is the package's own code: `client.itemSearch/itemLookup/browseNodeLookup(query)`
// -> `generateQueryString(query, Operation, credentials)`: it capitalizes query keys, adds
// its per-operation defaults (e.g. ItemLookup: Condition, ResponseGroup, IdType=ASIN,
// IncludeReviewsSummary, TruncateReviewsAt, VariationPage), forces Version=2013-08-01,
// AWSAccessKeyId, AssociateTag, Timestamp=new Date().toISOString(), Service, Operation,
// sorts the keys, encodes values with encodeURIComponent plus its own replacement of
// [!'()*], signs `GET\n{domain}\n/onca/xml\n...` (HMAC-SHA256) and returns
// `https://{domain}/onca/xml?...&Signature=...`. For `send`, the package calls
// `request(url, cb)` (the `request` npm module) and parses the XML with xml2js.
//
// What is glue here:
// - The package lets the caller inject the HTTP function (`query.request`). sign: a
//   recorder that keeps the URL and stops. send: the package's own `request` module,
//   given the same URL with the scheme switched to the endpoint's (the package always
//   builds https://; the mock is plain HTTP; the scheme is not signed), a timeout of 8 s,
//   and an attempt counter.
// - Time: `Date` is replaced, for the synchronous signing call, by a subclass whose
//   no-argument constructor returns the scenario's instant (the package formats it:
//   toISOString(), milliseconds and Z).
// - Host: `query.domain` = the endpoint's authority as written (case and port kept), unless it is the
//   package's default webservices.amazon.com (then not passed, as a US user would); the path must be
//   /onca/xml (the package cannot sign another). AssociateTag goes to credentials.awsTag;
//   other parameters are passed in `query` as given (the package overwrites Service,
//   Operation and Version itself).
// - Operations other than ItemSearch/ItemLookup/BrowseNodeLookup (which createClient does
//   not expose) are signed with the exported `generateQueryString` helper and sent with
//   the same `request` module.
// - Refusals: repeated names (object), POST/form, HmacSHA1, Expires, SecurityToken.
'use strict';

const path = require('path');

const { log, run, stack, withFrozenDate } = require(path.join(__dirname, 'node', 'adapterlib.js'));

const NODE_MODULES = path.join(__dirname, 'node', 'node_modules');
const apa = require(path.join(NODE_MODULES, 'amazon-product-api'));
const utils = require(path.join(NODE_MODULES, 'amazon-product-api', 'lib', 'utils'));
const httpRequest = require(path.join(NODE_MODULES, 'request'));
const VERSION = require(path.join(NODE_MODULES, 'amazon-product-api', 'package.json')).version;

const METHODS = { ItemSearch: 'itemSearch', ItemLookup: 'itemLookup', BrowseNodeLookup: 'browseNodeLookup' };

class Refused extends Error {}

function prepare(msg) {
  if ((msg.sig || 'v2') !== 'v2') throw new Refused('amazon-product-api signs SigV2 only');
  if (String(msg.method).toUpperCase() !== 'GET' || (msg.location || 'query') !== 'query')
    throw new Refused('amazon-product-api sends GET requests with a query string only');
  if ((msg.signature_method || 'HmacSHA256') !== 'HmacSHA256')
    throw new Refused('amazon-product-api signs with HmacSHA256 only');
  if (msg.expires) throw new Refused('amazon-product-api always sends Timestamp; it has no Expires');
  const creds = msg.credentials || {};
  if (creds.session_token) throw new Refused('amazon-product-api has no SecurityToken support');
  const endpoint = new URL(msg.endpoint);
  if (endpoint.pathname !== '/onca/xml')
    throw new Refused('amazon-product-api always requests /onca/xml, not ' + endpoint.pathname);
  const query = {};
  let operation;
  let tag;
  for (const [name, value] of msg.params || []) {
    if (Object.prototype.hasOwnProperty.call(query, name) || (name === 'Operation' && operation !== undefined))
      throw new Refused('amazon-product-api takes parameters as an object: repeated name ' + JSON.stringify(name));
    if (name === 'Operation') operation = value;
    else if (name === 'AssociateTag') tag = value;
    else query[name] = value;
  }
  if (operation === undefined) throw new Refused('amazon-product-api needs an Operation');
  // The package's documented way to pick another endpoint is `query.domain` (its default is
  // webservices.amazon.com, which a US user never passes). Authority, port included.
  // The authority is taken as written (new URL() would lowercase it and drop a default port).
  const authority = msg.endpoint.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '').split(/[/?#]/)[0];
  if (authority !== 'webservices.amazon.com') query.domain = authority;
  const credentials = { awsId: creds.access_key_id, awsSecret: creds.secret_key, awsTag: tag };
  const scheme = endpoint.protocol.replace(':', '');
  const toEndpointScheme = (url) =>
    scheme !== 'https' && url.startsWith('https://') ? scheme + '://' + url.slice('https://'.length) : url;
  return { query, operation, credentials, toEndpointScheme, timestamp: msg.timestamp };
}

// Runs the package's call with `req` as its HTTP function; returns the package's promise.
function runClient(p, req) {
  return withFrozenDate(p.timestamp, () => {
    const method = METHODS[p.operation];
    if (method) {
      const client = apa.createClient(p.credentials);
      return client[method](Object.assign({}, p.query, { request: req }));
    }
    // Not exposed by createClient: the package's exported signing helper, then `req`.
    const url = utils.generateQueryString(Object.assign({}, p.query), p.operation, p.credentials);
    return new Promise((resolve, reject) => {
      req(url, (err, response, body) => (err ? reject(err) : response.statusCode === 200 ? resolve(body) : reject(body)));
    });
  }, (iso) => new Refused('unparseable timestamp: ' + iso));
}

async function sign(msg) {
  const p = prepare(msg);
  let captured;
  const STOP = new Error('captured');
  const recorder = (url, cb) => {
    captured = url;
    cb(STOP);
  };
  await runClient(p, recorder).catch((e) => {
    if (e !== STOP) throw e;
  });
  if (captured === undefined) throw new Error('amazon-product-api made no request');
  const url = p.toEndpointScheme(captured);
  return { method: 'GET', url, headers: [['Host', new URL(url).host]], body: '' };
}

function describe(e) {
  if (e instanceof Error) return e.name + ': ' + e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch (_) {
    return String(e);
  }
}

async function send(msg) {
  const p = prepare(msg);
  const seen = { attempts: 0, status: null, body: '' };
  const transport = (url, cb) => {
    seen.attempts += 1;
    httpRequest({ url: p.toEndpointScheme(url), timeout: 8000 }, (err, response, body) => {
      if (response) {
        seen.status = response.statusCode;
        seen.body = typeof body === 'string' ? body : String(body);
      }
      cb(err, response, body);
    });
  };
  const out = {};
  // The package parses responses inside callbacks, so some of its failures (e.g.
  // `resp[method + 'ErrorResponse']` on an empty body) are thrown there, outside its promise:
  // they arrive as uncaught exceptions and are reported as what the client surfaced.
  await new Promise((resolve) => {
    let settled = false;
    const settle = (error) => {
      if (settled) return;
      settled = true;
      pendingCrash = null;
      if (error !== undefined) out.error = error;
      resolve();
    };
    pendingCrash = (e) => settle('uncaught in amazon-product-api: ' + describe(e));
    let promise;
    try {
      promise = runClient(p, transport);
    } catch (e) {
      settle(describe(e));
      return;
    }
    promise.then(() => settle(), (e) => settle(describe(e)));
  });
  out.status = seen.status;
  out.body = seen.body;
  out.attempts = seen.attempts;
  return out;
}

// An exception thrown inside one of the package's callbacks: attributed to the pending
// send (if any), logged, and never allowed to end the adapter.
let pendingCrash = null;
process.on('uncaughtException', (e) => {
  log('uncaught: ' + stack(e));
  if (pendingCrash) pendingCrash(e);
});

run({
  hello: { protocol: 1, name: 'amazon-product-api (npm)', version: VERSION, capabilities: ['sigv2', 'send', 'paapi'] },
  sign,
  send,
  refusal: (e) => (e instanceof Refused ? { message: e.message } : null),
  describe,
});
