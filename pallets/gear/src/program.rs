//! `GearProgram`: codes, programs and their memory pages.
//!
//! Storage only; the `Gear` pallet decides what goes in. A code is stored once per `CodeId`
//! (original and instrumented, plus metadata); a program's memory is stored page by page
//! (16 KiB), keyed by program, memory infix and page, so a dispatch reads only its program's pages.

pub use pallet::*;

use polkadot_sdk::frame_support;

#[frame_support::pallet]
pub mod pallet {
    use alloc::vec::Vec;
    use frame_support::{pallet_prelude::*, Identity};
    use frame_system::pallet_prelude::BlockNumberFor;
    use gear_core::{code::CodeMetadata, program::Program};
    use gear_engine::code::ProgramCodeMeta;
    use gprimitives::{ActorId, CodeId};
    use polkadot_sdk::{frame_support, frame_system};

    #[pallet::pallet]
    #[pallet::without_storage_info]
    pub struct Pallet<T>(_);

    /// `GearProgram` needs nothing from the runtime but `frame_system`.
    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {}

    /// Codes as uploaded, by `CodeId = blake2b-256(code)`.
    #[pallet::storage]
    pub type OriginalCodeStorage<T> = StorageMap<_, Identity, CodeId, Vec<u8>>;

    /// Instrumented codes (what executes) with what execution needs to know about them.
    #[pallet::storage]
    pub type InstrumentedCodeStorage<T> =
        StorageMap<_, Identity, CodeId, (Vec<u8>, ProgramCodeMeta)>;

    /// Gear's code metadata (`@gear-js/api` checks it to tell whether a code exists).
    #[pallet::storage]
    pub type CodeMetadataStorage<T> = StorageMap<_, Identity, CodeId, CodeMetadata>;

    /// Programs by id: active (with their code, state and memory infix), exited or terminated.
    #[pallet::storage]
    pub type ProgramStorage<T: Config> =
        StorageMap<_, Identity, ActorId, Program<BlockNumberFor<T>>>;

    /// Persisted memory pages: (program, memory infix, Gear page number) -> 16 KiB of data, as
    /// Gear stores them (`PageBuf`: the raw bytes, no length prefix).
    #[pallet::storage]
    pub type MemoryPages<T> = StorageNMap<
        _,
        (
            NMapKey<Identity, ActorId>,
            NMapKey<Identity, u32>,
            NMapKey<Identity, u32>,
        ),
        gear_core::memory::PageBuf,
    >;

    /// Heap allocations of each program, as inclusive intervals of WASM pages.
    #[pallet::storage]
    pub type Allocations<T> = StorageMap<_, Identity, ActorId, Vec<(u32, u32)>, ValueQuery>;

    /// Number of persisted pages of each program (bounds a dispatch's proof size before reading).
    #[pallet::storage]
    pub type PagesCount<T> = StorageMap<_, Identity, ActorId, u32, ValueQuery>;
}
