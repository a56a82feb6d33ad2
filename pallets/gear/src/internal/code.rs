//! Codes and program creation.

use crate::{
    bank, program,
    types::{CodeChangeKind, ProgramChangeKind},
    Config, Error, Event, HoldReason, Pallet,
};
use alloc::vec::Vec;
use gear_core::{
    code::{CodeMetadata, InstrumentationStatus},
    ids::prelude::{ActorIdExt, CodeIdExt},
    message::DispatchKind,
    pages::WasmPagesAmount,
    program::{ActiveProgram, MemoryInfix, Program, ProgramState},
};
use gear_engine::code::CodeError;
use gprimitives::{ActorId, CodeId, MessageId};
use polkadot_sdk::frame_support::weights::Weight;
use polkadot_sdk::{
    frame_support::{
        ensure,
        traits::{fungible::MutateHold, Get},
    },
    frame_system::pallet_prelude::BlockNumberFor,
    sp_runtime::{traits::Bounded, DispatchError, DispatchResult},
};

impl<T: Config> Pallet<T> {
    pub(crate) fn code_exists(code_id: CodeId) -> bool {
        program::InstrumentedCodeStorage::<T>::contains_key(code_id)
    }

    pub(crate) fn validate_code(code: Vec<u8>) -> Result<gear_engine::ValidatedCode, Error<T>> {
        gear_engine::validate_and_instrument_with(code, &T::Schedule::get(), crate::syscall_enabled)
            .map_err(|err| {
                log::debug!(target: "gear", "code refused: {err}");
                Self::code_error(err)
            })
    }

    fn code_error(err: CodeError) -> Error<T> {
        match err {
            CodeError::CodeTooLarge { .. } | CodeError::InstrumentedCodeTooLarge { .. } => {
                Error::<T>::CodeTooLarge
            }
            CodeError::InvalidWasm(_) => Error::<T>::ProgramConstructionFailed,
            // Every syscall is enabled here (`syscall_enabled`), so an unsupported one can only
            // be an import this chain does not know.
            CodeError::UnknownImport { .. } | CodeError::UnsupportedSyscall { .. } => {
                Error::<T>::UnknownImport
            }
            CodeError::InvalidSyscallSignature { .. } => Error::<T>::InvalidSyscallSignature,
            CodeError::DuplicateImport { .. }
            | CodeError::UnexpectedImportKind { .. }
            | CodeError::MissingMemory => Error::<T>::InvalidImports,
            CodeError::MissingEntryPoint
            | CodeError::ExcessExport { .. }
            | CodeError::InvalidExportSignature { .. }
            | CodeError::ExportOfImportedFunction { .. } => Error::<T>::InvalidExports,
            CodeError::MemoryTooLarge { .. } => Error::<T>::MemoryTooLarge,
            CodeError::DataSegmentOverlapsStack { .. }
            | CodeError::DataSegmentEndOverflow { .. }
            | CodeError::DataSegmentOutOfStaticMemory { .. }
            | CodeError::TooManyDataSegments { .. } => Error::<T>::InvalidDataSection,
            CodeError::StackEndNotAligned { .. } | CodeError::StackEndOutOfStaticMemory { .. } => {
                Error::<T>::InvalidStackEnd
            }
            CodeError::MissingSection { .. } | CodeError::UnsupportedSection { .. } => {
                Error::<T>::InvalidSection
            }
            CodeError::TypeSectionTooLarge { .. } | CodeError::TooManyParameters { .. } => {
                Error::<T>::InvalidTypeSection
            }
            CodeError::InstrumentationFailed(_) => Error::<T>::InstrumentationFailed,
        }
    }

    /// Stores a validated code, holding its storage deposit ([`Pallet::code_deposit`]) from
    /// `depositor` (`InsufficientDeposit`, and nothing stored, when it cannot be held).
    pub(crate) fn store_code(
        code: gear_engine::ValidatedCode,
        depositor: &T::AccountId,
    ) -> DispatchResult {
        let gear_engine::ValidatedCode {
            code_id,
            original,
            instrumented,
            meta,
        } = code;
        let deposit = Self::code_deposit(original.len(), instrumented.len());
        T::Currency::hold(&HoldReason::CodeDeposit.into(), depositor, deposit)
            .map_err(|_| Error::<T>::InsufficientDeposit)?;
        bank::CodeDeposits::<T>::insert(code_id, (depositor.clone(), deposit));
        let exports = [
            (meta.has_init, DispatchKind::Init),
            (meta.has_handle, DispatchKind::Handle),
            (meta.has_handle_reply, DispatchKind::Reply),
            (meta.has_handle_signal, DispatchKind::Signal),
        ]
        .into_iter()
        .filter_map(|(has, kind)| has.then_some(kind))
        .collect();
        let metadata = CodeMetadata::new(
            meta.original_code_len,
            exports,
            WasmPagesAmount::try_from(meta.static_pages).unwrap_or(WasmPagesAmount::UPPER),
            meta.stack_end
                .and_then(|page| gear_core::pages::WasmPage::try_from(page).ok()),
            InstrumentationStatus::Instrumented {
                version: meta.instrumentation_version,
                code_len: instrumented.len() as u32,
            },
        );
        program::OriginalCodeStorage::<T>::insert(code_id, original);
        program::InstrumentedCodeStorage::<T>::insert(code_id, (instrumented, meta));
        program::CodeMetadataStorage::<T>::insert(code_id, metadata);
        Self::deposit_event(Event::CodeChanged {
            id: code_id,
            change: CodeChangeKind::Active { expiration: None },
        });
        Ok(())
    }

    /// Stores a new, uninitialized program whose init message is `init_message`.
    pub(crate) fn set_program(program_id: ActorId, code_id: CodeId, init_message: MessageId) {
        let expiration = BlockNumberFor::<T>::max_value();
        let active = ActiveProgram {
            allocations_tree_len: 0,
            memory_infix: MemoryInfix::new(0),
            gas_reservation_map: Default::default(),
            code_id,
            state: ProgramState::Uninitialized {
                message_id: init_message,
            },
            expiration_block: expiration,
        };
        program::ProgramStorage::<T>::insert(program_id, Program::Active(active));
        Self::deposit_event(Event::ProgramChanged {
            id: program_id,
            change: ProgramChangeKind::ProgramSet { expiration },
        });
    }

    /// `upload_program`: stores `code` if new, creates a program from it and queues its init
    /// message, whose id it returns with what the call may give back of its weight when
    /// `give_back` ([`Pallet::same_block_saving`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn do_upload_program(
        who: T::AccountId,
        code: Vec<u8>,
        salt: Vec<u8>,
        init_payload: Vec<u8>,
        gas_limit: u64,
        value: u128,
        keep_alive: bool,
        give_back: bool,
    ) -> Result<(MessageId, Weight), DispatchError> {
        let code_id = CodeId::generate(&code);
        let program_id = ActorId::generate_from_user(code_id, &salt);
        ensure!(
            !program::ProgramStorage::<T>::contains_key(program_id),
            Error::<T>::ProgramAlreadyExists
        );
        Self::check_message(&init_payload, gas_limit, value)?;
        let validated = (!Self::code_exists(code_id))
            .then(|| Self::validate_code(code))
            .transpose()?;
        Self::charge(&who, gas_limit, value, keep_alive)?;
        if let Some(validated) = validated {
            Self::store_code(validated, &who)?;
        }
        Ok(Self::create(
            who,
            code_id,
            program_id,
            init_payload,
            gas_limit,
            value,
            give_back,
        ))
    }

    /// `create_program`: creates a program from stored code `code_id` and queues its init
    /// message, as [`Pallet::do_upload_program`] does.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn do_create_program(
        who: T::AccountId,
        code_id: CodeId,
        salt: Vec<u8>,
        init_payload: Vec<u8>,
        gas_limit: u64,
        value: u128,
        keep_alive: bool,
        give_back: bool,
    ) -> Result<(MessageId, Weight), DispatchError> {
        ensure!(Self::code_exists(code_id), Error::<T>::CodeDoesntExist);
        let program_id = ActorId::generate_from_user(code_id, &salt);
        ensure!(
            !program::ProgramStorage::<T>::contains_key(program_id),
            Error::<T>::ProgramAlreadyExists
        );
        Self::check_message(&init_payload, gas_limit, value)?;
        Self::charge(&who, gas_limit, value, keep_alive)?;
        Ok(Self::create(
            who,
            code_id,
            program_id,
            init_payload,
            gas_limit,
            value,
            give_back,
        ))
    }

    /// Creates a program for user `who` and queues its init message.
    fn create(
        who: T::AccountId,
        code_id: CodeId,
        program_id: ActorId,
        init_payload: Vec<u8>,
        gas_limit: u64,
        value: u128,
        give_back: bool,
    ) -> (MessageId, Weight) {
        let id = Self::next_message_id(&who);
        Self::set_program(program_id, code_id, id);
        let saving = Self::queue_from_user(
            who,
            id,
            program_id,
            DispatchKind::Init,
            init_payload,
            gas_limit,
            value,
            None,
            give_back,
        );
        (id, saving)
    }

    /// Whether `actor` is a program (active, exited or terminated): messages to it go to the
    /// queue; messages to anything else go to a user.
    pub(crate) fn is_program(actor: ActorId) -> bool {
        program::ProgramStorage::<T>::contains_key(actor)
    }

    /// `Ok` when `program` is a program that can receive messages, or a builtin actor.
    pub(crate) fn ensure_active(program: ActorId) -> Result<(), Error<T>> {
        if Self::is_builtin(program) {
            return Ok(());
        }
        match program::ProgramStorage::<T>::get(program) {
            None => Err(Error::<T>::ProgramNotFound),
            Some(Program::Exited(_) | Program::Terminated(_)) => Err(Error::<T>::InactiveProgram),
            Some(Program::Active(_)) => Ok(()),
        }
    }
}
