//! Benchmarks of the gear pallets: every extrinsic (by code, salt and payload size; an
//! `upload_program` weighs an `upload_code` plus a `create_program`) and the queue's fixed costs
//! (a run, each dispatch in it, one scheduled task).
//!
//! Run inside the runtime by `gear-node benchmark pallet` (`scripts/bench-weights.sh`), whose
//! output is [`crate::weights`]. Execution itself is not measured here: a dispatch is charged the
//! gas it burns, by a schedule the runtime measures inside itself (`scripts/bench-schedule.sh`).
//!
//! The programs are generated here ([`code`]) so the benchmarks need no build of their own:
//! - [`code::sized`] for uploads: straight-line code with a metered block every 26 bytes, the
//!   shape whose validation and instrumentation cost grows with its length;
//! - [`code::empty`] for dispatches: `init` and `handle` that do nothing;
//! - [`code::mailer`] for the mailbox: `handle` sends its sender a message with value and gas,
//!   which waits in the sender's mailbox.
#![cfg(feature = "runtime-benchmarks")]

use super::*;
use crate::{internal::journal::Applier, messenger, program, scheduler, Pallet as Gear};
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
    traits::{fungible::Inspect, fungible::Mutate, Get},
    weights::WeightMeter,
};
use frame_system::pallet_prelude::BlockNumberFor;
use frame_system::RawOrigin;
use gear_core::{ids::prelude::*, program::Program};
use gprimitives::{ActorId, CodeId, MessageId};
use polkadot_sdk::frame_benchmarking;
use sp_core::H256;

/// WASM modules for the benchmarks, encoded by hand (the runtime has no WAT parser).
pub mod code {
    use alloc::{vec, vec::Vec};

    const FUNC_NONE: u8 = 0x40;

    fn uleb(mut value: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn sleb(mut value: i64, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
            out.push(if done { byte } else { byte | 0x80 });
            if done {
                return;
            }
        }
    }

    fn name(text: &str, out: &mut Vec<u8>) {
        uleb(text.len() as u64, out);
        out.extend_from_slice(text.as_bytes());
    }

    fn section(id: u8, content: Vec<u8>, out: &mut Vec<u8>) {
        out.push(id);
        uleb(content.len() as u64, out);
        out.extend(content);
    }

    fn vector(items: Vec<Vec<u8>>) -> Vec<u8> {
        let mut out = Vec::new();
        uleb(items.len() as u64, &mut out);
        items.into_iter().for_each(|item| out.extend(item));
        out
    }

    /// A function type: `params` (WASM value types) to nothing.
    fn func_type(params: &[u8]) -> Vec<u8> {
        let mut out = vec![0x60];
        uleb(params.len() as u64, &mut out);
        out.extend_from_slice(params);
        out.push(0);
        out
    }

    /// A Gear program: memory `env.memory` of one page, the syscalls `imports` (name and
    /// parameter types), `init` (empty) and `handle` with `body` (instructions, without `end`),
    /// and `data` at offset 32.
    fn module(imports: &[(&str, &[u8])], handle: Vec<u8>, data: &[u8]) -> Vec<u8> {
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        let mut types = vec![func_type(&[])];
        types.extend(imports.iter().map(|(_, params)| func_type(params)));
        section(1, vector(types), &mut out);
        let mut entries = Vec::new();
        let mut memory = Vec::new();
        name("env", &mut memory);
        name("memory", &mut memory);
        memory.extend_from_slice(&[0x02, 0x00, 0x01]);
        entries.push(memory);
        for (index, (syscall, _)) in imports.iter().enumerate() {
            let mut entry = Vec::new();
            name("env", &mut entry);
            name(syscall, &mut entry);
            entry.push(0x00);
            uleb(index as u64 + 1, &mut entry);
            entries.push(entry);
        }
        section(2, vector(entries), &mut out);
        section(3, vector(vec![vec![0], vec![0]]), &mut out);
        let init = imports.len() as u64;
        let export = |text: &str, index: u64| {
            let mut entry = Vec::new();
            name(text, &mut entry);
            entry.push(0x00);
            uleb(index, &mut entry);
            entry
        };
        section(
            7,
            vector(vec![export("init", init), export("handle", init + 1)]),
            &mut out,
        );
        let body = |mut code: Vec<u8>| {
            let mut function = vec![0];
            function.append(&mut code);
            function.push(0x0b);
            let mut out = Vec::new();
            uleb(function.len() as u64, &mut out);
            out.extend(function);
            out
        };
        section(10, vector(vec![body(Vec::new()), body(handle)]), &mut out);
        if !data.is_empty() {
            let mut segment = vec![0x00, 0x41, 32, 0x0b];
            uleb(data.len() as u64, &mut segment);
            segment.extend_from_slice(data);
            section(11, vector(vec![segment]), &mut out);
        }
        out
    }

    /// A program whose `init` and `handle` do nothing.
    pub fn empty() -> Vec<u8> {
        module(&[], Vec::new(), &[])
    }

    /// A program of about `len` bytes: its `handle` stores `salt` at address 0 (so its first
    /// message stores a page: a page's storage deposit is paid) and goes on with straight-line
    /// code, a metered block (`if`) every 26 bytes, so validation and instrumentation work on
    /// all of it. `salt` makes codes of the same length distinct.
    pub fn sized(len: u32, salt: u32) -> Vec<u8> {
        let mut handle = Vec::with_capacity(len as usize + 32);
        // i32.const 0; i32.const salt; i32.store align=4 offset=0
        handle.extend_from_slice(&[0x41, 0x00, 0x41]);
        sleb(salt.into(), &mut handle);
        handle.extend_from_slice(&[0x36, 0x02, 0x00]);
        while handle.len() < len as usize {
            // i32.const 0; if; (i64.const 1; drop) x 7; end
            handle.extend_from_slice(&[0x41, 0x00, 0x04, FUNC_NONE]);
            for _ in 0..7 {
                handle.extend_from_slice(&[0x42, 0x01, 0x1a]);
            }
            handle.push(0x0b);
        }
        module(&[], handle, &[])
    }

    /// A program whose `handle` sends its message's source `value` with `gas` (from the
    /// message's gas): a message that waits in the sender's mailbox.
    pub fn mailer(value: u128, gas: u64) -> Vec<u8> {
        const I32: u8 = 0x7f;
        const I64: u8 = 0x7e;
        let mut handle = Vec::new();
        // gr_source(0): the destination (32 bytes at 0); the value follows at 32 (data).
        handle.extend_from_slice(&[0x41, 0x00, 0x10, 0x00]);
        // gr_send_wgas(pid_value = 0, payload = 64, len = 0, gas, delay = 0, err_mid = 128)
        handle.extend_from_slice(&[0x41, 0x00, 0x41, 0xc0, 0x00, 0x41, 0x00, 0x42]);
        sleb(gas as i64, &mut handle);
        handle.extend_from_slice(&[0x41, 0x00, 0x41, 0x80, 0x01, 0x10, 0x01]);
        module(
            &[
                ("gr_source", &[I32]),
                ("gr_send_wgas", &[I32, I32, I32, I64, I32, I32]),
            ],
            handle,
            &value.to_le_bytes(),
        )
    }
}

/// Largest payload and salt the benchmarks try: the runtime's payload limit (512 KiB).
pub const MAX_PAYLOAD: u32 = 512 * 1024;
/// Largest code the benchmarks upload (instrumented, it stays below the 512 KiB limit).
pub const MAX_CODE_LEN: u32 = 256 * 1024;

/// An account with plenty of the currency.
pub fn funded_account<T: Config>(name: &'static str, index: u32) -> T::AccountId {
    let who: T::AccountId = account(name, index, 0);
    let amount = T::Currency::minimum_balance().saturating_mul(1_000_000_000_000);
    T::Currency::set_balance(&who, amount);
    who
}

/// The signer of a benchmarked extrinsic, funded: FRAME's `whitelisted_caller`, whose account
/// the benchmarks do not count because the transaction extensions read and write it already
/// (`CheckNonce`'s weight counts it), as the SDK's own pallets benchmark their calls.
pub fn funded_signer<T: Config>() -> T::AccountId {
    let who: T::AccountId = whitelisted_caller();
    let amount = T::Currency::minimum_balance().saturating_mul(1_000_000_000_000);
    T::Currency::set_balance(&who, amount);
    who
}

/// Gas enough for any benchmark's dispatch.
fn dispatch_gas<T: Config>() -> u64 {
    <T as gas::Config>::BlockGasLimit::get() / 4
}

/// Uploads `code` as a program from `who` and runs the queue until it is active.
pub fn active_program<T: Config>(who: &T::AccountId, code: Vec<u8>, value: u128) -> ActorId {
    let code_id = CodeId::generate(&code);
    let program = ActorId::generate_from_user(code_id, b"benchmark");
    Gear::<T>::do_upload_program(
        who.clone(),
        code,
        b"benchmark".to_vec(),
        Vec::new(),
        dispatch_gas::<T>(),
        value,
        false,
        false,
    )
    .expect("the benchmark's program uploads");
    run_queue::<T>();
    assert!(
        matches!(
            program::ProgramStorage::<T>::get(program),
            Some(Program::Active(_))
        ),
        "the benchmark's program initialized"
    );
    program
}

/// Runs due tasks and the whole queue.
pub fn run_queue<T: Config>() {
    Gear::<T>::run_queue(&mut WeightMeter::new());
}

/// A message from program `mailer` in `who`'s mailbox, with value, expiring at the returned
/// block.
fn mailbox_message<T: Config>(who: &T::AccountId, gas: u64) -> (MessageId, BlockNumberFor<T>) {
    let ed = T::Currency::minimum_balance();
    let program = active_program::<T>(who, code::mailer(ed, gas), ed.saturating_mul(10));
    Gear::<T>::send_from_account(
        who.clone(),
        program,
        Vec::new(),
        dispatch_gas::<T>(),
        0,
        false,
    )
    .expect("the message to the mailer queues");
    run_queue::<T>();
    let (id, (_, interval)) = messenger::Mailbox::<T>::iter_prefix(who)
        .next()
        .expect("the mailer's message is in the mailbox");
    (id, interval.finish)
}

#[benchmarks]
mod benchmarks {
    use super::*;

    /// Validating, instrumenting and storing `c` bytes of code.
    #[benchmark]
    fn upload_code(c: Linear<0, MAX_CODE_LEN>) {
        let who = funded_signer::<T>();
        let code = code::sized(c, 0);
        let code_id = CodeId::generate(&code);

        #[extrinsic_call]
        _(RawOrigin::Signed(who), code);

        assert!(Gear::<T>::code_exists(code_id));
    }

    /// `create_program` from a stored code with a salt of `s` bytes and an init payload of `p`.
    #[benchmark]
    fn create_program(s: Linear<0, MAX_PAYLOAD>, p: Linear<0, MAX_PAYLOAD>) {
        let who = funded_signer::<T>();
        let code = code::empty();
        let code_id = CodeId::generate(&code);
        Gear::<T>::upload_code(RawOrigin::Signed(who.clone()).into(), code)
            .expect("the code uploads");
        let salt = vec![1u8; s as usize];
        let program = ActorId::generate_from_user(code_id, &salt);

        #[extrinsic_call]
        _(
            RawOrigin::Signed(who),
            H256(code_id.into_bytes()),
            salt,
            vec![7u8; p as usize],
            dispatch_gas::<T>(),
            0,
            false,
        );

        assert!(program::ProgramStorage::<T>::contains_key(program));
    }

    /// `send_message` of `p` bytes with value to an active program.
    #[benchmark]
    fn send_message(p: Linear<0, MAX_PAYLOAD>) {
        let who = funded_signer::<T>();
        let program = active_program::<T>(&who, code::empty(), 0);
        let value = T::Currency::minimum_balance();

        #[extrinsic_call]
        _(
            RawOrigin::Signed(who),
            H256(program.into_bytes()),
            vec![7u8; p as usize],
            dispatch_gas::<T>(),
            value,
            false,
        );

        assert_eq!(messenger::Pallet::<T>::queue_len(), 1);
    }

    /// `send_reply` of `p` bytes to a message with value in the caller's mailbox.
    #[benchmark]
    fn send_reply(p: Linear<0, MAX_PAYLOAD>) {
        let who = funded_signer::<T>();
        let (id, _) = mailbox_message::<T>(&who, dispatch_gas::<T>() / 4);

        #[extrinsic_call]
        _(
            RawOrigin::Signed(who.clone()),
            H256(id.into_bytes()),
            vec![7u8; p as usize],
            dispatch_gas::<T>(),
            0,
            false,
        );

        assert!(!messenger::Mailbox::<T>::contains_key(&who, id));
        assert_eq!(messenger::Pallet::<T>::queue_len(), 1);
    }

    /// `claim_value` of a message with value in the caller's mailbox (its auto reply queued).
    #[benchmark]
    fn claim_value() {
        let who = funded_signer::<T>();
        let (id, _) = mailbox_message::<T>(&who, dispatch_gas::<T>() / 4);

        #[extrinsic_call]
        _(RawOrigin::Signed(who.clone()), H256(id.into_bytes()));

        assert!(!messenger::Mailbox::<T>::contains_key(&who, id));
    }

    /// A queue run with `n` dispatches, each from its own sender to its own program with its own
    /// code (nothing shared but the queue itself): what the run costs once (`n` = 0: the task
    /// scan, the empty queue, the `MessagesDispatched` event) and what each dispatch adds:
    /// reading its entry, program and code, translation and instantiation, its `handle`
    /// (storing its first page), the journal, the page's storage deposit taken from its sender
    /// and the gas tree's settlement (the unused gas back to its sender). The queue charges the
    /// run once and each dispatch the slope, besides the gas it burns.
    #[benchmark]
    fn queue_run(n: Linear<0, 64>) {
        let who = funded_account::<T>("caller", 0);
        // All programs first: creating one runs the queue.
        let programs: Vec<ActorId> = (0..n)
            .map(|i| active_program::<T>(&who, code::sized(64, i + 1), 0))
            .collect();
        for (i, program) in programs.into_iter().enumerate() {
            Gear::<T>::send_from_account(
                funded_account::<T>("sender", i as u32),
                program,
                vec![7u8; 32],
                dispatch_gas::<T>(),
                0,
                false,
            )
            .expect("the message queues");
        }

        #[block]
        {
            run_queue::<T>();
        }

        assert_eq!(messenger::Pallet::<T>::queue_len(), 0);
    }

    /// One scheduled task: a mailbox message whose gas no longer pays its rent leaves the
    /// mailbox, its value paid to the user, and the program's auto reply is queued.
    #[benchmark]
    fn task() {
        let who = funded_account::<T>("caller", 0);
        let threshold = T::MailboxThreshold::get();
        let (id, expiration) = mailbox_message::<T>(&who, threshold);
        frame_system::Pallet::<T>::set_block_number(expiration);
        // The run's scan starts at this block (the blocks before were scanned by their runs).
        scheduler::FirstIncompleteTasksBlock::<T>::put(expiration);

        #[block]
        {
            let mut applier = Applier::<T>::default();
            Gear::<T>::run_tasks(&mut WeightMeter::new(), &mut applier);
            applier.finish();
        }

        assert!(!messenger::Mailbox::<T>::contains_key(&who, id));
    }

    impl_benchmark_test_suite!(Gear, crate::mock::new_test_ext(), crate::mock::Test);
}
