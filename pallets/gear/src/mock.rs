//! A test runtime with the gear pallets, balances and timestamp.

use crate as pallet_gear;
use polkadot_sdk::{
    frame_support::{
        self, derive_impl, parameter_types,
        traits::{ConstU128, ConstU32, ConstU64, Hooks},
        weights::Weight,
        PalletId,
    },
    frame_system, pallet_balances, pallet_timestamp,
    sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage},
};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Timestamp: pallet_timestamp,
        Balances: pallet_balances,
        GearProgram: pallet_gear::program,
        GearMessenger: pallet_gear::messenger,
        GearGas: pallet_gear::gas,
        GearScheduler: pallet_gear::scheduler,
        GearBank: pallet_gear::bank,
        Gear: pallet_gear,
    }
);

pub const ALICE: AccountId32 = AccountId32::new([1u8; 32]);
pub const BOB: AccountId32 = AccountId32::new([2u8; 32]);
pub const AUTHOR: AccountId32 = AccountId32::new([9u8; 32]);
pub const EXISTENTIAL_DEPOSIT: u128 = 500;
pub const INITIAL_BALANCE: u128 = 1_000_000_000_000_000;
pub const BLOCK_GAS_LIMIT: u64 = 250_000_000_000;

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountId = AccountId32;
    type Lookup = IdentityLookup<AccountId32>;
    type AccountData = pallet_balances::AccountData<u128>;
    // The SDK's database weights, as the runtime's: the queue's costs include them.
    type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = u128;
    type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
    type AccountStore = System;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

impl pallet_gear::program::Config for Test {}
impl pallet_gear::messenger::Config for Test {}
impl pallet_gear::gas::Config for Test {
    type BlockGasLimit = ConstU64<BLOCK_GAS_LIMIT>;
}
impl pallet_gear::scheduler::Config for Test {
    type ReserveThreshold = ConstU32<1>;
    type WaitlistCost = ConstU64<100>;
    type MailboxCost = ConstU64<100>;
    type ReservationCost = ConstU64<100>;
    type DispatchHoldCost = ConstU64<100>;
}

parameter_types! {
    pub const BankPalletId: PalletId = PalletId(*b"py/gbank");
    pub ServiceWeight: Weight = Weight::from_parts(BLOCK_GAS_LIMIT * 2, 4 * 1024 * 1024);
    pub static GearSchedule: gear_core::gas_metering::Schedule = Default::default();
    pub static OutgoingBytesLimit: u32 = 64 * 1024 * 1024;
    /// 64 pages' deposit, as the runtime's.
    pub static DepositLimit: u128 = 64 * (DEPOSIT_PER_ITEM + DEPOSIT_PER_BYTE * 16 * 1024);
    /// Twice what one dispatch may produce with Gear's limits (64 MiB sent, 64 MiB of init
    /// payloads and an 8 MiB reply).
    pub static QueueOutputPerBlock: u32 = 272 * 1024 * 1024;
    pub Author: Option<AccountId32> = Some(AUTHOR);
    pub const GasMultiplier: pallet_gear::types::GasMultiplier<u128, u64> =
        pallet_gear::types::GasMultiplier::ValuePerGas(1);
}

impl pallet_gear::bank::Config for Test {
    type BankPalletId = BankPalletId;
    type GasMultiplier = GasMultiplier;
}

/// Storage deposits of the mock: one unit per byte, a thousand per item (a page: 17,384).
pub const DEPOSIT_PER_BYTE: u128 = 1;
pub const DEPOSIT_PER_ITEM: u128 = 1_000;

impl pallet_gear::Config for Test {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
    type DepositPerItem = ConstU128<DEPOSIT_PER_ITEM>;
    type DepositLimit = DepositLimit;
    type Timestamp = Timestamp;
    type Schedule = GearSchedule;
    type MailboxThreshold = ConstU64<3_000>;
    type OutgoingLimit = ConstU32<1024>;
    type OutgoingBytesLimit = OutgoingBytesLimit;
    type QueueOutputPerBlock = QueueOutputPerBlock;
    type QueuePagesPerBlock = ConstU32<{ 64 * 1024 }>;
    type PerformanceMultiplier = ConstU32<100>;
    type MemoryScanCost = ConstU64<{ gear_engine::MEMORY_SCAN_COST_PER_WASM_PAGE }>;
    type ReservationsLimit = ConstU64<256>;
    type ServiceWeight = ServiceWeight;
    type SharedHotKeys = SharedHotKeys;
    type GasRecipient = Author;
    type BuiltinActors = Echo;
    type UserReplies = ();
    type WeightInfo = ();
}

/// The fees' keys, as the runtime lists them (this mock burns no fee, but its balances
/// pallet is the runtime's).
pub struct SharedHotKeys;
impl polkadot_sdk::frame_support::traits::Get<Vec<Vec<u8>>> for SharedHotKeys {
    fn get() -> Vec<Vec<u8>> {
        vec![pallet_balances::TotalIssuance::<Test>::hashed_key().to_vec()]
    }
}

/// A builtin actor for tests, at [`ECHO`]: `b"hold"` is held (answered by the test with
/// `Gear::answer_held`, or timing out after [`ECHO_TIMEOUT`] blocks), `b"fail"` gets an error
/// reply with payload `b"refused"`, anything else is echoed.
pub struct Echo;
pub const ECHO: gprimitives::ActorId = gprimitives::ActorId::new([0xEE; 32]);
pub const ECHO_GAS: u64 = 1_000_000;
pub const ECHO_TIMEOUT: u32 = 3;

std::thread_local! {
    /// Requests `Echo` holds and timeouts it heard of, in order.
    pub static ECHO_LOG: core::cell::RefCell<Vec<(&'static str, gprimitives::MessageId)>> =
        const { core::cell::RefCell::new(Vec::new()) };
}

impl pallet_gear::builtin::BuiltinActors for Echo {
    fn is_builtin(actor: gprimitives::ActorId) -> bool {
        actor == ECHO
    }
    fn handle_gas(_: gprimitives::ActorId) -> u64 {
        ECHO_GAS
    }
    fn handle(
        request: pallet_gear::builtin::BuiltinRequest,
    ) -> pallet_gear::builtin::BuiltinAnswer {
        use pallet_gear::builtin::BuiltinAnswer;
        match &request.payload[..] {
            b"hold" => {
                ECHO_LOG.with(|log| log.borrow_mut().push(("held", request.id)));
                BuiltinAnswer::Hold {
                    timeout: ECHO_TIMEOUT,
                }
            }
            b"fail" => BuiltinAnswer::Error(b"refused".to_vec()),
            _ => BuiltinAnswer::Reply(
                gear_core_errors::ReplyCode::Success(gear_core_errors::SuccessReplyReason::Manual),
                request.payload,
            ),
        }
    }
    fn on_timeout(_: gprimitives::ActorId, id: gprimitives::MessageId) {
        ECHO_LOG.with(|log| log.borrow_mut().push(("timeout", id)));
    }
}

pub fn new_test_ext() -> polkadot_sdk::sp_io::TestExternalities {
    let mut storage = frame_system::GenesisConfig::<Test>::default()
        .build_storage()
        .unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: vec![
            (ALICE, INITIAL_BALANCE),
            (BOB, INITIAL_BALANCE),
            (AUTHOR, EXISTENTIAL_DEPOSIT),
        ],
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_gear::GenesisConfig::<Test>::default()
        .assimilate_storage(&mut storage)
        .unwrap();
    let mut ext = polkadot_sdk::sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        System::set_block_number(1);
        Timestamp::set_timestamp(6_000);
    });
    ext
}

/// Runs `test` on a fresh mock chain, then checks the pallets' invariants.
pub fn run_test(test: impl FnOnce()) {
    new_test_ext().execute_with(|| {
        test();
        Gear::do_try_state().expect("invariants hold after the test");
    });
}

/// Finishes the current block (the queue runs in `on_idle` with the block's remaining weight)
/// and starts the next one (the queue runs again in `on_initialize`).
pub fn run_to_next_block() {
    let now = System::block_number();
    Gear::on_idle(now, Weight::from_parts(2_000_000_000_000, 5 * 1024 * 1024));
    Gear::on_finalize(now);
    System::set_block_number(now + 1);
    Timestamp::set_timestamp(6_000 * (now + 1));
    Gear::on_initialize(now + 1);
    Gear::do_try_state().expect("invariants hold after every block");
}
