//! The XCM bridge between two parachains running this runtime (paras 2000 and 2001, joined by
//! HRMP in one process: `common::network`): a gstd program awaits a program on the sibling, a
//! sibling account's raw `Transact` reaches a program and the reply returns, timeouts answer
//! with an error and return the held gas, a request to a missing program is refused with Gear's
//! error reply at once, bad requests fail with specific errors and lose nothing; a chain that is
//! not Gear gets the reply as the `QueryResponse` its `pallet-xcm` query expects; HRMP channel
//! requests go to the relay chain.

mod common;

use codec::{Decode, Encode};
use common::network::{Network, PARA_A, PARA_B};
use gear_core::{
    ids::prelude::{ActorIdExt, CodeIdExt},
    message::UserMessage,
};
use gear_core_errors::{
    ErrorReplyReason, ReplyCode, SimpleExecutionError, SimpleUnavailableActorError,
    SuccessReplyReason,
};
use gear_runtime::{
    xcm_config::LocationToAccountId, Balances, Gear, GearXcm, Runtime, RuntimeCall, RuntimeEvent,
    RuntimeOrigin, System, UNIT,
};
use gprimitives::{ActorId, CodeId, MessageId};
use pallet_gear_xcm::{bridge_id, BridgeError, BridgeRequest, Event as BridgeEvent};
use polkadot_sdk::{
    frame_support::{
        assert_noop, assert_ok,
        traits::{fungible::Inspect, Get},
    },
    polkadot_parachain_primitives::primitives::Sibling,
    sp_core::H256,
    sp_keyring::Sr25519Keyring,
    sp_runtime::{traits::AccountIdConversion, traits::Dispatchable, AccountId32},
    staging_xcm::{latest::prelude::*, VersionedLocation, VersionedXcm},
    staging_xcm_executor::traits::ConvertLocation,
};

const GAS: u64 = 50_000_000_000;

fn alice() -> AccountId32 {
    Sr25519Keyring::Alice.to_account_id()
}

fn upload(net: &mut Network, para: u32, code: &[u8], init: Vec<u8>, value: u128) -> ActorId {
    net.on(para, || {
        assert_ok!(Gear::upload_program(
            RuntimeOrigin::signed(alice()),
            code.to_vec(),
            b"bridge".to_vec(),
            init,
            GAS,
            value,
            false,
        ));
    });
    net.block(para);
    ActorId::generate_from_user(CodeId::generate(code), b"bridge")
}

/// Alice sends `payload` to `destination` on `para`; the message id.
fn send(
    net: &mut Network,
    para: u32,
    destination: ActorId,
    payload: Vec<u8>,
    value: u128,
) -> MessageId {
    net.on(para, || {
        assert_ok!(Gear::send_message(
            RuntimeOrigin::signed(alice()),
            H256(destination.into_bytes()),
            payload,
            GAS,
            value,
            false,
        ));
        System::events()
            .into_iter()
            .rev()
            .find_map(|r| match r.event {
                RuntimeEvent::Gear(pallet_gear::Event::MessageQueued { id, .. }) => Some(id),
                _ => None,
            })
            .expect("queued")
    })
}

/// The reply to `message` a user got on `para`.
fn reply_to(net: &mut Network, para: u32, message: MessageId) -> Option<(Vec<u8>, ReplyCode)> {
    net.on(para, || {
        System::events().into_iter().find_map(|r| match r.event {
            RuntimeEvent::Gear(pallet_gear::Event::UserMessageSent { message: m, .. }) => {
                let m: UserMessage = m;
                let details = m.details()?;
                (details.to_message_id() == message)
                    .then(|| (m.payload_bytes().to_vec(), details.to_reply_code()))
            }
            _ => None,
        })
    })
}

fn bridge_events(net: &mut Network, para: u32) -> Vec<BridgeEvent<Runtime>> {
    net.on(para, || {
        System::events()
            .into_iter()
            .filter_map(|r| match r.event {
                RuntimeEvent::GearXcm(e) => Some(e),
                _ => None,
            })
            .collect()
    })
}

fn gas_trees(net: &mut Network, para: u32) -> usize {
    net.on(para, || {
        pallet_gear::gas::GasTrees::<Runtime>::iter().count()
    })
}

/// After a request from para 2000 to para 2001 is answered: no gas tree left on either side, no
/// request waiting on 2000, no delivered message awaiting its reply on 2001, and Gear's
/// invariants hold on both.
fn nothing_left_waiting(net: &mut Network) {
    assert_eq!(gas_trees(net, PARA_A), 0);
    assert_eq!(gas_trees(net, PARA_B), 0);
    net.on(PARA_A, || {
        assert_eq!(pallet_gear_xcm::Outbound::<Runtime>::iter().count(), 0);
        Gear::do_try_state().unwrap();
    });
    net.on(PARA_B, || {
        assert_eq!(pallet_gear_xcm::Inbound::<Runtime>::iter().count(), 0);
        Gear::do_try_state().unwrap();
    });
}

fn sovereign_of(para: u32) -> AccountId32 {
    Sibling::from(para).into_account_truncating()
}

fn balance(net: &mut Network, para: u32, who: &AccountId32) -> u128 {
    net.on(para, || Balances::balance(who))
}

fn program_balance(net: &mut Network, para: u32, program: ActorId) -> u128 {
    net.on(para, || {
        pallet_gear::bank::ProgramBalances::<Runtime>::get(program)
    })
}

/// The account a program on `para` has on the other chain.
fn remote_account(para: u32, program: ActorId) -> AccountId32 {
    let location = Location::new(
        1,
        [
            Parachain(para),
            Junction::AccountId32 {
                network: None,
                id: program.into_bytes(),
            },
        ],
    );
    LocationToAccountId::convert_location(&location).expect("a hashed account")
}

fn program_request(program: ActorId, payload: &[u8], timeout: Option<u32>) -> Vec<u8> {
    BridgeRequest::Program {
        para_id: PARA_B,
        program: program.into_bytes(),
        payload: payload.to_vec(),
        gas_limit: 10_000_000_000,
        value: 0,
        timeout,
    }
    .encode()
}

const USERSPACE_PANIC: ReplyCode = ReplyCode::Error(ErrorReplyReason::Execution(
    SimpleExecutionError::UserspacePanic,
));

#[test]
fn a_program_awaits_a_program_on_the_sibling_and_gets_its_reply() {
    let mut net = Network::new();
    let ping = upload(&mut net, PARA_B, gear_examples::ping(), vec![], 0);
    // A proxy on para 2000 whose destination is the bridge: it forwards a request and answers
    // with whatever the bridge answers.
    let proxy = upload(
        &mut net,
        PARA_A,
        gear_examples::proxy(),
        bridge_id().into_bytes().to_vec(),
        10 * UNIT,
    );
    let proxy_before = program_balance(&mut net, PARA_A, proxy);
    let sovereign_before = balance(&mut net, PARA_B, &sovereign_of(PARA_A));
    let ping_deposit_before = net.on(PARA_B, || {
        pallet_gear::bank::ProgramDeposits::<Runtime>::get(ping)
    });

    let request = send(
        &mut net,
        PARA_A,
        proxy,
        program_request(ping, b"PING", None),
        0,
    );
    net.run(4);

    assert_eq!(
        reply_to(&mut net, PARA_A, request),
        Some((
            b"PONG".to_vec(),
            ReplyCode::Success(SuccessReplyReason::Manual)
        )),
        "the proxy answered with the remote program's reply; events there: {:?}",
        net.on(PARA_B, || System::events()
            .into_iter()
            .map(|r| r.event)
            .filter(|e| !matches!(e, RuntimeEvent::Gear(_) | RuntimeEvent::Balances(_)))
            .collect::<Vec<_>>())
    );
    // The fee: remote execution and the reply's carriage + the storage deposit allowance + the
    // remote gas, from the program's balance to the bridge's account here, and the same amount
    // from para 2000's sovereign account on para 2001.
    let storage_deposit =
        <<Runtime as pallet_gear_xcm::Config>::RemoteStorageDeposit as Get<u128>>::get();
    let fee = 2 * (UNIT / 10) + storage_deposit + 10_000_000_000;
    assert_eq!(program_balance(&mut net, PARA_A, proxy), proxy_before - fee);
    assert_eq!(
        balance(&mut net, PARA_B, &sovereign_of(PARA_A)),
        sovereign_before - fee
    );
    // What the remote execution did not use stays in the program's account there: at least the
    // allowance less the deposit of the pages ping stored for this message.
    let remote = balance(&mut net, PARA_B, &remote_account(PARA_A, proxy));
    let deposit_paid = net.on(PARA_B, || {
        pallet_gear::bank::ProgramDeposits::<Runtime>::get(ping)
    }) - ping_deposit_before;
    assert!(
        remote >= storage_deposit - deposit_paid && remote < fee,
        "remote account holds {remote}, paid {deposit_paid} of deposit"
    );
    assert!(bridge_events(&mut net, PARA_A)
        .iter()
        .any(|e| matches!(e, BridgeEvent::ReplyDelivered { .. })));
    assert!(bridge_events(&mut net, PARA_B).iter().any(|e| matches!(
        e,
        BridgeEvent::ReplySent {
            para_id: PARA_A,
            ..
        }
    )));
    // Nothing left waiting on either side.
    nothing_left_waiting(&mut net);
}

#[test]
fn a_sibling_accounts_transact_reaches_a_program_and_the_reply_returns() {
    let mut net = Network::new();
    let ping = upload(&mut net, PARA_A, gear_examples::ping(), vec![], 0);
    let bob = Sr25519Keyring::Bob.to_account_id();
    // Bob's account on para 2001, as para 2000 sees it, pays for its execution there.
    let bob_there = LocationToAccountId::convert_location(&Location::new(
        1,
        [
            Parachain(PARA_B),
            Junction::AccountId32 {
                network: None,
                id: bob.clone().into(),
            },
        ],
    ))
    .unwrap();
    net.on(PARA_A, || {
        use polkadot_sdk::frame_support::traits::fungible::Mutate;
        Balances::mint_into(&bob_there, 10 * UNIT).unwrap();
    });
    let query = H256([7; 32]);
    let call = RuntimeCall::GearXcm(pallet_gear_xcm::Call::deliver {
        destination: H256(ping.into_bytes()),
        payload: b"PING".to_vec(),
        gas_limit: 10_000_000_000,
        value: 0,
        reply_to: Some(query),
    });
    let fees: Asset = (Location::here(), UNIT).into();
    let message = Xcm::<()>(vec![
        WithdrawAsset(fees.clone().into()),
        BuyExecution {
            fees,
            weight_limit: Unlimited,
        },
        Transact {
            origin_kind: OriginKind::Xcm,
            fallback_max_weight: None,
            call: call.encode().into(),
        },
        RefundSurplus,
        DepositAsset {
            assets: AllCounted(1).into(),
            beneficiary: Location::new(
                1,
                [
                    Parachain(PARA_B),
                    Junction::AccountId32 {
                        network: None,
                        id: bob.clone().into(),
                    },
                ],
            ),
        },
    ]);
    net.on(PARA_B, || {
        assert_ok!(polkadot_sdk::pallet_xcm::Pallet::<Runtime>::send(
            RuntimeOrigin::signed(bob.clone()),
            Box::new(VersionedLocation::from(Location::new(
                1,
                [Parachain(PARA_A)]
            ))),
            Box::new(VersionedXcm::from(message)),
        ));
    });
    net.run(3);

    let delivered = bridge_events(&mut net, PARA_A);
    assert!(
        delivered
            .iter()
            .any(|e| matches!(e, BridgeEvent::Delivered { reply_to: Some(q), .. } if *q == query)),
        "{delivered:?}"
    );
    let received = bridge_events(&mut net, PARA_B);
    let Some(BridgeEvent::ReplyReceived {
        para_id,
        code,
        payload,
        ..
    }) = received
        .iter()
        .find(|e| matches!(e, BridgeEvent::ReplyReceived { query: q, .. } if *q == query))
    else {
        panic!("the reply came back to para 2001: {received:?}")
    };
    assert_eq!(*para_id, PARA_A);
    assert_eq!(payload, b"PONG");
    assert_eq!(
        ReplyCode::from_bytes(*code),
        ReplyCode::Success(SuccessReplyReason::Manual)
    );
    // The reply's carriage was charged to Bob's account on para 2000 and paid by para 2000's
    // sovereign account on para 2001.
    assert!(balance(&mut net, PARA_A, &GearXcm::account_id()) >= UNIT / 10);
    net.on(PARA_A, || Gear::do_try_state().unwrap());
}

#[test]
fn no_answer_in_time_gives_an_error_reply_and_returns_the_held_gas() {
    let mut net = Network::new();
    let ping = upload(&mut net, PARA_B, gear_examples::ping(), vec![], 0);
    let proxy = upload(
        &mut net,
        PARA_A,
        gear_examples::proxy(),
        bridge_id().into_bytes().to_vec(),
        10 * UNIT,
    );
    let alice_before = balance(&mut net, PARA_A, &alice());
    let deposits_before = net.on(PARA_A, || {
        pallet_gear::bank::ProgramDeposits::<Runtime>::get(proxy)
    });
    let request = send(
        &mut net,
        PARA_A,
        proxy,
        program_request(ping, b"PING", Some(3)),
        0,
    );
    // Para 2000 runs alone: nothing is relayed, so no answer can come.
    for _ in 0..6 {
        net.block(PARA_A);
    }
    let (payload, code) = reply_to(&mut net, PARA_A, request).expect("the proxy answered");
    assert_eq!(code, USERSPACE_PANIC, "the proxy panics on the error reply");
    assert!(
        String::from_utf8_lossy(&payload).contains("RemovedFromWaitlist"),
        "{}",
        String::from_utf8_lossy(&payload)
    );
    assert!(bridge_events(&mut net, PARA_A)
        .iter()
        .any(|e| matches!(e, BridgeEvent::RequestTimedOut { .. })));
    // All of the message's gas tree is settled: what was not burned is back with Alice, who
    // also paid the deposit of the pages the proxy keeps since her message.
    assert_eq!(gas_trees(&mut net, PARA_A), 0);
    let deposit = net.on(PARA_A, || {
        pallet_gear::bank::ProgramDeposits::<Runtime>::get(proxy)
    }) - deposits_before;
    let spent = alice_before - balance(&mut net, PARA_A, &alice()) - deposit;
    assert!(spent < GAS as u128, "Alice paid {spent} of {GAS} bought");
    // The late answer is recorded as an unsolicited reply, not delivered to the program.
    net.run(3);
    assert!(bridge_events(&mut net, PARA_A).iter().any(|e| matches!(
        e,
        BridgeEvent::ReplyReceived {
            para_id: PARA_B,
            ..
        }
    )));
    net.on(PARA_A, || {
        assert_eq!(pallet_gear_xcm::Outbound::<Runtime>::iter().count(), 0);
        Gear::do_try_state().unwrap();
    });
}

#[test]
fn bad_requests_get_specific_error_replies_and_cost_only_the_handling_gas() {
    let mut net = Network::new();
    let ping = upload(&mut net, PARA_B, gear_examples::ping(), vec![], 0);
    let cases: Vec<(Vec<u8>, BridgeError)> = vec![
        (b"not a request".to_vec(), BridgeError::Malformed),
        (
            BridgeRequest::Program {
                para_id: PARA_A,
                program: ping.into_bytes(),
                payload: vec![],
                gas_limit: 0,
                value: 0,
                timeout: None,
            }
            .encode(),
            BridgeError::ParaIsSelf,
        ),
        (
            program_request(ping, b"PING", Some(0)),
            BridgeError::InvalidTimeout,
        ),
        (
            program_request(ping, b"PING", Some(10_000_000)),
            BridgeError::InvalidTimeout,
        ),
        (
            program_request(ping, &vec![0; 64 * 1024], None),
            BridgeError::PayloadTooLarge,
        ),
        (
            BridgeRequest::Program {
                para_id: PARA_B,
                program: ping.into_bytes(),
                payload: vec![],
                gas_limit: u64::MAX,
                value: 0,
                timeout: None,
            }
            .encode(),
            BridgeError::GasLimitTooHigh,
        ),
        (
            BridgeRequest::Program {
                para_id: 3000,
                program: ping.into_bytes(),
                payload: vec![],
                gas_limit: 0,
                value: 0,
                timeout: None,
            }
            .encode(),
            BridgeError::SendFailed,
        ),
        (
            BridgeRequest::Program {
                para_id: PARA_B,
                program: ping.into_bytes(),
                payload: vec![],
                gas_limit: 0,
                value: u128::MAX / 2,
                timeout: None,
            }
            .encode(),
            BridgeError::InsufficientBalance {
                required: 2 * (UNIT / 10)
                    + <<Runtime as pallet_gear_xcm::Config>::RemoteStorageDeposit as Get<u128>>::get(
                    ) + u128::MAX / 2,
            },
        ),
    ];
    for (payload, error) in cases {
        let bridge_before = balance(&mut net, PARA_A, &GearXcm::account_id());
        let alice_before = balance(&mut net, PARA_A, &alice());
        // Alice sends to the bridge herself, with value: it all comes back.
        let request = send(&mut net, PARA_A, bridge_id(), payload, UNIT);
        net.block(PARA_A);
        let (reply, code) = reply_to(&mut net, PARA_A, request).expect("an error reply");
        assert_eq!(code, USERSPACE_PANIC);
        assert_eq!(BridgeError::decode(&mut &reply[..]).unwrap(), error);
        // Alice paid the handling gas (1 ms at one unit per gas), nothing else.
        let spent = alice_before - balance(&mut net, PARA_A, &alice());
        assert_eq!(spent, 1_000_000_000, "{error:?}");
        assert_eq!(
            balance(&mut net, PARA_A, &GearXcm::account_id()),
            bridge_before
        );
    }
    assert_eq!(gas_trees(&mut net, PARA_A), 0);
    net.on(PARA_A, || Gear::do_try_state().unwrap());
}

#[test]
fn a_request_to_a_missing_program_on_the_sibling_gets_an_error_reply_without_waiting() {
    let mut net = Network::new();
    let proxy = upload(
        &mut net,
        PARA_A,
        gear_examples::proxy(),
        bridge_id().into_bytes().to_vec(),
        10 * UNIT,
    );
    let missing = ActorId::new([1; 32]);
    // The default timeout is far off: an answer within a few blocks is the refusal.
    let request = send(
        &mut net,
        PARA_A,
        proxy,
        program_request(missing, b"PING", None),
        0,
    );
    net.run(4);
    let (payload, code) = reply_to(&mut net, PARA_A, request).expect("the proxy answered");
    assert_eq!(code, USERSPACE_PANIC, "the proxy panics on the error reply");
    assert!(
        String::from_utf8_lossy(&payload).contains("ProgramNotCreated"),
        "{}",
        String::from_utf8_lossy(&payload)
    );
    assert!(bridge_events(&mut net, PARA_B).iter().any(|e| matches!(
        e,
        BridgeEvent::DeliveryRefused {
            para_id: PARA_A,
            ..
        }
    )));
    assert!(!bridge_events(&mut net, PARA_A)
        .iter()
        .any(|e| matches!(e, BridgeEvent::RequestTimedOut { .. })));
    nothing_left_waiting(&mut net);
}

#[test]
fn deliver_refuses_bad_origins_and_unknown_programs_changing_nothing() {
    let mut net = Network::new();
    let ping = upload(&mut net, PARA_A, gear_examples::ping(), vec![], 0);
    net.on(PARA_A, || {
        let sibling_account = Location::new(
            1,
            [
                Parachain(PARA_B),
                Junction::AccountId32 {
                    network: None,
                    id: [9; 32],
                },
            ],
        );
        let xcm_origin =
            |l: Location| -> RuntimeOrigin { polkadot_sdk::pallet_xcm::Origin::Xcm(l).into() };
        let deliver = |destination: ActorId, reply_to: Option<H256>| {
            RuntimeCall::GearXcm(pallet_gear_xcm::Call::deliver {
                destination: H256(destination.into_bytes()),
                payload: b"PING".to_vec(),
                gas_limit: 10_000_000_000,
                value: 0,
                reply_to,
            })
        };
        // A signed origin is not an XCM origin.
        assert!(deliver(ping, None)
            .dispatch(RuntimeOrigin::signed(alice()))
            .is_err());
        // An unfunded account cannot pay the gas (Gear's error), nor the reply's carriage.
        assert_noop!(
            deliver(ping, None).dispatch(xcm_origin(sibling_account.clone())),
            pallet_gear::Error::<Runtime>::InsufficientBalance
        );
        assert_noop!(
            deliver(ping, Some(H256::zero())).dispatch(xcm_origin(sibling_account.clone())),
            pallet_gear_xcm::Error::<Runtime>::InsufficientBalance
        );
        // The relay chain's replies cannot be routed back by this bridge.
        assert_noop!(
            deliver(ping, Some(H256::zero())).dispatch(xcm_origin(Location::parent())),
            pallet_gear_xcm::Error::<Runtime>::ReplyNotRoutable
        );
        // No such program.
        let account = LocationToAccountId::convert_location(&sibling_account).unwrap();
        {
            use polkadot_sdk::frame_support::traits::fungible::Mutate;
            Balances::mint_into(&account, 10 * UNIT).unwrap();
        }
        assert_noop!(
            deliver(ActorId::new([1; 32]), None).dispatch(xcm_origin(sibling_account.clone())),
            pallet_gear::Error::<Runtime>::ProgramNotFound
        );
        // With `reply_to`, the sender's chain gets Gear's error reply at once (paid like any
        // reply) instead of waiting for its timeout; nothing else changes.
        let before = Balances::free_balance(&account);
        assert_ok!(deliver(ActorId::new([1; 32]), Some(H256([3; 32])))
            .dispatch(xcm_origin(sibling_account.clone())));
        assert_eq!(
            before - Balances::free_balance(&account),
            <Runtime as pallet_gear_xcm::Config>::RemoteExecutionFee::get()
        );
        assert!(System::events().iter().any(|r| matches!(
            &r.event,
            RuntimeEvent::GearXcm(BridgeEvent::DeliveryRefused { para_id: PARA_B, query, code, reason, .. })
                if *query == H256([3; 32])
                    && ReplyCode::from_bytes(*code)
                        == ReplyCode::Error(ErrorReplyReason::UnavailableActor(
                            SimpleUnavailableActorError::ProgramNotCreated
                        ))
                    && reason == b"ProgramNotFound"
        )));
        assert_eq!(pallet_gear_xcm::Inbound::<Runtime>::iter().count(), 0);
        // `deliver_reply` only from a sibling chain itself, and only from the one asked.
        let reply = |query: H256| {
            RuntimeCall::GearXcm(pallet_gear_xcm::Call::deliver_reply {
                query,
                code: ReplyCode::Success(SuccessReplyReason::Manual).to_bytes(),
                payload: vec![],
            })
        };
        assert_noop!(
            reply(H256::zero()).dispatch(xcm_origin(sibling_account)),
            pallet_gear_xcm::Error::<Runtime>::NotSiblingChain
        );
        pallet_gear_xcm::Outbound::<Runtime>::insert(
            H256([5; 32]),
            pallet_gear_xcm::OutboundRequest {
                source: ping,
                para_id: PARA_B,
            },
        );
        assert_noop!(
            reply(H256([5; 32])).dispatch(xcm_origin(Location::new(1, [Parachain(3000)]))),
            pallet_gear_xcm::Error::<Runtime>::WrongResponder
        );
    });
}

#[test]
fn root_opens_and_accepts_hrmp_channels_through_the_relay_chain() {
    let mut net = Network::new();
    net.on(PARA_A, || {
        assert_noop!(
            GearXcm::open_hrmp_channel(RuntimeOrigin::signed(alice()), PARA_B, 8, 1024),
            polkadot_sdk::sp_runtime::DispatchError::BadOrigin
        );
        assert_noop!(
            GearXcm::open_hrmp_channel(RuntimeOrigin::root(), PARA_A, 8, 1024),
            pallet_gear_xcm::Error::<Runtime>::InvalidChannel
        );
        assert_noop!(
            GearXcm::open_hrmp_channel(RuntimeOrigin::root(), PARA_B, 0, 1024),
            pallet_gear_xcm::Error::<Runtime>::InvalidChannel
        );
        assert_ok!(GearXcm::open_hrmp_channel(
            RuntimeOrigin::root(),
            PARA_B,
            8,
            1024
        ));
        assert_ok!(GearXcm::accept_hrmp_channel(RuntimeOrigin::root(), PARA_B));
        let upward = cumulus_pallet_parachain_system::PendingUpwardMessages::<Runtime>::get();
        assert_eq!(upward.len(), 2);
        let calls: Vec<Vec<u8>> = upward
            .iter()
            .map(|bytes| {
                let xcm = VersionedXcm::<()>::decode(&mut &bytes[..]).unwrap();
                let xcm: Xcm<()> = xcm.try_into().unwrap();
                xcm.0
                    .iter()
                    .find_map(|i| match i {
                        Transact {
                            origin_kind: OriginKind::Native,
                            call,
                            ..
                        } => Some(call.encoded().to_vec()),
                        _ => None,
                    })
                    .expect("a Transact")
            })
            .collect();
        // Hrmp (pallet 60): hrmp_init_open_channel (0) and hrmp_accept_open_channel (1).
        let mut open = vec![60u8, 0];
        (PARA_B, 8u32, 1024u32).encode_to(&mut open);
        let mut accept = vec![60u8, 1];
        PARA_B.encode_to(&mut accept);
        assert_eq!(calls, vec![open, accept]);
    });
}

/// A chain that is not Gear (para 2001's `pallet-xcm`, not its bridge) asks a program on para
/// 2000 with `deliver_for_query` and gets the reply as the `QueryResponse` its query expects; a
/// message to a missing program gets Gear's error code in the response at once.
#[test]
fn a_chain_that_is_not_gear_gets_the_reply_as_a_query_response() {
    use polkadot_sdk::{
        frame_support::weights::Weight, pallet_xcm::QueryStatus, staging_xcm::VersionedResponse,
        staging_xcm_executor::traits::QueryHandler,
    };
    let mut net = Network::new();
    let ping = upload(&mut net, PARA_A, gear_examples::ping(), vec![], 0);
    let missing = H256([1; 32]);
    let responder = Location::new(1, [Parachain(PARA_A)]);
    // Para 2001 itself (root) asks: its queries expect the response from para 2000 for `Here`.
    let (ok_query, missing_query) = net.on(PARA_B, || {
        let new_query = || {
            polkadot_sdk::pallet_xcm::Pallet::<Runtime>::new_query(
                responder.clone(),
                100u32,
                Location::here(),
            )
        };
        (new_query(), new_query())
    });
    let fee_account = balance(&mut net, PARA_A, &GearXcm::account_id());
    for (destination, query_id) in [
        (H256(ping.into_bytes()), ok_query),
        (missing, missing_query),
    ] {
        let call = RuntimeCall::GearXcm(pallet_gear_xcm::Call::deliver_for_query {
            destination,
            payload: b"PING".to_vec(),
            gas_limit: 10_000_000_000,
            value: 0,
            query_id,
            max_weight: Weight::zero(),
        });
        let fees: Asset = (Location::here(), UNIT).into();
        let message = Xcm::<()>(vec![
            WithdrawAsset(fees.clone().into()),
            BuyExecution {
                fees,
                weight_limit: Unlimited,
            },
            Transact {
                origin_kind: OriginKind::Xcm,
                fallback_max_weight: None,
                call: call.encode().into(),
            },
            RefundSurplus,
            DepositAsset {
                assets: AllCounted(1).into(),
                beneficiary: Location::new(1, [Parachain(PARA_B)]),
            },
        ]);
        net.on(PARA_B, || {
            assert_ok!(polkadot_sdk::pallet_xcm::Pallet::<Runtime>::send(
                RuntimeOrigin::root(),
                Box::new(VersionedLocation::from(responder.clone())),
                Box::new(VersionedXcm::from(message)),
            ));
        });
    }
    net.run(4);

    let mut response = |query_id| {
        net.on(
            PARA_B,
            || match polkadot_sdk::pallet_xcm::Pallet::<Runtime>::query(&query_id) {
                Some(QueryStatus::Ready {
                    response: VersionedResponse::V5(Response::DispatchResult(result)),
                    ..
                }) => Some(result),
                other => panic!("query {query_id}: {other:?}"),
            },
        )
    };
    assert_eq!(response(ok_query), Some(MaybeErrorCode::Success));
    let Some(MaybeErrorCode::Error(error)) = response(missing_query) else {
        panic!("an error response")
    };
    let code = ReplyCode::from_bytes(error[..4].try_into().unwrap());
    assert_eq!(
        code,
        ReplyCode::Error(ErrorReplyReason::UnavailableActor(
            SimpleUnavailableActorError::ProgramNotCreated
        ))
    );
    assert_eq!(&error[4..], b"ProgramNotFound");
    // Both replies' carriage was charged to para 2001's account on para 2000.
    assert_eq!(
        balance(&mut net, PARA_A, &GearXcm::account_id()) - fee_account,
        2 * <<Runtime as pallet_gear_xcm::Config>::RemoteExecutionFee as Get<u128>>::get()
    );
    assert!(bridge_events(&mut net, PARA_A).iter().any(|e| matches!(
        e,
        BridgeEvent::ReplySent { para_id: PARA_B, query, .. }
            if *query == pallet_gear_xcm::query_of_number(ok_query)
    )));
    nothing_left_waiting(&mut net);
}
