// End-to-end test: starts `gear-node --dev --tmp` on free ports and drives it with @polkadot/api.
//
// Usage: node e2e.mjs <path/to/gear-node> <examples-dir>
//
// Bob uploads programs and sends messages; Alice is the dev chain's only collator, so she is the
// block author who receives the value of burned gas. That makes the accounting exact:
//   Bob's loss = his transaction fees + gas burned, and Alice's gain = gas burned.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aConcat, u8aToHex, stringToU8a, hexToU8a } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { gearJsChecks } from './gearjs.mjs';

const [nodeBin, examplesDir] = process.argv.slice(2);
if (!nodeBin || !examplesDir) {
  console.error('usage: node e2e.mjs <gear-node> <examples-dir>');
  process.exit(2);
}

const GAS = 50_000_000_000n; // 50 ms of ref_time
const LOOP_GAS = 10_000_000_000n;
const TIMEOUT_MS = 180_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

let node;
let failures = 0;
function check(condition, what) {
  if (condition) {
    console.log(`  ok   ${what}`);
  } else {
    failures += 1;
    console.log(`  FAIL ${what}`);
  }
}

function stopNode() {
  if (node && node.exitCode === null) {
    node.kill('SIGINT');
    setTimeout(() => node.exitCode === null && node.kill('SIGKILL'), 5000).unref();
  }
}
process.on('exit', stopNode);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopNode();
    process.exit(130);
  });
}

async function connect(port) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (node.exitCode !== null) throw new Error(`gear-node exited with ${node.exitCode}`);
    const provider = new WsProvider(`ws://127.0.0.1:${port}`, false);
    try {
      await provider.connect();
      const until = Date.now() + 3000;
      while (!provider.isConnected && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (!provider.isConnected) throw new Error('not connected yet');
      return await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
    } catch {
      await provider.disconnect().catch(() => {});
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error('gear-node did not answer RPC in time');
}

// Every event of every new block, in order.
const seen = [];
const waiters = [];
function onEvents(blockNumber, events) {
  for (const { event } of events) seen.push({ blockNumber, event });
  for (const waiter of [...waiters]) waiter();
}
function waitForEvent(predicate, what, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(test), 1);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const test = () => {
      const found = seen.find(({ event }) => predicate(event));
      if (found) {
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(test), 1);
        resolve(found);
      }
    };
    waiters.push(test);
    test();
  });
}

// Submits `tx` signed by `signer`; resolves when it is in a block with its events, the fee paid
// and the dispatch error (as `section.name`) if any.
function submit(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (!status.isInBlock && !status.isFinalized) return;
      let error = null;
      if (dispatchError) {
        if (dispatchError.isModule) {
          const meta = api.registry.findMetaError(dispatchError.asModule);
          error = `${meta.section}.${meta.name}`;
        } else {
          error = dispatchError.toString();
        }
      }
      let fee = 0n;
      for (const { event } of events) {
        if (api.events.transactionPayment.TransactionFeePaid.is(event)) {
          fee += event.data.actualFee.toBigInt();
        }
      }
      resolve({ events: events.map((e) => e.event), error, fee });
    }).catch(reject);
  });
}

async function main() {
  await cryptoWaitReady();
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  node = spawn(
    nodeBin,
    ['--dev', '--tmp', '--rpc-port', String(rpcPort), '--port', String(p2pPort), '--no-prometheus',
      '--no-telemetry', '--dev-block-time', '1000',
      // GEAR_E2E_LOG=gear=debug shows why the runtime refused something.
      ...(process.env.GEAR_E2E_LOG ? ['-l', process.env.GEAR_E2E_LOG] : [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const logs = [];
  node.stderr.on('data', (chunk) => {
    logs.push(chunk.toString());
    if (logs.length > 400) logs.shift();
  });

  try {
    const api = await connect(rpcPort);
    console.log(`connected to ${(await api.rpc.system.chain()).toString()} on port ${rpcPort}`);
    await api.rpc.chain.subscribeNewHeads(async (header) => {
      const at = await api.at(header.hash);
      onEvents(header.number.toNumber(), await at.query.system.events());
    });

    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob');
    const balance = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
    const bank = u8aToHex(u8aConcat(stringToU8a('modl'), stringToU8a('py/gbank'), new Uint8Array(20)));
    const ed = api.consts.balances.existentialDeposit.toBigInt();
    // Storage deposits: codes' held from the uploader (reserved), memory pages' held by the bank.
    const reserved = async (who) => (await api.query.system.account(who)).data.reserved.toBigInt();
    const programDeposits = async () => (await api.query.gearBank.programDeposits.entries())
      .reduce((sum, [, deposit]) => sum + deposit.toBigInt(), 0n);
    const aliceStart = await balance(alice.address);
    const bobStart = await balance(bob.address);
    const bobReservedStart = await reserved(bob.address);
    const depositsStart = await programDeposits();
    let bobFees = 0n;

    const send = async (tx) => {
      const result = await submit(api, tx, bob);
      bobFees += result.fee;
      return result;
    };
    // polkadot-js reads a Uint8Array given for `Bytes` as already SCALE-encoded (length prefix
    // first): a WASM file, starting with 0x00, becomes empty bytes. Pass raw bytes as hex.
    const code = (name) => u8aToHex(readFileSync(join(examplesDir, name)));

    const upload = async (name, salt, initPayload = '0x') => {
      const wasm = code(name);
      const result = await send(api.tx.gear.uploadProgram(wasm, salt, initPayload, GAS, 0, false));
      check(result.error === null, `upload ${name} (${(wasm.length - 2) / 2} bytes) is accepted (${result.error ?? 'ok'})`);
      const set = result.events.find((e) => api.events.gear.ProgramChanged.is(e));
      const id = set.data.id.toHex();
      const codeId = blake2AsU8a(hexToU8a(wasm), 256);
      const expected = u8aToHex(blake2AsU8a(u8aConcat(stringToU8a('program_from_user'), codeId, stringToU8a(salt)), 256));
      check(id === expected, `program id of ${name} is blake2("program_from_user" ++ code_id ++ salt)`);
      await waitForEvent(
        (e) => api.events.gear.ProgramChanged.is(e) && e.data.id.toHex() === id && e.data.change.isActive,
        `${name} to initialize`,
      );
      check(true, `${name} initialized (ProgramChanged Active)`);
      return id;
    };

    // Sends `payload` to `program`; resolves with the reply's payload and code.
    const ask = async (program, payload, gas = GAS) => {
      const result = await send(api.tx.gear.sendMessage(program, payload, gas, 0, false));
      if (result.error) throw new Error(`sendMessage failed: ${result.error}`);
      const queued = result.events.find((e) => api.events.gear.MessageQueued.is(e));
      const messageId = queued.data.id.toHex();
      const { event } = await waitForEvent(
        (e) => api.events.gear.UserMessageSent.is(e) && e.data.message.details.isSome &&
          e.data.message.details.unwrap().to.toHex() === messageId,
        `the reply to ${messageId}`,
      );
      const { message } = event.data;
      check(message.source.toHex() === program && message.destination.toHex() === u8aToHex(bob.publicKey),
        'the reply goes from the program to Bob');
      return { payload: message.payload.toU8a(true), code: message.details.unwrap().code };
    };

    console.log('ping');
    const ping = await upload('ping.wasm', 'e2e-ping');
    const pong = await ask(ping, 'PING');
    check(new TextDecoder().decode(pong.payload) === 'PONG', 'PING is answered with PONG');
    check(pong.code.isSuccess && pong.code.asSuccess.isManual, 'reply code is Success(Manual)');

    console.log('gear_* RPC');
    // Raw JSON-RPC, as @gear-js/api sends it: resolves with the result or the error object.
    const rpc = async (method, params) => {
      try {
        return { result: await api._rpcCore.provider.send(method, params) };
      } catch (error) {
        return { error: { code: error.code ?? null, message: String(error.message ?? error) } };
      }
    };
    const bobHex = u8aToHex(bob.publicKey);
    const estimate = await rpc('gear_calculateGasForHandle', [bobHex, ping, '0x50494e47', 0, true]);
    const info = estimate.result;
    check(info && Object.keys(info).join() === 'min_limit,reserved,burned,may_be_returned,waited',
      `gear_calculateGasForHandle returns Gear's GasInfo keys (${JSON.stringify(estimate)})`);
    const alias = await rpc('gear_calculateHandleGas', [bobHex, ping, '0x50494e47', '0x00', true, null]);
    check(alias.result && alias.result.min_limit === info.min_limit,
      'the old name gear_calculateHandleGas gives the same estimate (value as a hex string)');
    const short = await ask(ping, 'PING', BigInt(info.min_limit) - 1n);
    check(short.code.isError && short.code.asError.isExecution && short.code.asError.asExecution.isRanOutOfGas,
      'PING with min_limit - 1 runs out of gas');
    const exact = await ask(ping, 'PING', BigInt(info.min_limit));
    check(new TextDecoder().decode(exact.payload) === 'PONG', `PING with min_limit (${info.min_limit}) is answered`);
    const uploadGas = await rpc('gear_calculateGasForUpload', [bobHex, code('counter.wasm'), '0x', 0, true]);
    check(uploadGas.result && uploadGas.result.min_limit > 0, `gear_calculateGasForUpload (${uploadGas.result?.min_limit})`);
    const oldUpload = await rpc('gear_calculateInitUploadGas', [bobHex, code('counter.wasm'), '0x', 0, true]);
    check(oldUpload.result?.min_limit === uploadGas.result?.min_limit, 'gear_calculateInitUploadGas is the same method');
    const pingCode = u8aToHex(blake2AsU8a(hexToU8a(code('ping.wasm')), 256));
    const create = await rpc('gear_calculateGasForCreate', [bobHex, pingCode, '0x', 0, true]);
    // ping has no `init`: creating it runs nothing and needs no gas.
    check(create.result?.min_limit === 0 && create.result.waited === false,
      `gear_calculateGasForCreate of ping's code: ${JSON.stringify(create)}`);
    const replyInfo = await rpc('gear_calculateReplyForHandle', [bobHex, ping, '0x50494e47', 10_000_000_000, 0]);
    check(replyInfo.result?.payload === '0x504f4e47' && JSON.stringify(replyInfo.result?.code) === '{"Success":"Manual"}',
      `gear_calculateReplyForHandle gives PONG with {"Success":"Manual"} (${JSON.stringify(replyInfo)})`);
    const version = await rpc('runtime_wasmBlobVersion', []);
    check(typeof version.result === 'string' && version.result.startsWith('gear-parachain-'),
      `runtime_wasmBlobVersion (${version.result})`);
    // Gear's deprecated informational reads: the `state` export on the program's memory.
    const notes = await upload('notes.wasm', 'e2e-notes');
    await ask(notes, u8aToHex(stringToU8a('kept')));
    const state = await rpc('gear_readState', [notes, u8aToHex(stringToU8a(' note'))]);
    check(state.result === u8aToHex(stringToU8a('kept note')),
      `gear_readState runs the program's state export on its memory (${JSON.stringify(state)})`);
    const metahash = await rpc('gear_readMetahash', [notes, null]);
    check(metahash.result === '0x' + '11'.repeat(32), `gear_readMetahash (${JSON.stringify(metahash)})`);
    const noState = await rpc('gear_readState', [ping, '0x']);
    check(noState.error?.code === 8000 && noState.error.message.includes('has no `state` export'),
      `gear_readState of a program without a state export -> 8000 "${noState.error?.message}"`);
    // Each method: a malformed request and an unknown target, each with its own error.
    const nobody = u8aToHex(new Uint8Array(32).fill(7));
    const refusals = [
      ['gear_calculateGasForHandle', [bobHex, nobody, '0x', 0, true], 'send_message would fail: ProgramNotFound'],
      ['gear_calculateGasForUpload', [bobHex, '0x' + Buffer.from('not wasm').toString('hex'), '0x', 0, true], 'code rejected: '],
      ['gear_calculateGasForCreate', [bobHex, nobody, '0x', 0, true], 'create_program would fail: CodeDoesntExist'],
      ['gear_calculateGasForReply', [bobHex, nobody, '0x', 0, true], 'send_reply would fail: MessageNotFound'],
      ['gear_calculateReplyForHandle', [bobHex, nobody, '0x', 1_000_000, 0], 'send_message would fail: ProgramNotFound'],
      ['gear_readState', [nobody, '0x'], 'Program not found'],
      ['gear_readMetahash', [nobody], 'Program not found'],
    ];
    for (const [method, params, expected] of refusals) {
      const unknownTarget = await rpc(method, params);
      check(unknownTarget.error?.code === 8000 && unknownTarget.error.message.includes(expected),
        `${method}: unknown target -> 8000 "${unknownTarget.error?.message}"`);
      const malformed = await rpc(method, ['0x1234', ...params.slice(1)]);
      check(malformed.error?.code === -32602 && /invalid/i.test(malformed.error.message),
        `${method}: malformed source -> -32602 "${malformed.error?.message}"`);
    }
    const badValue = await rpc('gear_calculateGasForHandle', [bobHex, ping, '0x', -1, true]);
    check(badValue.error?.code === -32602 && badValue.error.message.includes('negative'),
      `a negative value is refused (${badValue.error?.message})`);
    const unknownBlock = await rpc('gear_calculateGasForHandle', [bobHex, ping, '0x', 0, true, nobody]);
    check(unknownBlock.error?.code === 8001, `an unknown block hash -> 8001 (${unknownBlock.error?.message})`);

    console.log('counter');
    const counter = await upload('counter.wasm', 'e2e-counter');
    const total = (reply) => api.createType('u64', reply.payload).toBigInt();
    check(total(await ask(counter, u8aToHex(api.createType('u64', 5).toU8a()))) === 5n, 'counter: 5 gives 5');
    check(total(await ask(counter, u8aToHex(api.createType('u64', 7).toU8a()))) === 12n, 'counter: then 7 gives 12 (state persisted)');

    console.log('infinite loop');
    const looping = await upload('infinite_loop.wasm', 'e2e-loop');
    const headBefore = (await api.rpc.chain.getHeader()).number.toNumber();
    const outOfGas = await ask(looping, '0x', LOOP_GAS);
    check(outOfGas.code.isError && outOfGas.code.asError.isExecution && outOfGas.code.asError.asExecution.isRanOutOfGas,
      'the looping program runs out of gas (Error(Execution(RanOutOfGas)))');
    await waitForEvent(() => true, 'any block');
    const target = headBefore + 3;
    while ((await api.rpc.chain.getHeader()).number.toNumber() < target) await new Promise((r) => setTimeout(r, 500));
    check(true, 'blocks keep coming after the loop ran out of gas');

    console.log('bad input');
    const garbage = await send(api.tx.gear.uploadCode('0x' + Buffer.from('this is not wasm').toString('hex')));
    check(garbage.error === 'gear.ProgramConstructionFailed', `garbage code fails with gear.ProgramConstructionFailed (${garbage.error})`);
    const unknown = await send(api.tx.gear.uploadProgram(code('unknown_import.wasm'), 'x', '0x', GAS, 0, false));
    check(unknown.error === 'gear.UnknownImport', `unknown import fails with gear.UnknownImport (${unknown.error})`);
    const nowhere = await send(api.tx.gear.sendMessage(u8aToHex(new Uint8Array(32).fill(7)), 'PING', GAS, 0, false));
    check(nowhere.error === 'gear.ProgramNotFound', `message to no program fails with gear.ProgramNotFound (${nowhere.error})`);
    const tooMuch = await send(api.tx.gear.sendMessage(ping, 'PING', api.consts.gearGas.blockGasLimit.toBigInt() + 1n, 0, false));
    check(tooMuch.error === 'gear.GasLimitTooHigh', `gas above the block limit fails with gear.GasLimitTooHigh (${tooMuch.error})`);

    // Messages programs sent Bob (not replies), waiting in his mailbox.
    const mailFor = async (program) => {
      const entries = await api.query.gearMessenger.mailbox.entries(bob.address);
      return entries
        .map(([key, value]) => ({ id: key.args[1].toHex(), message: value.unwrap()[0] }))
        .filter(({ message }) => message.source.toHex() === program);
    };
    const waitForMail = async (program, count, what) => {
      const deadline = Date.now() + 60_000;
      let mail = [];
      while (Date.now() < deadline) {
        mail = await mailFor(program);
        if (mail.length >= count) return mail;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const text = (bytes) => new TextDecoder().decode(bytes);

    console.log('fan out');
    const fanout = await upload('fanout.wasm', 'e2e-fanout');
    const fanReply = await ask(fanout, '0x');
    check(fanReply.code.isSuccess && fanReply.code.asSuccess.isAuto, 'the fan-out program gets Gear\'s auto reply');
    const fanMail = await waitForMail(fanout, 3, 'three messages in the mailbox');
    const words = fanMail.map(({ message }) => text(message.payload.toU8a(true))).sort();
    check(JSON.stringify(words) === JSON.stringify(['one', 'three', 'two']), `three messages reached Bob's mailbox (${words})`);
    for (const { id } of fanMail) {
      const claimed = await send(api.tx.gear.claimValue(id));
      check(claimed.error === null && claimed.events.some((e) => api.events.gear.UserMessageRead.is(e)),
        `claimValue of ${id.slice(0, 10)}.. reads it (UserMessageRead)`);
    }

    console.log('delayed message');
    const delayed = await upload('delayed.wasm', 'e2e-delayed');
    const sentAt = (await api.rpc.chain.getHeader()).number.toNumber();
    await ask(delayed, '0x');
    check((await api.query.gearMessenger.dispatchStash.entries()).length === 1, 'the delayed message waits in the dispatch stash');
    const [late] = await waitForMail(delayed, 1, 'the delayed message');
    const arrivedAt = (await api.rpc.chain.getHeader()).number.toNumber();
    check(text(late.message.payload.toU8a(true)) === 'delayed' && arrivedAt >= sentAt + 3,
      `the delayed message arrived 3 blocks later or more (${sentAt} -> ${arrivedAt})`);
    await send(api.tx.gear.claimValue(late.id));

    console.log('async chain of three programs');
    const inner = await upload('proxy.wasm', 'e2e-inner', ping);
    const outer = await upload('proxy.wasm', 'e2e-outer', inner);
    const chained = await ask(outer, 'PING');
    check(text(chained.payload) === 'PONG' && chained.code.isSuccess,
      'proxy -> proxy -> ping answers PONG through two awaits');

    console.log('sails program calling another program');
    // Sails' constructor `New`: header "GM", version 1, length 16, interface 0, entry 0, route 0.
    const sailsNew = u8aToHex(new Uint8Array([0x47, 0x4d, 1, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const sails = await upload('sails.wasm', 'e2e-sails', sailsNew);
    const relayHeader = readFileSync(join(examplesDir, 'sails_relay_header.bin'));
    const askRelay = u8aConcat(relayHeader, hexToU8a(ping), api.createType('Bytes', 'PING').toU8a());
    const relayed = await ask(sails, u8aToHex(askRelay));
    const answer = api.createType('Bytes', relayed.payload.slice(relayHeader.length)).toU8a(true);
    check(relayed.code.isSuccess && text(answer) === 'PONG',
      `the sails Relay service asked ping and returned its PONG (${text(answer)})`);

    console.log('value to the mailbox');
    const valueProgram = await upload('value.wasm', 'e2e-value');
    const sentValue = 10n * ed;
    const bobBeforeValue = await balance(bob.address);
    const feesBeforeValue = bobFees;
    const aliceBeforeValue = await balance(alice.address);
    const depositsBeforeValue = await programDeposits();
    await send(api.tx.gear.sendMessage(valueProgram, '0x', GAS, sentValue, false));
    const [half] = await waitForMail(valueProgram, 1, 'half of the value back');
    check(half.message.value.toBigInt() === sentValue / 2n, `half the value (${sentValue / 2n}) waits in the mailbox`);
    const claim = await send(api.tx.gear.claimValue(half.id));
    check(claim.error === null, 'claimValue takes it');
    while ((await api.query.gearMessenger.tail()).toBigInt() !== (await api.query.gearMessenger.head()).toBigInt()) {
      await new Promise((r) => setTimeout(r, 500));
    }
    const valueBurned = (await balance(alice.address)) - aliceBeforeValue;
    const valueSpent = bobBeforeValue - (await balance(bob.address));
    const valueDeposits = (await programDeposits()) - depositsBeforeValue;
    check(valueSpent === sentValue / 2n + (bobFees - feesBeforeValue) + valueBurned + valueDeposits,
      `Bob paid exactly the half the program kept, fees, burned gas and memory deposits (${valueSpent})`);
    const keptByPrograms = sentValue / 2n;

    console.log('accounting');
    // Let every queued message finish, then compare balances.
    while ((await api.query.gearMessenger.tail()).toBigInt() !== (await api.query.gearMessenger.head()).toBigInt()) {
      await new Promise((r) => setTimeout(r, 500));
    }
    const burned = (await balance(alice.address)) - aliceStart;
    const bobSpent = bobStart - (await balance(bob.address));
    check(burned > 0n, `Alice (the block author) received the burned gas: ${burned}`);
    const codeDeposits = (await reserved(bob.address)) - bobReservedStart;
    const memoryDeposits = (await programDeposits()) - depositsStart;
    check(codeDeposits > 0n && memoryDeposits > 0n,
      `Bob's uploads hold code deposits (${codeDeposits}) and the programs' pages memory deposits (${memoryDeposits})`);
    check(bobSpent === bobFees + burned + keptByPrograms + codeDeposits + memoryDeposits,
      `Bob's balance moved only by fees (${bobFees}), burned gas (${burned}), value programs kept (${keptByPrograms}) and storage deposits`);
    check((await balance(bank)) === ed + keptByPrograms + depositsStart + memoryDeposits,
      'the bank holds its existential deposit, the programs\' balances and their memory deposits');

    console.log('@gear-js/api');
    await gearJsChecks({ port: rpcPort, examplesDir, keyring, check });

    await api.disconnect();
  } catch (error) {
    failures += 1;
    console.error(`error: ${error.stack || error}`);
    console.error('--- last node log lines ---');
    console.error(logs.join('').split('\n').slice(-60).join('\n'));
  } finally {
    stopNode();
  }
  if (failures > 0) {
    console.log(`e2e: ${failures} failure(s)`);
    process.exit(1);
  }
  console.log('e2e: all checks passed');
  process.exit(0);
}

main();
