// Shared glue for the Node adapters (protocol v1, one JSON object a line on stdin and
// stdout): the message loop, the error replies, a frozen `Date` for the signing call and
// stderr logging. The Python adapters share the same pieces in clients/adapterlib.py.
// Nothing here signs: each adapter passes its client's `sign` and `send`.
'use strict';

function log(...args) {
  process.stderr.write(args.join(' ') + '\n');
}

function stack(e) {
  return e && e.stack ? e.stack : String(e);
}

// Runs `fn` with `Date` replaced by a subclass whose no-argument constructor (and `now`)
// give the instant `iso`; `onBadTime(iso)` builds the error thrown for an unparseable one.
function withFrozenDate(iso, fn, onBadTime) {
  const RealDate = Date;
  const t = RealDate.parse(iso);
  if (Number.isNaN(t)) throw onBadTime(iso);
  class FrozenDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(t);
      else super(...args);
    }
    static now() {
      return t;
    }
  }
  global.Date = FrozenDate;
  try {
    return fn();
  } finally {
    global.Date = RealDate;
  }
}

// The protocol loop. `adapter`:
// - `hello`: the hello reply's fields after `type` (protocol, name, version, capabilities);
// - `sign(msg)`, `send(msg)`: the `signed` / `sent` reply's fields (or a promise of them);
// - `refusal(e)`: the error reply's fields (`message`, maybe `unsupported`) when `e` is a
//   refusal, else null: then the stack goes to stderr and the message is `describe(e)`;
// - `describe(e)` (default `String`).
async function serve(adapter) {
  const readline = require('readline');
  const describe = adapter.describe || String;
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const write = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) continue;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      write({ type: 'error', id: null, message: 'bad JSON: ' + e.message });
      continue;
    }
    const id = msg.id;
    try {
      if (msg.type === 'hello') {
        write(Object.assign({ type: 'hello' }, adapter.hello));
      } else if (msg.type === 'sign') {
        write(Object.assign({ type: 'signed', id }, await adapter.sign(msg)));
      } else if (msg.type === 'send') {
        write(Object.assign({ type: 'sent', id }, await adapter.send(msg)));
      } else {
        write({ type: 'error', id, message: 'unsupported message type: ' + msg.type });
      }
    } catch (e) {
      const refused = adapter.refusal(e);
      if (refused) write(Object.assign({ type: 'error', id }, refused));
      else {
        log(stack(e));
        write({ type: 'error', id, message: describe(e) });
      }
    }
  }
}

// Starts the adapter: anything the client logs goes to stderr, never to the protocol
// stream; a failure of the loop itself ends the process with status 1.
function run(adapter) {
  console.log = (...args) => log(...args);
  serve(adapter).catch((e) => {
    log(stack(e));
    process.exit(1);
  });
}

module.exports = { log, stack, withFrozenDate, run };
