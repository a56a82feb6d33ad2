//! Gear's informational exports (`GearApi::read_state` / `read_metahash`, `gear_readState`):
//! run on the program's current memory, answering with the export's reply, changing nothing;
//! each refusal with its own text.

use super::*;
use polkadot_sdk::{sp_io, sp_runtime::StateVersion};

fn read(
    program: ActorId,
    export: &'static str,
    payload: &[u8],
    gas: Option<u64>,
) -> Result<Vec<u8>, String> {
    Gear::read_export(program, export, payload.to_vec(), gas)
        .map_err(|e| String::from_utf8(e).expect("refusals are text"))
}

#[test]
fn state_reads_the_programs_memory_and_changes_nothing() {
    new_test_ext().execute_with(|| {
        let notes = upload(&gear_examples::notes(), b"notes", vec![]);
        run_to_next_block();
        send(notes, b"hello".to_vec(), GAS);
        run_to_next_block();

        let root = sp_io::storage::root(StateVersion::V1);
        let events = frame_system::Pallet::<Test>::events().len();
        assert_eq!(
            read(notes, "state", b", world", None).unwrap(),
            b"hello, world"
        );
        assert_eq!(read(notes, "state", b"", None).unwrap(), b"hello");
        assert_eq!(read(notes, "metahash", b"", None).unwrap(), [0x11; 32]);
        // A read is not a message: no storage, event, balance or gas tree changes.
        assert_eq!(sp_io::storage::root(StateVersion::V1), root);
        assert_eq!(frame_system::Pallet::<Test>::events().len(), events);

        // The note changes with the next message, and so does the state.
        send(notes, b"bye".to_vec(), GAS);
        run_to_next_block();
        assert_eq!(read(notes, "state", b"!", None).unwrap(), b"bye!");
    });
}

#[test]
fn state_refusals_say_what_is_wrong() {
    new_test_ext().execute_with(|| {
        let nobody = ActorId::from([7u8; 32]);
        assert!(read(nobody, "state", b"", None)
            .unwrap_err()
            .starts_with("Program not found"));

        let ping = upload(gear_examples::ping(), b"ping", vec![]);
        let notes = upload(&gear_examples::notes(), b"notes", vec![]);
        // Before its init has run, a program has no state to read.
        let early = read(notes, "state", b"", None).unwrap_err();
        assert!(early.ends_with("is not initialized yet"), "{early}");
        run_to_next_block();

        let missing = read(ping, "state", b"", None).unwrap_err();
        assert!(missing.contains("has no `state` export"), "{missing}");
        let missing = read(ping, "metahash", b"", None).unwrap_err();
        assert!(missing.contains("has no `metahash` export"), "{missing}");

        let big = vec![0; GearSchedule::get().limits.payload_len as usize + 1];
        let over = read(notes, "state", &big, None).unwrap_err();
        assert!(over.contains("-byte limit"), "{over}");

        let short = read(notes, "state", b"", Some(1_000)).unwrap_err();
        assert!(short.contains("trapped (RanOutOfGas)"), "{short}");

        let exit = upload(&gear_examples::exit(), b"exit", vec![]);
        run_to_next_block();
        send(exit, vec![], GAS);
        run_to_next_block();
        let gone = read(exit, "state", b"", None).unwrap_err();
        assert!(gone.contains("has exited"), "{gone}");
    });
}
