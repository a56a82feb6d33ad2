//! The `Gear` pallet's logic, split by job. Each file adds methods to [`crate::Pallet`].
//!
//! - [`code`]: validating, instrumenting and storing codes, creating programs;
//! - [`builtin`]: messages to builtin actors;
//! - [`bank`]: buying gas, moving value in and out of the bank, paying burned gas;
//! - [`gas_tree`]: the gas tree (`gear_engine::gas_tree`) over `GearGas` storage;
//! - [`queue`]: servicing the queue within the meter, running one dispatch;
//! - [`journal`]: applying the engine's journal notes to storage;
//! - [`mailbox`]: messages to users, `send_reply`, `claim_value`;
//! - [`waitlist`]: waiting and waking messages;
//! - [`tasks`]: scheduled tasks (expiries, delayed sends, wakes);
//! - [`runtime_api`]: what the runtime APIs call;
//! - [`dry_run`]: Gear's gas estimates and reply queries, on the real queue, rolled back;
//! - [`try_state`]: the pallet's properties, checked.

pub(crate) mod bank;
pub(crate) mod builtin;
pub(crate) mod code;
pub(crate) mod dry_run;
pub(crate) mod gas_tree;
pub(crate) mod journal;
pub(crate) mod mailbox;
pub(crate) mod queue;
pub(crate) mod runtime_api;
pub(crate) mod tasks;
pub(crate) mod try_state;
pub(crate) mod waitlist;
