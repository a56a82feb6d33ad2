//! Tests of the gear pallets on the mock runtime, with real gstd programs, by topic. Every test
//! runs through [`run_test`], which checks the pallets' invariants (`do_try_state`) after each
//! block and at the end.

mod basic;
mod builtin;
mod deposits;
mod errors;
mod gas;
mod invariants;
mod programs;
mod state;

pub(crate) use crate::{mock::*, types::*, Error, Event};
pub(crate) use codec::{Decode, Encode};
pub(crate) use gear_core::{
    ids::prelude::{ActorIdExt, CodeIdExt},
    message::{UserMessage, UserStoredMessage},
    program::{Program, ProgramState},
};
pub(crate) use gear_core_errors::{
    ErrorReplyReason, ReplyCode, SimpleExecutionError, SuccessReplyReason,
};
pub(crate) use gprimitives::{ActorId, CodeId, MessageId};
pub(crate) use polkadot_sdk::{
    frame_support::{assert_noop, assert_ok, traits::Hooks, weights::WeightMeter},
    frame_system,
    sp_core::H256,
    sp_runtime::{traits::Zero, AccountId32},
};

pub(crate) const GAS: u64 = 20_000_000_000;

pub(crate) fn gear_events() -> Vec<Event<Test>> {
    frame_system::Pallet::<Test>::events()
        .into_iter()
        .filter_map(|record| match record.event {
            RuntimeEvent::Gear(event) => Some(event),
            _ => None,
        })
        .collect()
}

pub(crate) fn user_messages() -> Vec<UserMessage> {
    gear_events()
        .into_iter()
        .filter_map(|event| match event {
            Event::UserMessageSent { message, .. } => Some(message),
            _ => None,
        })
        .collect()
}

pub(crate) fn last_reply() -> (Vec<u8>, ReplyCode) {
    let message = user_messages().pop().expect("a message to the user");
    let code = message.details().expect("reply details").to_reply_code();
    (message.payload_bytes().to_vec(), code)
}

/// The reply to `message` a user got, if any.
pub(crate) fn reply_to(message: MessageId) -> Option<(Vec<u8>, ReplyCode, u128)> {
    user_messages().into_iter().find_map(|m| {
        let details = m.details()?;
        (details.to_message_id() == message).then(|| {
            (
                m.payload_bytes().to_vec(),
                details.to_reply_code(),
                m.value(),
            )
        })
    })
}

/// The id of the last message a user queued.
pub(crate) fn last_queued() -> MessageId {
    gear_events()
        .into_iter()
        .rev()
        .find_map(|e| match e {
            Event::MessageQueued { id, .. } => Some(id),
            _ => None,
        })
        .expect("a queued message")
}

pub(crate) fn upload(code: &[u8], salt: &[u8], init: Vec<u8>) -> ActorId {
    upload_with_value(code, salt, init, 0)
}

pub(crate) fn upload_with_value(code: &[u8], salt: &[u8], init: Vec<u8>, value: u128) -> ActorId {
    assert_ok!(Gear::upload_program(
        RuntimeOrigin::signed(ALICE),
        code.to_vec(),
        salt.to_vec(),
        init,
        GAS,
        value,
        false
    ));
    ActorId::generate_from_user(CodeId::generate(code), salt)
}

pub(crate) fn send(program: ActorId, payload: Vec<u8>, gas: u64) -> MessageId {
    send_value(ALICE, program, payload, gas, 0)
}

pub(crate) fn send_value(
    who: AccountId32,
    program: ActorId,
    payload: Vec<u8>,
    gas: u64,
    value: u128,
) -> MessageId {
    assert_ok!(Gear::send_message(
        RuntimeOrigin::signed(who),
        H256(program.into_bytes()),
        payload,
        gas,
        value,
        false
    ));
    last_queued()
}

/// Messages in `user`'s mailbox.
pub(crate) fn mailbox(user: &AccountId32) -> Vec<(MessageId, UserStoredMessage)> {
    crate::messenger::Mailbox::<Test>::iter_prefix(user)
        .map(|(id, (message, _))| (id, message))
        .collect()
}

pub(crate) fn actor(account: &AccountId32) -> ActorId {
    ActorId::new(*<AccountId32 as AsRef<[u8; 32]>>::as_ref(account))
}

pub(crate) fn run_blocks(n: u32) {
    for _ in 0..n {
        run_to_next_block();
    }
}

/// Storage deposits the bank holds for programs' memory.
pub(crate) fn deposits() -> u128 {
    crate::bank::ProgramDeposits::<Test>::iter_values().sum()
}

/// Total value held by Alice, Bob, the gas recipient and the bank: what the gear pallets may only
/// move between them.
pub(crate) fn held_total() -> u128 {
    use polkadot_sdk::frame_support::traits::fungible::Inspect;
    Balances::total_balance(&ALICE)
        + Balances::total_balance(&BOB)
        + Balances::total_balance(&AUTHOR)
        + Balances::total_balance(&Gear::bank_account())
}
