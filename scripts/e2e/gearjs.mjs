// Gear's own JavaScript client against this chain, unchanged: `@gear-js/api` 0.44.2 estimates gas,
// uploads, sends, reads replies and the mailbox, claims value and replies to a waiting program,
// using only its public API (what Gear's dApps and the IDEA console call). Run by e2e.mjs on the
// same `gear-node --dev`, with Charlie's account (so e2e.mjs's accounting of Bob is untouched).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GearApi, decodeAddress } from '@gear-js/api';
import { u8aToHex, stringToU8a } from '@polkadot/util';

// Signs and submits `tx`; resolves once it is in a block (or finalized) with the block hash and
// its events.
function inBlock(tx, signer) {
  return within(new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events }) => {
      if (process.env.GEAR_E2E_DEBUG) console.log('status', status.type);
      // The dev chain finalizes at once: a transaction may go from Ready straight to Finalized.
      const block = status.isInBlock ? status.asInBlock : status.isFinalized ? status.asFinalized : null;
      if (block) resolve({ blockHash: block.toHex(), events: events.map((e) => e.event) });
      else if (status.isInvalid || status.isDropped || status.isUsurped) reject(new Error(`transaction ${status.type}`));
    }).catch(reject);
  }), 'a transaction to be included');
}

const text = (bytes) => new TextDecoder().decode(bytes);

// `api.message.getReplyEvent` waits forever when no reply comes: bound it.
function within(promise, what, ms = 60_000) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function gearJsChecks({ port, examplesDir, keyring, check }) {
  const api = await GearApi.create({ providerAddress: `ws://127.0.0.1:${port}`, noInitWarn: true });
  try {
    const charlie = keyring.addFromUri('//Charlie');
    const me = decodeAddress(charlie.address);
    const wasm = (name) => readFileSync(join(examplesDir, name));
    const queuedId = (events) => {
      const queued = events.find((e) => api.events.gear.MessageQueued.is(e));
      return queued.data[0].toHex();
    };

    // Upload with the estimate's min_limit: counter's init (it reads an optional u64) succeeds.
    const counterCode = wasm('counter.wasm');
    const start = '0x0500000000000000'; // u64 5
    const initGas = await api.program.calculateGas.initUpload(me, counterCode, start, 0, true);
    check(initGas.min_limit.toBigInt() > 0n && initGas.waited.isFalse,
      `gear-js: program.calculateGas.initUpload gives min_limit ${initGas.min_limit.toString()}`);
    const salt = u8aToHex(stringToU8a('gear-js'));
    const { programId, codeId, extrinsic } = api.program.upload({
      code: counterCode, salt, initPayload: start, gasLimit: initGas.min_limit, value: 0,
    });
    const uploaded = await inBlock(extrinsic, charlie);
    const initReply = await within(
      api.message.getReplyEvent(programId, queuedId(uploaded.events), uploaded.blockHash), 'the init reply');
    check(initReply.data.message.details.unwrap().code.isSuccess,
      'gear-js: program.upload with min_limit initializes (getReplyEvent: Success)');
    check(await api.program.exists(programId), 'gear-js: program.exists');
    check(await api.code.exists(codeId), 'gear-js: code.exists (codeMetadataStorage)');
    const program = await api.programStorage.getProgram(programId);
    check(program.codeId.toHex() === codeId, 'gear-js: programStorage.getProgram gives the code id');

    // Send with the handle estimate; the reply comes back in the same block. One gas less first:
    // it runs out of gas and changes nothing, so `min_limit` then meets the state the estimate saw.
    const add = '0x0700000000000000'; // u64 7
    const total = (event) => api.createType('u64', event.data.message.payload.toU8a(true)).toBigInt();
    const gas = await api.program.calculateGas.handle(me, programId, add, 0, true);
    const short = await inBlock(api.message.send({ destination: programId, payload: add, gasLimit: gas.min_limit.toBigInt() - 1n }), charlie);
    const outOfGas = await within(
      api.message.getReplyEvent(programId, queuedId(short.events), short.blockHash), 'the reply to min_limit - 1');
    check(outOfGas.data.message.details.unwrap().code.asError.asExecution.isRanOutOfGas,
      'gear-js: min_limit - 1 runs out of gas');
    const sent = await inBlock(api.message.send({ destination: programId, payload: add, gasLimit: gas.min_limit }), charlie);
    const reply = await within(api.message.getReplyEvent(programId, queuedId(sent.events), sent.blockHash), 'the reply');
    check(total(reply) === 12n && reply.data.message.details.unwrap().code.asSuccess.isManual,
      `gear-js: message.send with min_limit ${gas.min_limit.toString()} is answered (5 + 7 = ${total(reply)})`);
    const calculated = await api.message.calculateReply({ origin: me, destination: programId, payload: add });
    check(api.createType('u64', calculated.payload.toU8a(true)).toBigInt() === 19n && calculated.code.isSuccess,
      'gear-js: message.calculateReply (gear_calculateReplyForHandle) gives 12 + 7 without changing the total');

    // Value into the mailbox, read and claimed with the client's helpers.
    const valueId = (await (async () => {
      const up = api.program.upload({ code: wasm('value.wasm'), salt, initPayload: '0x', gasLimit: 50_000_000_000n });
      await inBlock(up.extrinsic, charlie);
      return up.programId;
    })());
    const ed = api.existentialDeposit.toBigInt();
    await inBlock(api.message.send({ destination: valueId, payload: '0x', gasLimit: 50_000_000_000n, value: 10n * ed }), charlie);
    // gear-js 0.44.2 decodes a mailbox entry with its own `UserStoredMessage` type whose `value`
    // is a plain u128, while gear-core 2.0's (stored here) has a compact one: id, source and
    // payload read right, the value does not (README, "Gear's RPC").
    const mail = (await api.mailbox.read(me)).filter(([m]) => m.source.toHex() === valueId);
    check(mail.length === 1 && mail[0][0].destination.toHex() === me,
      `gear-js: mailbox.read finds the program's message (${mail[0]?.[0].id.toHex()})`);
    // Read by id, the client re-types the entry the node decoded by the metadata: the value is right.
    const [single] = await api.mailbox.read(me, mail[0][0].id.toHex());
    const stored = (await api.query.gearMessenger.mailbox(me, mail[0][0].id.toHex())).unwrap()[0];
    check(single && single.value.toBigInt() === stored.value.toBigInt() && stored.value.toBigInt() > 0n,
      `gear-js: mailbox.read(account, id) gives the message's value (${single?.value.toString()})`);
    const claimed = await inBlock(api.mailbox.claimValue.submit(mail[0][0].id.toHex()), charlie);
    check(claimed.events.some((e) => api.events.gear.UserMessageRead.is(e)), 'gear-js: mailbox.claimValue.submit');

    // Gear's deprecated state reads through the client: programState.read and program.metaHash.
    const notes = api.program.upload({ code: wasm('notes.wasm'), salt, initPayload: '0x', gasLimit: 50_000_000_000n });
    await inBlock(notes.extrinsic, charlie);
    await inBlock(api.message.send({ destination: notes.programId, payload: u8aToHex(stringToU8a('kept')), gasLimit: 50_000_000_000n }), charlie);
    const noteState = await api.programState.read({ programId: notes.programId, payload: u8aToHex(stringToU8a(' note')) });
    check(noteState.toHex() === u8aToHex(stringToU8a('kept note')),
      `gear-js: programState.read (gear_readState) gives "${Buffer.from(noteState.toU8a(true)).toString()}"`);
    const noteHash = await api.program.metaHash(notes.programId);
    check(noteHash === '0x' + '11'.repeat(32), `gear-js: program.metaHash (gear_readMetahash) ${noteHash}`);

    // A program waiting for Charlie: the reply's estimate and sendReply.
    const proxy = api.program.upload({ code: wasm('proxy.wasm'), salt, initPayload: me, gasLimit: 50_000_000_000n });
    await inBlock(proxy.extrinsic, charlie);
    const asked = await inBlock(api.message.send({ destination: proxy.programId, payload: 'question', gasLimit: 50_000_000_000n }), charlie);
    const askedId = queuedId(asked.events);
    const [question] = (await api.mailbox.read(me)).filter(([m]) => m.source.toHex() === proxy.programId);
    const replyGas = await api.program.calculateGas.reply(me, question[0].id.toHex(), 'answer', 0, true);
    const replied = await inBlock(await api.message.sendReply({
      replyToId: question[0].id.toHex(), payload: 'answer', gasLimit: replyGas.min_limit,
    }), charlie);
    const answer = await within(api.message.getReplyEvent(proxy.programId, askedId, replied.blockHash), 'the answer');
    // gear-js sends a string payload SCALE-encoded; the proxy answers with exactly those bytes.
    const answered = api.createType('String', answer.data.message.payload.toU8a(true)).toString();
    check(answered === 'answer',
      `gear-js: calculateGas.reply (${replyGas.min_limit.toString()}) + sendReply resume the waiting program (it answers "${answered}")`);

    // Bad input, as the client reports it.
    const garbage = api.program.upload({ code: stringToU8a('not wasm at all'), gasLimit: 1_000_000_000n });
    const failed = await inBlock(garbage.extrinsic, charlie);
    const failure = failed.events.find((e) => api.events.system.ExtrinsicFailed.is(e));
    const error = failure && api.getExtrinsicFailedError(failure);
    check(error?.method === 'ProgramConstructionFailed' && error.docs.length > 0,
      `gear-js: garbage code fails with ${error?.method}: "${error?.docs}"`);
    const nowhere = await api.program.calculateGas.handle(me, u8aToHex(new Uint8Array(32).fill(7)), 'PING', 0, true)
      .then(() => 'no error', (e) => String(e.message ?? e));
    check(nowhere.includes('ProgramNotFound'), `gear-js: gas for an unknown program: ${nowhere}`);
    const rejected = await api.program.calculateGas.handle(me, programId, '0x01', 0, false)
      .then(() => 'no error', (e) => String(e.message ?? e));
    check(rejected.includes('Program terminated with a trap'), `gear-js: a payload the program rejects: ${rejected}`);
  } finally {
    await api.disconnect();
  }
}
