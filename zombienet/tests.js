// The network's tests, run by zombienet's `js-script` (gear-network.zndsl):
//   finalized,<para>     the relay chain finalizes blocks that include the para's heads
//   hrmp                 relay root opens HRMP channels 2000 <-> 2001 and processes them at once
//   roundtrip,<dir>      upload ping to para 2000, send PING, get PONG
//   transact,<dir>       para 2001 (root) sends XCM Transact(GearXcm.deliver) to a program on
//                        para 2000; the reply comes back to para 2001 (GearXcm.ReplyReceived)
//   pingpong,<dir>       a proxy on para 2000 awaits ping on para 2001 through the bridge
//   caughtup,<node>      a restarted collator of para 2000 follows the chain and authors again
// Each returns 1 on success and throws with the reason otherwise.
const { readFileSync } = require('fs');
const { join } = require('path');
const { ApiPromise, WsProvider } = require('@polkadot/api');
const { Keyring } = require('@polkadot/keyring');
const {
  u8aConcat,
  u8aToHex,
  hexToU8a,
  stringToU8a,
  compactToU8a,
  bnToU8a,
} = require('@polkadot/util');
const { blake2AsU8a, cryptoWaitReady } = require('@polkadot/util-crypto');

const UNIT = 10n ** 12n;
const GAS = 50_000_000_000n;
const BRIDGE_ID = blake2AsU8a(stringToU8a('gear-xcm/bridge'));

function log(...args) {
  console.log('[gear]', ...args);
}

async function connect(networkInfo, name) {
  const node = networkInfo.nodesByName[name];
  if (!node) throw new Error(`no node ${name}`);
  return ApiPromise.create({ provider: new WsProvider(node.wsUri), noInitWarn: true });
}

function programId(code, salt) {
  const codeId = blake2AsU8a(code);
  return blake2AsU8a(u8aConcat(stringToU8a('program_from_user'), codeId, salt));
}

// The para chains here fork: two collators, async backing, and a loaded machine mean a block
// that was best (even one a transaction was "in") can be dropped for a sibling, and a transaction
// re-included at another height gets another message id (Gear's ids hash the block number). So
// every step below works on finalized blocks only: a transaction counts once it is finalized, and
// events are looked for in the finalized chain, block by block, from a known height on.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function finalizedNumber(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}

// Submits `tx` signed by `signer`; resolves with `{ events, block }` (the finalized block's
// number) once the block holding it is finalized, rejects on a dispatch error or a dropped tx.
function submit(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsub;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        if (unsub) unsub();
        let what = dispatchError.toString();
        if (dispatchError.isModule) {
          const d = api.registry.findMetaError(dispatchError.asModule);
          what = `${d.section}.${d.name}`;
        }
        reject(new Error(`dispatch failed: ${what}`));
      } else if (status.isFinalized) {
        if (unsub) unsub();
        api.rpc.chain
          .getHeader(status.asFinalized)
          .then((header) => resolve({ events, block: header.number.toNumber() }), reject);
      } else if (status.isDropped || status.isInvalid || status.isUsurped || status.isFinalityTimeout) {
        if (unsub) unsub();
        reject(new Error(`transaction ${status.type}`));
      }
    })
      .then((u) => {
        unsub = u;
      })
      .catch(reject);
  });
}

// Looks for the first event matching `pred` in finalized blocks numbered `from` and later, for
// up to `ms`; resolves with the event.
async function waitEvent(api, pred, what, from, ms = 300_000) {
  const deadline = Date.now() + ms;
  let next = from;
  while (Date.now() < deadline) {
    const head = await finalizedNumber(api);
    for (; next <= head; next++) {
      const hash = await api.rpc.chain.getBlockHash(next);
      for (const { event } of await api.query.system.events.at(hash)) {
        if (pred(event)) return event;
      }
    }
    await sleep(2000);
  }
  throw new Error(`timed out waiting for ${what} (finalized blocks #${from}..#${next - 1} searched)`);
}

function replyTo(messageId) {
  return (event) =>
    event.section === 'gear' &&
    event.method === 'UserMessageSent' &&
    event.data.message.details.isSome &&
    event.data.message.details.unwrap().to.toHex() === messageId;
}

async function upload(api, signer, code, salt, init, value) {
  const id = programId(code, salt);
  if ((await api.query.gearProgram.programStorage(id)).isSome) return u8aToHex(id);
  const { block } = await submit(
    api,
    api.tx.gear.uploadProgram(u8aToHex(code), u8aToHex(salt), init, GAS, value, false),
    signer,
  );
  await waitEvent(
    api,
    (e) =>
      e.section === 'gear' &&
      e.method === 'ProgramChanged' &&
      e.data.id.toHex() === u8aToHex(id) &&
      e.data.change.isActive,
    'program initialized',
    block,
  );
  return u8aToHex(id);
}

// Sends `payload` to `destination`; resolves with the reply's payload (hex) and code.
async function request(api, signer, destination, payload) {
  const { events, block } = await submit(api, api.tx.gear.sendMessage(destination, payload, GAS, 0, false), signer);
  const queued = events.find(({ event }) => event.section === 'gear' && event.method === 'MessageQueued');
  if (!queued) throw new Error('no MessageQueued');
  const id = queued.event.data.id.toHex();
  const reply = await waitEvent(api, replyTo(id), `reply to ${id}`, block);
  const message = reply.data.message;
  return { payload: message.payload.toHex(), code: message.details.unwrap().code.toHex() };
}

const TESTS = {
  async finalized(networkInfo, [para]) {
    const relay = await connect(networkInfo, 'relay-a');
    try {
      for (let i = 0; i < 60; i++) {
        const hash = await relay.rpc.chain.getFinalizedHead();
        const head = await relay.query.paras.heads.at(hash, Number(para));
        if (head.isSome) {
          const number = relay.registry.createType('Header', head.unwrap().toU8a(true)).number.toNumber();
          if (number >= 2) {
            log(`relay finalized para ${para} block ${number}`);
            return 1;
          }
        }
        await new Promise((r) => setTimeout(r, 5000));
      }
      throw new Error(`para ${para} heads not finalized on the relay chain`);
    } finally {
      await relay.disconnect();
    }
  },

  // Channels are opened here rather than in the TOML's `[[hrmp_channels]]`: genesis-opened
  // channels put their notifications into the paras' DMQ with `sent_at = 0`, which cumulus'
  // inherent treats as already processed (the para's `LastProcessedDownwardMessage` defaults to
  // `sent_at = 0`), so the paras fail with "DMQ head mismatch" and never author a block
  // (docs/BUILD.md). Forced open and processed at once, they work from the next para block
  // without waiting for a session change.
  async hrmp(networkInfo) {
    const relay = await connect(networkInfo, 'relay-a');
    try {
      const sudo = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const open = (sender, recipient) => relay.tx.hrmp.forceOpenHrmpChannel(sender, recipient, 8, 8192);
      await submit(
        relay,
        relay.tx.sudo.sudo(relay.tx.utility.batchAll([open(2000, 2001), open(2001, 2000), relay.tx.hrmp.forceProcessHrmpOpen(2)])),
        sudo,
      );
      for (const [sender, recipient] of [[2000, 2001], [2001, 2000]]) {
        const channel = await relay.query.hrmp.hrmpChannels({ sender, recipient });
        if (channel.isNone) throw new Error(`HRMP channel ${sender} -> ${recipient} is not open`);
      }
      log('HRMP channels 2000 <-> 2001 open');
      return 1;
    } finally {
      await relay.disconnect();
    }
  },

  async roundtrip(networkInfo, [dir]) {
    const api = await connect(networkInfo, 'alice');
    try {
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const ping = await upload(api, alice, readFileSync(join(dir, 'ping.wasm')), stringToU8a('zn'), '0x', 0);
      const { payload } = await request(api, alice, ping, u8aToHex(stringToU8a('PING')));
      if (payload !== u8aToHex(stringToU8a('PONG'))) throw new Error(`ping answered ${payload}`);
      log('round trip: PING -> PONG on para 2000');
      return 1;
    } finally {
      await api.disconnect();
    }
  },

  async transact(networkInfo, [dir]) {
    const a = await connect(networkInfo, 'alice');
    const b = await connect(networkInfo, 'charlie');
    try {
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const ping = await upload(a, alice, readFileSync(join(dir, 'ping.wasm')), stringToU8a('zn'), '0x', 0);
      const query = u8aToHex(blake2AsU8a(stringToU8a(`transact-${Date.now()}`)));
      const call = a.tx.gearXcm.deliver(ping, u8aToHex(stringToU8a('PING')), 10_000_000_000n, 0, query);
      const fee = { id: { parents: 0, interior: 'Here' }, fun: { Fungible: UNIT } };
      const message = {
        V5: [
          { WithdrawAsset: [fee] },
          { BuyExecution: { fees: fee, weightLimit: 'Unlimited' } },
          { Transact: { originKind: 'Xcm', fallbackMaxWeight: null, call: { encoded: call.method.toHex() } } },
          'RefundSurplus',
          {
            DepositAsset: {
              assets: { Wild: { AllCounted: 1 } },
              beneficiary: { parents: 1, interior: { X1: [{ Parachain: 2001 }] } },
            },
          },
        ],
      };
      const dest = { V5: { parents: 1, interior: { X1: [{ Parachain: 2000 }] } } };
      const fromA = (await finalizedNumber(a)) + 1;
      const fromB = (await finalizedNumber(b)) + 1;
      await submit(b, b.tx.sudo.sudo(b.tx.polkadotXcm.send(dest, message)), alice);
      await waitEvent(
        a,
        (e) => e.section === 'gearXcm' && e.method === 'Delivered' && e.data.replyTo.toHex() === query,
        'GearXcm.Delivered on para 2000',
        fromA,
      );
      const reply = await waitEvent(
        b,
        (e) => e.section === 'gearXcm' && e.method === 'ReplyReceived' && e.data.query.toHex() === query,
        'GearXcm.ReplyReceived on para 2001',
        fromB,
      );
      if (reply.data.payload.toHex() !== u8aToHex(stringToU8a('PONG'))) {
        throw new Error(`reply payload ${reply.data.payload.toHex()}`);
      }
      log('transact: para 2001 -> program on para 2000 -> PONG back on para 2001');
      return 1;
    } finally {
      await a.disconnect();
      await b.disconnect();
    }
  },

  async pingpong(networkInfo, [dir]) {
    const a = await connect(networkInfo, 'alice');
    const b = await connect(networkInfo, 'charlie');
    try {
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const ping = await upload(b, alice, readFileSync(join(dir, 'ping.wasm')), stringToU8a('zn'), '0x', 0);
      const proxy = await upload(
        a,
        alice,
        readFileSync(join(dir, 'proxy.wasm')),
        stringToU8a('bridge'),
        u8aToHex(BRIDGE_ID),
        10n * UNIT,
      );
      // BridgeRequest::Program { para_id, program, payload, gas_limit, value, timeout: None }
      const pingPayload = stringToU8a('PING');
      const req = u8aConcat(
        new Uint8Array([0]),
        bnToU8a(2001, { bitLength: 32 }),
        hexToU8a(ping),
        compactToU8a(pingPayload.length),
        pingPayload,
        bnToU8a(10_000_000_000n, { bitLength: 64 }),
        bnToU8a(0, { bitLength: 128 }),
        new Uint8Array([0]),
      );
      const { payload, code } = await request(a, alice, proxy, u8aToHex(req));
      if (payload !== u8aToHex(stringToU8a('PONG'))) {
        throw new Error(`proxy answered ${payload} (code ${code})`);
      }
      log('ping-pong: program on para 2000 awaited ping on para 2001 through the bridge');
      return 1;
    } finally {
      await a.disconnect();
      await b.disconnect();
    }
  },

  async caughtup(networkInfo, [name]) {
    const node = await connect(networkInfo, name);
    const other = await connect(networkInfo, 'alice');
    try {
      const authorities = (await other.query.aura.authorities()).map((k) => k.toHex());
      const me = new Keyring({ type: 'sr25519' }).addFromUri(`//${name[0].toUpperCase()}${name.slice(1)}`);
      const myIndex = authorities.indexOf(u8aToHex(me.publicKey));
      if (myIndex < 0) throw new Error(`${name} is not an aura authority`);
      const start = (await other.rpc.chain.getHeader()).number.toNumber();
      for (let i = 0; i < 60; i++) {
        const mine = (await node.rpc.chain.getHeader()).number.toNumber();
        const theirs = (await other.rpc.chain.getHeader()).number.toNumber();
        if (mine >= start + 3 && mine + 1 >= theirs) {
          // Followed the chain; now look for a block it authored after the restart.
          for (let n = start + 1; n <= mine; n++) {
            const hash = await node.rpc.chain.getBlockHash(n);
            const header = await node.rpc.chain.getHeader(hash);
            const pre = header.digest.logs.find((l) => l.isPreRuntime && l.asPreRuntime[0].toString() === 'aura');
            if (!pre) continue;
            const slot = node.registry.createType('u64', pre.asPreRuntime[1]).toBigInt();
            if (Number(slot % BigInt(authorities.length)) === myIndex) {
              log(`${name} caught up to #${mine} and authored #${n}`);
              return 1;
            }
          }
        }
        await new Promise((r) => setTimeout(r, 5000));
      }
      throw new Error(`${name} did not catch up and author`);
    } finally {
      await node.disconnect();
      await other.disconnect();
    }
  },
};

async function run(nodeName, networkInfo, args) {
  await cryptoWaitReady();
  const [name, ...rest] = args;
  const test = TESTS[name];
  if (!test) throw new Error(`unknown test ${name}`);
  return test(networkInfo, rest);
}

module.exports = { run };
