//! Dry runs for Gear's tools (`GearApi`): the real extrinsic and the real queue on the state of
//! a block, inside a storage transaction that is always rolled back.
//!
//! A *trial* sends the message as its extrinsic would (the source is given the balance it
//! needs), empties the queue ahead of it, and services the queue until nothing of the
//! message's is left in it: the message, what it sends to programs, their replies, wakes of
//! programs waiting for those replies. Scheduled tasks (delays, timeouts) are not run: they
//! belong to later blocks. A [`Probe`] (set with `environmental` only during a trial; the hooks
//! cost one thread-local read otherwise) records what happened.
//!
//! `min_limit` is found by running trials: the smallest gas limit with which the run has the
//! same shape as with the full `initial_gas` (nothing runs out of gas, the same programs trap,
//! the message ends waiting or not alike, as many dispatches run and as many messages reach a
//! mailbox), while with one gas less it does not. The first trial runs with `initial_gas`, or
//! without it with the block gas limit, or less where the queue would refuse that much for the
//! message's program (its worst case counts removing the program's pages and gas reservations:
//! the trial learns the most it would run). The first trial's burned + reserved gas is the
//! first guess, then what it burned; the search gallops from there and bisects, so a message
//! that needs exactly what it burns takes three trials. Trials are
//! bounded in number ([`MAX_TRIALS`]) and in gas burned altogether ([`DRY_RUN_GAS_BUDGET`] block
//! gas limits), so one RPC call cannot run for long.

use crate::{gas, messenger, Config, Pallet};
use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
use gear_core_errors::{ReplyCode, SimpleExecutionError};
use gear_engine::{gas_tree::GasTree, ExecutionStatus};
use gear_primitives::{GasInfo, HandleKind, ReplyInfo};
use gprimitives::{ActorId, MessageId};
use polkadot_sdk::{
    frame_support::{
        storage::{with_transaction, TransactionOutcome},
        traits::{
            fungible::{Inspect, Mutate},
            Get,
        },
        weights::{Weight, WeightMeter},
    },
    sp_runtime::{DispatchError, ModuleError},
};

/// Most trials one estimate may run.
pub const MAX_TRIALS: u32 = 96;
/// Gas all trials of one estimate may burn together, in block gas limits.
pub const DRY_RUN_GAS_BUDGET: u64 = 2;
/// Salt of the program a dry run of `upload_program` creates (Gear's).
pub const DRY_RUN_SALT: &[u8] = b"calculate_gas_salt";

/// What happened during a trial.
#[derive(Default)]
pub(crate) struct Probe {
    /// Traps, in order: the program, the reason and the message.
    pub traps: Vec<(ActorId, SimpleExecutionError, Vec<u8>)>,
    /// Gas moved into reservations (`gr_reserve_gas` with its prepaid rent,
    /// `gr_system_reserve_gas`).
    pub reserved: u64,
    /// Gas trees that settled during the run, with their last record.
    pub settled: BTreeMap<MessageId, GasTree>,
    /// Replies to users, by the message they answer.
    pub replies: BTreeMap<MessageId, ReplyInfo>,
    /// Messages put into users' mailboxes.
    pub mailed: u32,
    /// Gas paid for translating codes the run's engine held already: burned, but no work.
    pub cached_translations: u64,
    /// Dispatches the queue refused because their worst case (their gas limit and removing
    /// their program's state) does not fit a block's queue share, with the most gas each could
    /// have had (0: none, the program's state alone is too large).
    pub refused: BTreeMap<MessageId, u64>,
}

environmental::environmental!(PROBE: Probe);

/// Runs `f` (e.g. real blocks, in tests) with a probe recording what the queue does.
#[cfg(test)]
pub(crate) fn observed<R>(f: impl FnOnce() -> R) -> (R, Probe) {
    let mut probe = Probe::default();
    let result = PROBE::using(&mut probe, f);
    (result, probe)
}

/// Hooks of the queue: record into the current trial's probe, if there is one.
pub(crate) fn observe(f: impl FnOnce(&mut Probe)) {
    PROBE::with(f);
}

impl Probe {
    pub(crate) fn status(&mut self, program: ActorId, status: &ExecutionStatus) {
        if let ExecutionStatus::Trap { reason, message } = status {
            self.traps.push((program, *reason, message.clone()))
        }
    }
    pub(crate) fn mailed(&mut self) {
        self.mailed = self.mailed.saturating_add(1);
    }
    pub(crate) fn reserved(&mut self, amount: u64) {
        self.reserved = self.reserved.saturating_add(amount);
    }
    pub(crate) fn refused(&mut self, dispatch: MessageId, most_gas: u64) {
        self.refused.insert(dispatch, most_gas);
    }
    pub(crate) fn tree_settled(&mut self, root: MessageId, tree: GasTree) {
        self.settled.insert(root, tree);
    }
    pub(crate) fn reply(&mut self, to: MessageId, payload: &[u8], value: u128, code: ReplyCode) {
        self.replies.entry(to).or_insert(ReplyInfo {
            payload: payload.to_vec(),
            value,
            code,
        });
    }
}

/// The result of one trial.
struct Trial {
    /// The program the message is for.
    main: ActorId,
    traps: Vec<(ActorId, SimpleExecutionError, Vec<u8>)>,
    /// Whether the message itself is in the waitlist when the run ends.
    waited: bool,
    /// Dispatches processed and messages mailed: with the traps, the shape of the run.
    dispatched: u32,
    mailed: u32,
    reserved: u64,
    burned: u64,
    /// Of the trial's burned gas (all its trees), what paid for translations not done.
    cached_translations: u64,
    reply: Option<ReplyInfo>,
    /// When the queue refused the message itself for its gas limit: the most it would run it
    /// with.
    refused: Option<u64>,
}

impl Trial {
    fn ran_out_of_gas(&self) -> bool {
        self.traps
            .iter()
            .any(|(_, reason, _)| *reason == SimpleExecutionError::RanOutOfGas)
    }

    /// What must not change for a smaller gas limit to count as enough: which programs trapped
    /// and why, whether the message ends up waiting, how many dispatches ran, how many messages
    /// reached a mailbox (a gasless send to a user lands there only if its sender has the gas).
    fn shape(&self) -> (Vec<(ActorId, SimpleExecutionError)>, bool, u32, u32, u64) {
        let traps = self
            .traps
            .iter()
            .map(|(program, reason, _)| (*program, *reason))
            .collect();
        // With the gas it reserved: a `gr_reserve_gas` that fails for lack of gas is an error
        // the program may ignore, and the message would go on with fewer reservations.
        (
            traps,
            self.waited,
            self.dispatched,
            self.mailed,
            self.reserved,
        )
    }
}

/// A dispatch error as the client shows it: the pallet error's name.
fn error_text(e: DispatchError) -> String {
    match e {
        DispatchError::Module(ModuleError {
            message: Some(m), ..
        }) => String::from(m),
        DispatchError::Token(t) => format!("{t:?}"),
        other => format!("{other:?}"),
    }
}

impl<T: Config> Pallet<T> {
    /// One trial: `kind` from `source` with `gas_limit`, rolled back. `Err` when the extrinsic
    /// itself would fail.
    fn trial(
        source: &T::AccountId,
        kind: &HandleKind,
        payload: &[u8],
        value: u128,
        gas_limit: u64,
    ) -> Result<Trial, String> {
        let mut probe = Probe::default();
        let result = PROBE::using(&mut probe, || {
            with_transaction(|| {
                TransactionOutcome::Rollback(Ok::<_, DispatchError>(Self::trial_inner(
                    source, kind, payload, value, gas_limit,
                )))
            })
        });
        let (root, main, left, waited, dispatched) = match result {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(error_text(e)),
        };
        let burned = probe
            .settled
            .remove(&root)
            .or(left)
            .map(|tree| tree.burned)
            .unwrap_or(0);
        Ok(Trial {
            main,
            waited,
            dispatched,
            mailed: probe.mailed,
            reserved: probe.reserved,
            burned,
            cached_translations: probe.cached_translations,
            reply: probe.replies.remove(&root),
            refused: probe.refused.remove(&root),
            traps: probe.traps,
        })
    }

    /// Inside the rolled-back transaction: the message's id, its destination, its gas tree's
    /// record if it has not settled, whether it is waiting at the end, dispatches processed.
    fn trial_inner(
        source: &T::AccountId,
        kind: &HandleKind,
        payload: &[u8],
        value: u128,
        gas_limit: u64,
    ) -> Result<(MessageId, ActorId, Option<GasTree>, bool, u32), String> {
        // Only this message's dispatches run: the queue ahead of it is left out.
        messenger::Head::<T>::put(messenger::Tail::<T>::get());
        // The source can pay: a dry run is about gas, not about the caller's balance (nor its
        // storage deposits: the largest code's and its program's most memory).
        let code_len = T::Schedule::get().limits.code_len as usize;
        let needed = Self::gas_value(gas_limit)
            .saturating_add(value)
            .saturating_add(Self::code_deposit(code_len, code_len))
            .saturating_add(
                Self::page_deposit().saturating_mul(u128::from(Self::max_stored_pages())),
            )
            .saturating_add(T::Currency::minimum_balance());
        let balance = T::Currency::balance(source);
        T::Currency::set_balance(source, balance.saturating_add(needed));
        let who = source.clone();
        let payload = payload.to_vec();
        let sent = match kind {
            HandleKind::Init(code) => Self::do_upload_program(
                who,
                code.clone(),
                DRY_RUN_SALT.to_vec(),
                payload,
                gas_limit,
                value,
                false,
                false,
            )
            .map(|(id, _)| id),
            HandleKind::InitByHash(code_id) => Self::do_create_program(
                who,
                *code_id,
                DRY_RUN_SALT.to_vec(),
                payload,
                gas_limit,
                value,
                false,
                false,
            )
            .map(|(id, _)| id),
            HandleKind::Handle(destination) => {
                Self::send_from_account(who, *destination, payload, gas_limit, value, false)
            }
            HandleKind::Reply(reply_to, _) => {
                Self::do_send_reply(who, *reply_to, payload, gas_limit, value, false, false)
                    .map(|(id, _)| id)
            }
        };
        let call = match kind {
            HandleKind::Init(_) => "upload_program",
            HandleKind::InitByHash(_) => "create_program",
            HandleKind::Handle(_) => "send_message",
            HandleKind::Reply(..) => "send_reply",
        };
        let root = sent.map_err(|e| format!("{call} would fail: {}", error_text(e)))?;
        // The queue holds only this message now.
        let main = messenger::Dispatches::<T>::get(messenger::Head::<T>::get())
            .map(|dispatch| dispatch.destination())
            .unwrap_or_default();
        // Bounded: every dispatch here is paid from this message's gas (at most the block gas
        // limit) plus the meter's per-dispatch overhead.
        let cap = <T as gas::Config>::BlockGasLimit::get().saturating_mul(4);
        let mut meter = WeightMeter::with_limit(Weight::from_parts(cap, u64::MAX));
        let mut applier = super::journal::Applier::<T>::default();
        // One queue run after another, as the following blocks would run them, while they make
        // progress: a run stops early when its output budget (`QueueOutputPerBlock`) is spent.
        loop {
            let before = applier.total;
            // Nothing is transient here: the dry run's message gives nothing back.
            Self::service_queue(&mut meter, &mut applier, &mut Weight::zero());
            if messenger::Pallet::<T>::queue_len() == 0 || applier.total == before {
                break;
            }
        }
        if messenger::Pallet::<T>::queue_len() > 0 {
            return Err(format!(
                "the message's processing did not finish within {cap} of weight"
            ));
        }
        let waited = messenger::Waitlist::<T>::contains_key(main, root);
        Ok((
            root,
            main,
            gas::GasTrees::<T>::get(root),
            waited,
            applier.total,
        ))
    }

    fn dry_run_source(source: [u8; 32]) -> T::AccountId {
        Self::account_of(ActorId::new(source))
    }

    /// `GearApi::calculate_gas_info`.
    pub fn calculate_gas_info(
        source: [u8; 32],
        kind: HandleKind,
        payload: Vec<u8>,
        value: u128,
        allow_other_panics: bool,
        initial_gas: Option<u64>,
    ) -> Result<GasInfo, String> {
        let block_gas_limit = <T as gas::Config>::BlockGasLimit::get();
        let mut cap = initial_gas.unwrap_or(block_gas_limit);
        if cap > block_gas_limit {
            return Err(format!(
                "initial gas {cap} is above the block gas limit {block_gas_limit}"
            ));
        }
        if let HandleKind::Init(code) = &kind {
            // Say why code is refused, not only that it is.
            Self::check_code(code.clone()).map_err(|why| {
                // One line: the validator's text may carry multi-line dumps.
                let why = String::from_utf8_lossy(&why);
                let words: Vec<&str> = why.split_whitespace().collect();
                format!("code rejected: {}", words.join(" "))
            })?;
        }
        let source = Self::dry_run_source(source);
        let mut first = Self::trial(&source, &kind, &payload, value, cap)?;
        // The queue runs a message only with a gas limit that leaves its worst case (removing
        // its program's pages and gas reservations besides) room in a block: without an
        // `initial_gas`, the estimate starts from the most it would run this one with.
        if let Some(most) = first.refused {
            if most == 0 {
                return Err(String::from(
                    "the queue refuses any message to this program: removing its state \
                     (pages and gas reservations) alone is more than a block can take",
                ));
            }
            if initial_gas.is_some() {
                return Err(format!(
                    "initial gas {cap} is more than the queue runs a message to this program \
                     with ({most} at most: its worst case counts removing its pages and gas \
                     reservations)"
                ));
            }
            cap = most;
            first = Self::trial(&source, &kind, &payload, value, cap)?;
            if first.refused.is_some() {
                return Err(String::from(
                    "internal: the queue refused the most gas it said it would run",
                ));
            }
        }
        if first.ran_out_of_gas() {
            return Err(if cap < initial_gas.unwrap_or(block_gas_limit) {
                format!(
                    "out of gas: the message needs more than {cap} gas, the most the queue runs a \
                     message to this program with (its worst case counts removing its pages and \
                     gas reservations)"
                )
            } else {
                format!(
                    "out of gas: the message needs more than {cap} gas (the block gas limit is \
                     {block_gas_limit})"
                )
            });
        }
        // As in Gear: a trap of the message's own program is always an error; other programs'
        // only without `allow_other_panics`.
        let fatal = first
            .traps
            .iter()
            .find(|(program, _, _)| *program == first.main || !allow_other_panics);
        if let Some((program, reason, message)) = fatal {
            let whose = if *program == first.main {
                String::new()
            } else {
                format!(" in program {program:?}")
            };
            return Err(format!(
                "Program terminated with a trap{whose} ({reason:?}): {}",
                String::from_utf8_lossy(message)
            ));
        }
        let expected = first.shape();
        let mut trials = 1u32;
        // Work done, as the budget bounds it: translations paid for but cached are not work.
        let mut spent = first.burned.saturating_sub(first.cached_translations);
        let budget = block_gas_limit.saturating_mul(DRY_RUN_GAS_BUDGET);
        let mut results: BTreeMap<u64, Trial> = BTreeMap::new();
        let mut ok = |gas: u64, results: &mut BTreeMap<u64, Trial>| -> Result<bool, String> {
            if trials >= MAX_TRIALS || spent > budget {
                return Err(format!(
                    "gas estimate stopped after {trials} dry runs burning {spent} gas; \
                     give an `initial_gas` closer to what the message needs"
                ));
            }
            trials += 1;
            let trial = Self::trial(&source, &kind, &payload, value, gas)?;
            spent = spent.saturating_add(trial.burned.saturating_sub(trial.cached_translations));
            let good = !trial.ran_out_of_gas() && trial.shape() == expected;
            if good {
                results.insert(gas, trial);
            }
            Ok(good)
        };
        let guess = first.burned.saturating_add(first.reserved).min(cap);
        let burned = first.burned.min(guess);
        let mut bad_hint = None;
        results.insert(cap, first);
        // Find `good` with ok(good) and `bad = good - 1` failing (or good = 0).
        let (mut bad, mut good) = if ok(guess, &mut results)? {
            // Gas held for a while and given back (waits, gstd's system reserve) may not be
            // needed at all: what the first run burned is the next candidate, then gallop down.
            let mut good = guess;
            if burned < guess {
                if ok(burned, &mut results)? {
                    good = burned;
                } else {
                    bad_hint = Some(burned);
                }
            }
            let mut step = 1u64;
            loop {
                if let Some(bad) = bad_hint {
                    break (Some(bad), good);
                }
                if good == 0 {
                    break (None, 0);
                }
                let probe = good.saturating_sub(step);
                if ok(probe, &mut results)? {
                    good = probe;
                    step = step.saturating_mul(2);
                } else {
                    break (Some(probe), good);
                }
            }
        } else {
            let mut bad = guess;
            let mut step = 1u64;
            loop {
                let probe = bad.saturating_add(step).min(cap);
                if probe == cap || ok(probe, &mut results)? {
                    break (Some(bad), probe);
                }
                bad = probe;
                step = step.saturating_mul(2);
            }
        };
        // When what it burned alone failed, what it burned and reserved is usually exactly what
        // it needs: one trial below that settles it, where a search would take dozens (each
        // burning what the message burns, against the budget).
        if let (Some(b), Some(_)) = (bad, bad_hint) {
            if good - b > 1 {
                let below = good - 1;
                if ok(below, &mut results)? {
                    good = below;
                } else {
                    bad = Some(below);
                }
            }
        }
        while let Some(b) = bad {
            if good - b <= 1 {
                break;
            }
            let mid = b + (good - b) / 2;
            if ok(mid, &mut results)? {
                good = mid;
            } else {
                bad = Some(mid);
            }
        }
        let run = results
            .remove(&good)
            .ok_or_else(|| String::from("internal: no trial at min_limit"))?;
        Ok(GasInfo {
            min_limit: good,
            reserved: run.reserved,
            burned: run.burned,
            // Gear: gas a second execution in the same block would not need (program and code
            // already loaded). Gas here does not depend on that (loading is weight, not gas).
            may_be_returned: 0,
            waited: run.waited,
        })
    }

    /// `GearApi::calculate_reply_for_handle`.
    pub fn calculate_reply_for_handle(
        origin: [u8; 32],
        destination: [u8; 32],
        payload: Vec<u8>,
        gas_limit: u64,
        value: u128,
    ) -> Result<ReplyInfo, String> {
        let source = Self::dry_run_source(origin);
        let kind = HandleKind::Handle(ActorId::new(destination));
        let trial = Self::trial(&source, &kind, &payload, value, gas_limit)?;
        trial.reply.ok_or_else(|| {
            if trial.waited {
                String::from("the program did not reply in this block: it is waiting")
            } else {
                String::from("the program did not reply")
            }
        })
    }
}
