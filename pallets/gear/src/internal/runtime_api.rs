//! What the runtime APIs call.

use crate::{bank, gas, messenger, program, Config, Pallet};
use alloc::{format, string::String, vec::Vec};
use gear_core::{
    message::DispatchKind,
    program::{Program, ProgramState},
};
use gear_core_errors::SimpleExecutionError;
use gear_engine::{
    code::ProgramCodeMeta, Dispatch, ExecutionInput, ExecutionStatus, ProgramCode, ProgramMemory,
};
use gprimitives::{ActorId, CodeId, MessageId};
use polkadot_sdk::frame_support::traits::Get;

impl<T: Config> Pallet<T> {
    /// Validates `code` as `upload_code` would, without storing it: the instrumented
    /// length, or the refusal as text (`GearEngineApi::validate_code`).
    pub fn check_code(code: Vec<u8>) -> Result<u32, Vec<u8>> {
        gear_engine::validate_and_instrument_with(code, &T::Schedule::get(), crate::syscall_enabled)
            .map(|code| code.instrumented.len() as u32)
            .map_err(|err| alloc::format!("{err}").into_bytes())
    }

    /// Runs `handle` of `code` without storing anything: fresh memory, no balance, at most
    /// `gas_limit` (capped at `BlockGasLimit`) (`GearEngineApi::run_handle`).
    pub fn run_unstored(
        code: Vec<u8>,
        payload: Vec<u8>,
        gas_limit: u64,
    ) -> Result<gear_primitives::CodeRun, Vec<u8>> {
        let config = Self::execution_config();
        let code = gear_engine::validate_and_instrument_with(
            code,
            &config.schedule,
            crate::syscall_enabled,
        )
        .map_err(|err| alloc::format!("{err}").into_bytes())?;
        let gas_limit = gas_limit.min(<T as gas::Config>::BlockGasLimit::get());
        let outcome = gear_engine::execute(
            ProgramCode {
                instrumented: &code.instrumented,
                meta: &code.meta,
            },
            &ProgramMemory::default(),
            Dispatch {
                kind: DispatchKind::Handle,
                id: MessageId::zero(),
                source: ActorId::zero(),
                destination: ActorId::from(code.code_id.into_bytes()),
                payload,
                value: 0,
                details: None,
                context: None,
            },
            &ExecutionInput {
                block: Self::block_info(),
                gas_limit,
                ..Default::default()
            },
            &config,
        );
        Ok(gear_primitives::CodeRun {
            gas_burned: outcome.gas_burned,
            reply: outcome.reply.map(|reply| reply.payload),
            error: match outcome.status {
                ExecutionStatus::Trap { reason, .. } => Some(reason),
                _ => None,
            },
        })
    }

    /// Runs program `program_id`'s informational export `export` (Gear's `state`, given
    /// `payload`, or `metahash`) on its current memory with at most `gas_allowance` gas (the
    /// block gas limit when `None`, and never more), changing nothing: the payload it replies
    /// with, or why there is none, as text (`GearApi::read_state`, `gear_readState`).
    pub fn read_export(
        program_id: ActorId,
        export: &'static str,
        payload: Vec<u8>,
        gas_allowance: Option<u64>,
    ) -> Result<Vec<u8>, Vec<u8>> {
        let refuse = |why: String| why.into_bytes();
        let max_payload = T::Schedule::get().limits.payload_len;
        if payload.len() > max_payload as usize {
            return Err(refuse(format!(
                "payload of {} bytes is over the {max_payload}-byte limit",
                payload.len()
            )));
        }
        let active = match program::ProgramStorage::<T>::get(program_id) {
            None => return Err(refuse(format!("Program not found: {program_id:?}"))),
            Some(Program::Exited(inheritor)) => {
                return Err(refuse(format!(
                    "Program {program_id:?} has exited (inheritor {inheritor:?})"
                )))
            }
            Some(Program::Terminated(_)) => {
                return Err(refuse(format!("Program {program_id:?} is terminated")))
            }
            Some(Program::Active(active)) => active,
        };
        if !matches!(active.state, ProgramState::Initialized) {
            return Err(refuse(format!(
                "Program {program_id:?} is not initialized yet"
            )));
        }
        let Some((instrumented, meta)) = program::InstrumentedCodeStorage::<T>::get(active.code_id)
        else {
            return Err(refuse(format!(
                "Program {program_id:?} has no code {:?}",
                active.code_id
            )));
        };
        let block_gas_limit = <T as gas::Config>::BlockGasLimit::get();
        let outcome = gear_engine::execute(
            ProgramCode {
                instrumented: &instrumented,
                meta: &meta,
            },
            &Self::program_memory(program_id, active.memory_infix.inner()),
            Dispatch {
                kind: DispatchKind::Handle,
                id: MessageId::zero(),
                source: ActorId::zero(),
                destination: program_id,
                payload,
                value: 0,
                details: None,
                context: None,
            },
            &ExecutionInput {
                block: Self::block_info(),
                gas_limit: gas_allowance
                    .unwrap_or(block_gas_limit)
                    .min(block_gas_limit),
                balance: bank::ProgramBalances::<T>::get(program_id),
                reservations: active.gas_reservation_map.clone(),
                export: Some(export),
            },
            &Self::execution_config(),
        );
        match outcome.status {
            ExecutionStatus::Trap {
                reason: SimpleExecutionError::BackendError,
                ..
            } => Err(refuse(format!(
                "Program {program_id:?} has no `{export}` export (Gear's informational entry \
                 point; programs that answer queries by message are read with \
                 gear_calculateReplyForHandle)"
            ))),
            ExecutionStatus::Trap { reason, message } => Err(refuse(format!(
                "`{export}` of program {program_id:?} trapped ({reason:?}){}{}",
                if message.is_empty() { "" } else { ": " },
                String::from_utf8_lossy(&message)
            ))),
            _ => outcome.reply.map(|reply| reply.payload).ok_or_else(|| {
                refuse(format!(
                    "`{export}` of program {program_id:?} returned without replying"
                ))
            }),
        }
    }

    /// Number of dispatches waiting in the queue.
    pub fn queue_len() -> u64 {
        messenger::Pallet::<T>::queue_len()
    }

    /// The metadata of code `code_id`, if it is stored.
    pub fn code_meta(code_id: CodeId) -> Option<ProgramCodeMeta> {
        program::InstrumentedCodeStorage::<T>::get(code_id).map(|(_, meta)| meta)
    }
}
