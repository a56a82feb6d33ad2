//! Properties under load and under random use: the invariants `do_try_state` checks hold
//! after every block, total issuance never changes (the mock charges no fees), the queue keeps
//! its order and its budget, nothing is lost.

use super::*;
use polkadot_sdk::frame_support::weights::Weight;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn a_flood_of_messages_is_processed_in_order_within_budget() {
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        run_to_next_block();
        const FLOOD: usize = 5_000;
        const GAS_EACH: u64 = 5_000_000_000;
        let head = crate::messenger::Head::<Test>::get();
        for _ in 0..FLOOD {
            assert_ok!(Gear::send_message(
                RuntimeOrigin::signed(ALICE),
                H256(ping.into_bytes()),
                b"PING".to_vec(),
                GAS_EACH,
                0,
                false
            ));
        }
        // The queue's order is the order sent.
        let sent: Vec<MessageId> = (head..head + FLOOD as u64)
            .map(|index| {
                crate::messenger::Dispatches::<Test>::get(index)
                    .unwrap()
                    .id()
            })
            .collect();
        let limit = Weight::from_parts(2_000_000_000_000, 5 * 1024 * 1024);
        // Every PING pays ping's translation; a run's engine does it once.
        let translation = crate::COMPILE_PS_PER_BYTE
            * crate::program::InstrumentedCodeStorage::<Test>::get(CodeId::generate(
                gear_examples::ping(),
            ))
            .unwrap()
            .0
            .len() as u64;
        let mut blocks = 0;
        while Gear::queue_len() > 0 {
            blocks += 1;
            assert!(blocks < 200, "the flood does not drain");
            let author = Balances::free_balance(AUTHOR);
            let queued = Gear::queue_len();
            let mut meter = WeightMeter::with_limit(limit);
            Gear::run_queue(&mut meter);
            assert!(
                meter.consumed().all_lte(limit),
                "the queue overran its budget"
            );
            // What the programs burned is part of what the meter counted, but for the
            // translations paid and not done (all but the run's first).
            let burned = (Balances::free_balance(AUTHOR) - author) as u64;
            let ran = queued - Gear::queue_len();
            assert!(ran > 0);
            assert!(burned <= meter.consumed().ref_time() + translation * (ran - 1));
            let now = System::block_number();
            System::set_block_number(now + 1);
            Gear::do_try_state().unwrap();
        }
        assert!(blocks > 1, "a flood takes several blocks");
        let wanted: std::collections::BTreeSet<MessageId> = sent.iter().copied().collect();
        let answers: Vec<(MessageId, Vec<u8>)> = user_messages()
            .iter()
            .filter_map(|m| {
                let to = m.details()?.to_message_id();
                wanted
                    .contains(&to)
                    .then(|| (to, m.payload_bytes().to_vec()))
            })
            .collect();
        let replies: Vec<MessageId> = answers.iter().map(|(id, _)| *id).collect();
        assert_eq!(replies, sent, "every message answered, in the order sent");
        assert!(answers.iter().all(|(_, payload)| payload == b"PONG"));
        assert_eq!(crate::gas::GasTrees::<Test>::iter().count(), 0);
    });
}

#[test]
fn random_use_keeps_the_invariants_and_the_issuance() {
    for seed in 1..=4u64 {
        run_test(|| {
            let issuance = Balances::total_issuance();
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let ping = upload(gear_examples::ping(), b"", vec![]);
            let proxy = upload(gear_examples::proxy(), b"", ping.into_bytes().to_vec());
            let user_proxy = upload(
                gear_examples::proxy(),
                b"user",
                actor(&BOB).into_bytes().to_vec(),
            );
            let programs = [
                ping,
                proxy,
                user_proxy,
                upload(gear_examples::counter(), b"", vec![]),
                upload(gear_examples::value(), b"", vec![]),
                upload(gear_examples::waiter(), b"", vec![]),
                upload(gear_examples::reservation(), b"", vec![]),
                upload(gear_examples::failures(), b"", vec![]),
                upload(&gear_examples::exit(), b"", vec![]),
                upload(&gear_examples::delayed(), b"", vec![]),
            ];
            let payloads: [&[u8]; 10] = [
                b"PING",
                b"wait",
                b"wake",
                b"wait_for",
                b"reserve",
                b"send",
                b"unreserve",
                b"panic",
                b"loop",
                &[1, 0, 0, 0, 0, 0, 0, 0],
            ];
            run_to_next_block();
            for _ in 0..60 {
                let who = if rng.below(2) == 0 { ALICE } else { BOB };
                match rng.below(6) {
                    0..=2 => {
                        let program = programs[rng.below(programs.len())];
                        let payload = payloads[rng.below(payloads.len())].to_vec();
                        let gas = [0, 1_000_000_000, 5_000_000_000, GAS][rng.below(4)];
                        let value = [0, EXISTENTIAL_DEPOSIT, 10_000][rng.below(3)];
                        // Refusals (an exited program) are fine: they change nothing.
                        let _ = Gear::send_message(
                            RuntimeOrigin::signed(who),
                            H256(program.into_bytes()),
                            payload,
                            gas,
                            value,
                            false,
                        );
                    }
                    3 => {
                        if let Some((id, _)) = mailbox(&who).first().cloned() {
                            assert_ok!(Gear::claim_value(
                                RuntimeOrigin::signed(who),
                                H256(id.into_bytes())
                            ));
                        }
                    }
                    4 => {
                        if let Some((id, _)) = mailbox(&who).last().cloned() {
                            let _ = Gear::send_reply(
                                RuntimeOrigin::signed(who),
                                H256(id.into_bytes()),
                                b"answer".to_vec(),
                                [0, GAS][rng.below(2)],
                                0,
                                false,
                            );
                        }
                    }
                    _ => run_blocks(1 + rng.below(3) as u32),
                }
                assert_eq!(Balances::total_issuance(), issuance);
            }
            // Long enough for every wait, reservation and mailbox message to settle or expire
            // except plain waits, which hold their gas for as long as it pays.
            run_blocks(120);
            assert_eq!(Balances::total_issuance(), issuance);
        });
    }
}
