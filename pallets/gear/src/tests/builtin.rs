//! Builtin actors: a program's `send_for_reply(..).await` to an actor the runtime implements,
//! answered at once, later, with an error, or not in time.

use super::*;
use crate::mock::{ECHO, ECHO_GAS, ECHO_LOG, ECHO_TIMEOUT};

fn held() -> Vec<MessageId> {
    ECHO_LOG.with(|log| {
        log.borrow()
            .iter()
            .filter(|(what, _)| *what == "held")
            .map(|(_, id)| *id)
            .collect()
    })
}

fn timeouts() -> Vec<MessageId> {
    ECHO_LOG.with(|log| {
        log.borrow()
            .iter()
            .filter(|(what, _)| *what == "timeout")
            .map(|(_, id)| *id)
            .collect()
    })
}

fn proxy_to_echo() -> ActorId {
    let proxy = upload(
        gear_examples::proxy(),
        b"to-echo",
        ECHO.into_bytes().to_vec(),
    );
    run_to_next_block();
    proxy
}

#[test]
fn a_program_awaits_a_builtin_actor_answering_at_once() {
    run_test(|| {
        let proxy = proxy_to_echo();
        let request = send(proxy, b"hello".to_vec(), GAS);
        run_blocks(2);
        let (payload, code, _) = reply_to(request).expect("the proxy answered");
        assert_eq!(payload, b"hello");
        assert_eq!(code, ReplyCode::Success(SuccessReplyReason::Manual));
        assert!(held().is_empty());
    });
}

#[test]
fn a_builtin_actors_error_reaches_the_awaiting_program() {
    run_test(|| {
        let proxy = proxy_to_echo();
        let request = send(proxy, b"fail".to_vec(), GAS);
        run_blocks(2);
        // The proxy panics on an error reply; its user gets the panic as an error reply.
        let (payload, code, _) = reply_to(request).expect("the proxy answered");
        assert_eq!(
            code,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::UserspacePanic
            ))
        );
        assert!(
            String::from_utf8_lossy(&payload).contains("the destination failed"),
            "{}",
            String::from_utf8_lossy(&payload)
        );
    });
}

#[test]
fn a_held_request_is_answered_later_with_the_gas_it_kept() {
    run_test(|| {
        let proxy = proxy_to_echo();
        let before = held_total();
        let request = send(proxy, b"hold".to_vec(), GAS);
        run_blocks(2);
        let [id] = held()[..] else {
            panic!("one request held: {:?}", held())
        };
        assert!(crate::messenger::Waitlist::<Test>::contains_key(ECHO, id));
        assert!(reply_to(request).is_none(), "nothing answered yet");
        assert!(Gear::answer_held(
            ECHO,
            id,
            ReplyCode::Success(SuccessReplyReason::Manual),
            b"later".to_vec()
        ));
        // A second answer finds nothing to answer.
        assert!(!Gear::answer_held(
            ECHO,
            id,
            ReplyCode::Success(SuccessReplyReason::Manual),
            b"again".to_vec()
        ));
        run_blocks(2);
        let (payload, code, _) = reply_to(request).expect("the proxy answered");
        assert_eq!(payload, b"later");
        assert_eq!(code, ReplyCode::Success(SuccessReplyReason::Manual));
        assert!(timeouts().is_empty());
        // Every gas tree is gone: what was not burned went back to Alice.
        assert_eq!(crate::gas::GasTrees::<Test>::iter().count(), 0);
        assert_eq!(held_total(), before);
    });
}

#[test]
fn a_held_request_times_out_with_an_error_reply_and_the_actor_hears_of_it() {
    run_test(|| {
        let proxy = proxy_to_echo();
        let request = send(proxy, b"hold".to_vec(), GAS);
        run_blocks(2);
        let [id] = held()[..] else {
            panic!("one request held")
        };
        run_blocks(ECHO_TIMEOUT + 2);
        assert_eq!(timeouts(), vec![id]);
        assert!(!crate::messenger::Waitlist::<Test>::contains_key(ECHO, id));
        // The proxy got Gear's `RemovedFromWaitlist` error reply and panicked.
        let (payload, code, _) = reply_to(request).expect("the proxy answered");
        assert!(code.is_error());
        assert!(
            String::from_utf8_lossy(&payload).contains("RemovedFromWaitlist"),
            "{}",
            String::from_utf8_lossy(&payload)
        );
        // Answering after the timeout does nothing.
        assert!(!Gear::answer_held(
            ECHO,
            id,
            ReplyCode::Success(SuccessReplyReason::Manual),
            Vec::new()
        ));
        assert_eq!(crate::gas::GasTrees::<Test>::iter().count(), 0);
    });
}

#[test]
fn a_request_without_gas_for_the_actor_fails_out_of_gas() {
    run_test(|| {
        // A user message to the actor with too little gas: out-of-gas error reply, value back.
        let before = Balances::free_balance(ALICE);
        let request = send_value(ALICE, ECHO, b"hello".to_vec(), ECHO_GAS - 1, 1_000);
        run_blocks(1);
        let (_, code, value) = reply_to(request).expect("an error reply");
        assert_eq!(
            code,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::RanOutOfGas
            ))
        );
        assert_eq!(value, 1_000);
        assert_eq!(
            Balances::free_balance(ALICE),
            before - u128::from(ECHO_GAS - 1)
        );
    });
}
