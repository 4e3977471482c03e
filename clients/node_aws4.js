#!/usr/bin/env node
// amzsig adapter (protocol v1, SigV4) for the npm package `aws4` (`aws4.sign(request,
// credentials)`), the SigV4 signer the `request` module and many Node tools use.
//
// What is the package's own code: the whole signature (`aws4.sign`: Host, X-Amz-Date,
// X-Amz-Security-Token, X-Amz-Content-Sha256 for s3, the canonical path, query and
// headers, the payload hash, Authorization; with `signQuery: true` the X-Amz-* query
// parameters) and the request it returns (path, headers, body). `send` uses Node's own
// `http.request` with exactly what aws4 returned (aws4 does no HTTP itself).
//
// What is glue here:
// - Time: aws4 takes "now" from `new Date()` (or from an X-Amz-Date or Date header the
//   caller set). For the synchronous `aws4.sign` call, `Date` is replaced by a subclass
//   whose no-argument constructor returns the scenario's instant.
// - Host: `request.host` = the message's Host header when given (live mode: the
//   scenario's host), else the URL's host; the connection goes to the URL's address.
// - Payload: `signed` is aws4's default (it hashes the body); for s3 aws4 adds
//   X-Amz-Content-Sha256 itself; `unsigned` sets `X-Amz-Content-Sha256: UNSIGNED-PAYLOAD`
//   (aws4 signs that header's value as the payload hash, its documented way);
//   `content-sha256` outside s3 sets the header to the body's SHA-256.
// - Presign: `signQuery: true`, with `X-Amz-Expires` in the path's query (aws4 reads it
//   from there; without it s3 gets 86400 and other services none).
// - Refusals (`unsupported`): a repeated header name (aws4 takes headers as an object).
'use strict';

const crypto = require('crypto');
const http = require('http');
const path = require('path');

const { run, withFrozenDate } = require(path.join(__dirname, 'node', 'adapterlib.js'));

const NODE_MODULES = path.join(__dirname, 'node', 'node_modules');
const aws4 = require(path.join(NODE_MODULES, 'aws4'));
const VERSION = require(path.join(NODE_MODULES, 'aws4', 'package.json')).version;

class Unsupported extends Error {}

// aws4's request object for a message, signed.
function signed(msg) {
  if (msg.sig !== 'v4') throw new Unsupported('this adapter drives aws4 (SigV4) only');
  const url = new URL(msg.endpoint);
  const headers = {};
  let host = url.host;
  for (const [name, value] of msg.headers || []) {
    if (name.toLowerCase() === 'host') {
      host = value;
      continue;
    }
    if (Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) {
      throw new Unsupported('aws4 takes headers as an object: repeated header ' + JSON.stringify(name));
    }
    headers[name] = value;
  }
  const body = msg.body || '';
  if (msg.payload === 'unsigned') headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  else if (msg.payload === 'content-sha256' && msg.service !== 's3') {
    headers['X-Amz-Content-Sha256'] = crypto.createHash('sha256').update(body, 'utf8').digest('hex');
  }
  let p = url.pathname + url.search;
  const request = { host, method: msg.method, headers, service: msg.service, region: msg.region };
  if (msg.presign_expires) {
    p += (url.search ? '&' : '?') + 'X-Amz-Expires=' + msg.presign_expires;
    request.signQuery = true;
  }
  request.path = p;
  if (body || msg.method === 'POST' || msg.method === 'PUT') request.body = body;
  const c = msg.credentials;
  const credentials = { accessKeyId: c.access_key_id, secretAccessKey: c.secret_key };
  if (c.session_token) credentials.sessionToken = c.session_token;
  withFrozenDate(
    msg.timestamp,
    () => aws4.sign(request, credentials),
    (iso) => new Error('unparseable timestamp: ' + iso),
  );
  return { url, request };
}

function sign(msg) {
  const { url, request } = signed(msg);
  return {
    method: request.method,
    url: url.protocol + '//' + url.host + request.path,
    headers: Object.entries(request.headers).map(([k, v]) => [k, String(v)]),
    body: request.body || '',
  };
}

function send(msg) {
  const { url, request } = signed(msg);
  if (!['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) {
    throw new Unsupported('live mode talks to loopback only');
  }
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers: request.headers },
      (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, body: text, error: res.statusCode >= 400 ? 'HTTP ' + res.statusCode : null, attempts: 1 });
        });
      },
    );
    req.setTimeout(8000, () => req.destroy(new Error('timeout after 8 s')));
    req.on('error', (e) => resolve({ status: null, body: '', error: String(e), attempts: 1 }));
    if (request.body) req.write(request.body);
    req.end();
  });
}

run({
  hello: {
    protocol: 1,
    name: 'aws4 (npm)',
    version: VERSION,
    capabilities: ['sigv4', 'send', 'presign', 'unsigned-payload', 'content-sha256', 'security-token', 'host-header'],
  },
  sign,
  send,
  refusal: (e) => (e instanceof Unsupported ? { message: e.message, unsupported: true } : null),
});
